"""Uploads: PDF, EPUB and DOCX made on the fly are accepted and their text extracted; a damaged,
encrypted, empty, mismatched or too large file is refused with the reason, naming the field."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from pypdf import PdfWriter

from bilim.core.errors import DomainError
from bilim.library import files, samples


def refused(name, data, lang="en"):
    with translation.override(lang), pytest.raises(DomainError) as caught:
        files.check_upload(SimpleUploadedFile(name, data))
    assert "file" in caught.value.fields
    return caught.value


def test_pdf_is_accepted_and_its_kazakh_text_extracted():
    data = samples.pdf("Оқулық", ["Қазақстанның тарихы туралы оқулықтарының мазмұны."])
    checked = files.check_upload(SimpleUploadedFile("Тарих.pdf", data))
    assert checked.mime == files.PDF and checked.pages == 1 and checked.size == len(data) and len(checked.sha256) == 64
    assert checked.name == "Тарих.pdf"
    text, pages = files.extract(data, files.PDF)
    assert "оқулықтарының" in text and pages == 1


def test_epub_is_accepted_and_its_text_extracted_in_reading_order():
    data = samples.epub("Кітап", [("Бірінші", "Абай Құнанбайұлы."), ("Екінші", "Мұхтар Әуезов.")])
    assert files.check_upload(SimpleUploadedFile("kitap.epub", data)).mime == files.EPUB
    text, _pages = files.extract(data, files.EPUB)
    assert text.index("Абай") < text.index("Мұхтар")


def test_docx_is_accepted_with_paragraphs_and_tables():
    data = samples.docx("Құжат", ["Экожүйелер."], table=[["Апта", "Тақырып"], ["1", "Су ресурстары"]])
    assert files.check_upload(SimpleUploadedFile("syllabus.DOCX", data)).mime == files.DOCX
    text, _pages = files.extract(data, files.DOCX)
    assert "Экожүйелер" in text and "Су ресурстары" in text


def test_wrong_extension_refused():
    error = refused("book.txt", b"hello")
    assert error.code == "file_type" and "PDF, EPUB and DOCX" in error.fields["file"]


def test_content_must_match_the_extension():
    pdf = samples.pdf("x", ["y"])
    assert "does not match the extension .docx" in refused("book.docx", pdf).fields["file"]
    assert "(PDF) does not match the extension .epub" in refused("book.epub", pdf).message
    docx = samples.docx("x", ["y"])
    assert refused("book.pdf", docx).code == "file_mismatch"
    assert refused("book.pdf", b"<html>not a pdf</html>").code == "file_mismatch"


def test_empty_file_refused():
    assert refused("empty.pdf", b"").code == "file_empty"


def test_damaged_pdf_refused():
    data = samples.pdf("x", ["y"])
    error = refused("broken.pdf", data[: len(data) // 3])
    assert error.code in ("file_damaged", "file_empty") and "PDF" in error.fields["file"]
    assert refused("junk.pdf", b"%PDF-1.4\n" + b"\x00garbage" * 50).code == "file_damaged"


def test_pdf_without_pages_refused():
    buffer = io.BytesIO()
    PdfWriter().write(buffer)
    assert refused("nopages.pdf", buffer.getvalue()).code == "file_empty"


def test_encrypted_pdf_refused():
    writer = PdfWriter(clone_from=io.BytesIO(samples.pdf("x", ["y"])))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    error = refused("locked.pdf", buffer.getvalue())
    assert error.code == "file_encrypted" and "password" in error.fields["file"]


def test_pdf_with_only_an_owner_password_opens():
    writer = PdfWriter(clone_from=io.BytesIO(samples.pdf("Ашық", ["Мәтін бар."])))
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    assert files.check_upload(SimpleUploadedFile("open.pdf", buffer.getvalue())).pages == 1
    assert "Мәтін" in files.extract(buffer.getvalue(), files.PDF)[0]


def test_encrypted_epub_refused():
    data = samples.epub("Кітап", [("Бірінші", "Мәтін.")])
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("META-INF/encryption.xml", '<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
                        '<EncryptedData xmlns="http://www.w3.org/2001/04/xmlenc#"><EncryptionMethod '
                        'Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/></EncryptedData></encryption>')
    assert refused("drm.epub", buffer.getvalue()).code == "file_encrypted"


def test_encrypted_docx_refused():
    # Word saves a password-protected document as an OLE container with an EncryptedPackage stream
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 200 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 200
    error = refused("secret.docx", data)
    assert error.code == "file_encrypted" and "password" in error.fields["file"]


def test_damaged_epub_and_docx_refused():
    epub = samples.epub("Кітап", [("Бірінші", "Мәтін.")])
    assert refused("cut.epub", epub[:200]).code in ("file_damaged", "file_mismatch")
    docx = samples.docx("x", ["y"])
    assert refused("cut.docx", docx[: len(docx) // 2]).code in ("file_damaged", "file_mismatch")


def test_empty_docx_refused():
    assert refused("blank.docx", samples.docx("", [])).code == "file_empty"


def test_size_limit(settings):
    settings.LIBRARY_MAX_UPLOAD_MB = 1
    data = samples.pdf("x", ["y"]) + b"\n%" + b"0" * (1024 * 1024)
    error = refused("big.pdf", data)
    assert error.code == "file_too_large" and "1 MB" in error.fields["file"]


def test_messages_are_localized():
    error = refused("book.txt", b"x", lang="ru")
    with translation.override("en"):
        english = refused("book.txt", b"x", lang="en")
    assert error.fields["file"] and english.fields["file"].startswith("only PDF")


def test_a_scan_without_text_fails_extraction_with_no_text():
    buffer = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.write(buffer)
    with pytest.raises(files.ExtractionFailed) as caught:
        files.extract(buffer.getvalue(), files.PDF)
    assert caught.value.code == "no_text"


def test_safe_name_drops_paths_and_control_characters():
    assert files.safe_name("../../etc/passwd.pdf") == "passwd.pdf"
    assert files.safe_name("C:\\Users\\a\\Кітап\x07.pdf") == "Кітап.pdf"

"""Files of records: what an upload must be (PDF, EPUB or DOCX whose content matches its extension,
not damaged, not encrypted, not empty, under the size limit), and the extraction of their text.

``check_upload`` runs at upload, in the request: a refused file never reaches the disk.
``extract`` runs in the background (``manage.py library_worker``) and raises ``ExtractionFailed``
with a reason code the librarian's dashboard shows."""

from __future__ import annotations

import hashlib
import io
import logging
import re
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import PurePath

import filetype
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bilim.core.errors import DomainError

log = logging.getLogger(__name__)

PDF = "application/pdf"
EPUB = "application/epub+zip"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MIME_BY_EXTENSION = {".pdf": PDF, ".epub": EPUB, ".docx": DOCX}
EXTENSION_BY_MIME = {mime: ext for ext, mime in MIME_BY_EXTENSION.items()}
# A text longer than this is cut: it is for search, and a book rarely has more.
MAX_TEXT = 3_000_000
# EPUB "encryption" that only obfuscates embedded fonts, which readers undo: not a locked book.
FONT_OBFUSCATION = ("http://www.idpf.org/2008/embedding", "http://ns.adobe.com/pdf/enc#RC")
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE container: how Word stores a password-protected .docx

# Why an extraction failed, for the dashboard (a code is stored; the words are looked up when shown).
FAILURES = {
    "damaged": gettext_lazy("The file is damaged and its text cannot be read."),
    "encrypted": gettext_lazy("The file is encrypted."),
    "no_text": gettext_lazy("The file has no text layer (a scan?): it needs text recognition (OCR)."),
    "missing": gettext_lazy("The stored file is missing."),
    "error": gettext_lazy("Text extraction failed unexpectedly; it will be retried."),
}


class ExtractionFailed(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class CheckedFile:
    name: str
    mime: str
    size: int
    sha256: str
    pages: int | None


def _refuse(message: str, code: str = "invalid_file") -> DomainError:
    return DomainError(code, _("The file was not accepted: %(reason)s") % {"reason": message}, fields={"file": message})


def max_bytes() -> int:
    return int(settings.LIBRARY_MAX_UPLOAD_MB) * 1024 * 1024


def safe_name(name: str) -> str:
    """The file's own name without any path, control characters or over-long tails."""
    name = unicodedata.normalize("NFC", PurePath(str(name).replace("\\", "/")).name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip() or "file"
    stem, dot, ext = name.rpartition(".")
    return (stem[:200] + dot + ext[:10]) if dot else name[:200]


SPOOL_BYTES = 8 * 1024 * 1024  # an upload larger than this is checked from a temporary file, not memory


def check_upload(upload) -> CheckedFile:
    """Check an uploaded file (a Django ``UploadedFile`` or any object with ``name``, ``size`` and
    ``chunks()``/``read()``); raise ``DomainError`` naming the field ``file`` and the reason."""
    name = safe_name(getattr(upload, "name", "") or "")
    extension = PurePath(name).suffix.lower()
    if extension not in MIME_BY_EXTENSION:
        raise _refuse(_("only PDF, EPUB and DOCX files are accepted (the name must end in .pdf, .epub or .docx)."), "file_type")
    size = getattr(upload, "size", None)
    limit = max_bytes()
    too_large = _("the file is larger than %(limit)s MB.") % {"limit": settings.LIBRARY_MAX_UPLOAD_MB}
    if size is not None and size > limit:
        raise _refuse(too_large, "file_too_large")
    digest = hashlib.sha256()
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as handle:
        upload.seek(0)
        total = 0
        for chunk in upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(1 << 20), b""):
            digest.update(chunk)
            handle.write(chunk)
            total += len(chunk)
            if total > limit:
                raise _refuse(too_large, "file_too_large")
        upload.seek(0)
        if not total:
            raise _refuse(_("the file is empty."), "file_empty")
        handle.seek(0)
        head = handle.read(8192)
        expected = MIME_BY_EXTENSION[extension]
        if extension == ".docx" and head.startswith(CFB_MAGIC) and _contains(handle, "EncryptedPackage".encode("utf-16-le")):
            raise _refuse(_("the document is protected with a password (encrypted); save it without a password."), "file_encrypted")
        sniffed = filetype.guess_mime(head)
        if sniffed != expected and not (expected == DOCX and sniffed == "application/zip" and _zip_has(handle, "word/document.xml")):
            found = EXTENSION_BY_MIME.get(sniffed or "", "").upper().lstrip(".") or (sniffed or _("unknown"))
            raise _refuse(_("its content (%(found)s) does not match the extension %(extension)s.")
                          % {"found": found, "extension": extension}, "file_mismatch")
        handle.seek(0)
        pages = {PDF: _check_pdf, EPUB: _check_epub, DOCX: _check_docx}[expected](handle)
    return CheckedFile(name=name, mime=expected, size=total, sha256=digest.hexdigest(), pages=pages)


def _contains(handle, needle: bytes, chunk: int = 1 << 20) -> bool:
    handle.seek(0)
    tail = b""
    while True:
        block = handle.read(chunk)
        if not block:
            return False
        if needle in tail + block:
            return True
        tail = block[-len(needle):]


def _zip_has(handle, member: str) -> bool:
    handle.seek(0)
    try:
        with zipfile.ZipFile(handle) as archive:
            return member in archive.namelist()
    except (zipfile.BadZipFile, ValueError):
        return False


def _check_pdf(handle) -> int:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(handle, strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except Exception:  # noqa: BLE001 — an unsupported cipher is as locked as a password
                opened = 0
            if not opened:
                raise _refuse(_("the PDF is protected with a password (encrypted); upload it without a password."), "file_encrypted")
        pages = len(reader.pages)
        if pages:
            reader.pages[0].mediabox  # noqa: B018 — touch the first page: a broken page tree fails here
    except DomainError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError, zipfile.BadZipFile, OSError) as exc:
        log.info("damaged PDF refused: %s", exc)
        raise _refuse(_("the PDF is damaged and cannot be opened."), "file_damaged") from None
    if pages == 0:
        raise _refuse(_("the PDF has no pages."), "file_empty")
    return pages


def _check_epub(handle) -> None:
    try:
        with zipfile.ZipFile(handle) as archive:
            names = set(archive.namelist())
            if "META-INF/encryption.xml" in names:
                # only the EncryptionMethod algorithms matter (digest and signature ones do not lock)
                methods = re.findall(rb'EncryptionMethod[^>]*Algorithm="([^"]+)"', archive.read("META-INF/encryption.xml"))
                if any(m.decode("ascii", "replace") not in FONT_OBFUSCATION for m in methods):
                    raise _refuse(_("the EPUB is encrypted (DRM); upload a copy without protection."), "file_encrypted")
            if archive.testzip() is not None:
                raise _refuse(_("the EPUB is damaged and cannot be opened."), "file_damaged")
    except zipfile.BadZipFile:
        raise _refuse(_("the EPUB is damaged and cannot be opened."), "file_damaged") from None
    handle.seek(0)
    documents = _epub_documents(handle)
    if documents is None:
        raise _refuse(_("the EPUB is damaged and cannot be opened."), "file_damaged")
    if not documents or not any(_html_text(html).strip() for html in documents):
        raise _refuse(_("the EPUB has no text."), "file_empty")
    return None


def _check_docx(handle) -> None:
    text = _docx_text(handle)
    if text is None:
        raise _refuse(_("the DOCX document is damaged and cannot be opened."), "file_damaged")
    if not text.strip():
        raise _refuse(_("the DOCX document has no text."), "file_empty")
    return None


# --- extraction ---------------------------------------------------------------------------------------

class _TextParser(HTMLParser):
    """Visible text of an (X)HTML document: block elements end lines; scripts and styles are skipped."""

    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "blockquote", "td", "th", "dd", "dt"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "head"):
            self.skip += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "head"):
            self.skip = max(0, self.skip - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def _html_text(html: bytes | str) -> str:
    parser = _TextParser()
    parser.feed(html.decode("utf-8", "replace") if isinstance(html, bytes) else html)
    parser.close()
    return "".join(parser.parts)


def _epub_documents(handle) -> list[bytes] | None:
    """The content documents of an EPUB in reading order, or None if ebooklib cannot read it."""
    import ebooklib
    from ebooklib import epub

    try:
        book = epub.read_epub(handle, options={"ignore_ncx": True})
    except Exception as exc:  # noqa: BLE001 — ebooklib raises anything from KeyError to lxml errors
        log.info("damaged EPUB: %s", exc)
        return None
    by_id = {item.get_id(): item for item in book.get_items_of_type(ebooklib.ITEM_DOCUMENT) if not isinstance(item, epub.EpubNav)}
    ordered = [by_id.pop(idref) for idref, _linear in book.spine if idref in by_id]
    ordered += list(by_id.values())
    return [item.get_content() for item in ordered]


def _docx_text(handle) -> str | None:
    import docx

    try:
        document = docx.Document(handle)
    except Exception as exc:  # noqa: BLE001 — python-docx raises KeyError, BadZipFile, lxml errors …
        log.info("damaged DOCX: %s", exc)
        return None
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def _clean_text(text: str) -> str:
    text = unicodedata.normalize("NFC", text.replace("\x00", ""))
    text = re.sub(r"[ \t\r\f\v]+", " ", text)
    text = re.sub(r"-\n(?=\w)", "", text)  # words hyphenated across lines
    text = re.sub(r"\n\s*\n+", "\n\n", text)
    return text.strip()[:MAX_TEXT]


def extract(source, mime: str) -> tuple[str, int | None]:
    """``(text, pages)`` of a stored file (bytes or a binary file object); ``ExtractionFailed(code)``
    if there is none to be had."""
    handle = io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else source
    handle.seek(0, io.SEEK_END)
    if not handle.tell():
        raise ExtractionFailed("missing")
    handle.seek(0)
    if mime == PDF:
        from pypdf import PdfReader

        try:
            reader = PdfReader(handle, strict=False)
            if reader.is_encrypted and not reader.decrypt(""):
                raise ExtractionFailed("encrypted")
            pages = len(reader.pages)
            texts = []
            total = 0
            for page in reader.pages:
                piece = page.extract_text() or ""
                texts.append(piece)
                total += len(piece)
                if total > MAX_TEXT:
                    break
        except ExtractionFailed:
            raise
        except Exception as exc:  # noqa: BLE001 — pypdf may raise many kinds on a broken page
            log.info("PDF extraction failed: %s", exc)
            raise ExtractionFailed("damaged") from None
        text = _clean_text("\n\n".join(texts))
        if not text:
            raise ExtractionFailed("no_text")
        return text, pages
    if mime == EPUB:
        documents = _epub_documents(handle)
        if documents is None:
            raise ExtractionFailed("damaged")
        text = _clean_text("\n\n".join(_html_text(html) for html in documents))
        if not text:
            raise ExtractionFailed("no_text")
        return text, None
    if mime == DOCX:
        text = _docx_text(handle)
        if text is None:
            raise ExtractionFailed("damaged")
        text = _clean_text(text)
        if not text:
            raise ExtractionFailed("no_text")
        return text, None
    raise ExtractionFailed("damaged")

"""Small real documents made on the fly: PDF (WeasyPrint, DejaVu fonts for Kazakh letters), EPUB
(ebooklib) and DOCX (python-docx). The demo data and the tests use them; nothing is stored in the
repository."""

from __future__ import annotations

import html
import io
import tempfile
from pathlib import Path


def pdf(title: str, paragraphs: list[str], *, author: str = "") -> bytes:
    from weasyprint import HTML

    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    document = f"""<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
    <style>@page {{ size: A5; margin: 18mm 15mm; }} body {{ font-family: 'DejaVu Serif', serif; font-size: 11pt; line-height: 1.45; }}
    h1 {{ font-family: 'DejaVu Sans', sans-serif; font-size: 16pt; }} .author {{ color: #555; }}</style></head>
    <body><h1>{html.escape(title)}</h1><p class="author">{html.escape(author)}</p>{body}</body></html>"""
    return HTML(string=document).write_pdf(pdf_identifier=b"bilim-library-sample", uncompressed_pdf=False)


def epub(title: str, chapters: list[tuple[str, str]], *, language: str = "kk", author: str = "") -> bytes:
    from ebooklib import epub as ep

    book = ep.EpubBook()
    book.set_identifier(f"bilim-sample-{abs(hash(title)) % 10**8}")
    book.set_title(title)
    book.set_language(language)
    if author:
        book.add_author(author)
    items = []
    for number, (heading, text) in enumerate(chapters, start=1):
        chapter = ep.EpubHtml(title=heading, file_name=f"chap_{number}.xhtml", lang=language)
        chapter.content = f"<h1>{html.escape(heading)}</h1><p>{html.escape(text)}</p>"
        book.add_item(chapter)
        items.append(chapter)
    book.toc = items
    book.add_item(ep.EpubNcx())
    book.add_item(ep.EpubNav())
    book.spine = ["nav", *items]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "book.epub"
        ep.write_epub(str(path), book)
        return path.read_bytes()


def docx(title: str, paragraphs: list[str], *, table: list[list[str]] | None = None) -> bytes:
    import docx as python_docx

    document = python_docx.Document()
    if title:
        document.add_heading(title, level=1)
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()

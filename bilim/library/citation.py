"""Citations of a record: GOST 7.1-2003 (the bibliographic description used in Kazakhstan and
Russia) on Kazakh and Russian pages, APA 7th edition on English pages.

Authors are stored as «Surname, Given names» (Dublin Core practice); a name without a comma is read
surname first, the way Kazakh and Russian names are usually written («Оспанов Бауыржан Нұрланұлы»).
The words a citation needs (the type after the title, «[т.б.]» / «[и др.]», pages «б.» / «с.») are
gettext entries looked up in the page's language."""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .models import Resource, ResourceType


def split_name(name: str) -> tuple[str, list[str]]:
    name = " ".join(name.split())
    if "," in name:
        surname, _sep, given = name.partition(",")
        return surname.strip(), given.split()
    parts = name.split(" ")
    return parts[0], parts[1:]


def initials(given: list[str]) -> str:
    out = []
    for word in given:
        if not word:
            continue
        if word.endswith(".") and len(word) <= 3:
            out.append(word)
            continue
        pieces = [p for p in word.split("-") if p]
        out.append("-".join(p[0].upper() + "." for p in pieces))
    return " ".join(out)


def _gost_heading(name: str) -> str:
    surname, given = split_name(name)
    return f"{surname}, {initials(given)}".rstrip(", ") if given else surname


def _gost_statement(name: str) -> str:
    surname, given = split_name(name)
    return f"{initials(given)} {surname}".strip()


def _type_word(resource: Resource) -> str:
    labels = {
        ResourceType.TEXTBOOK: _("textbook"), ResourceType.MANUAL: _("study guide"), ResourceType.MONOGRAPH: _("monograph"),
        ResourceType.ARTICLE: "", ResourceType.TMC: _("teaching and methodological complex"), ResourceType.THESIS: _("thesis"),
    }
    return labels.get(resource.type, "")


def gost(resource: Resource, pages: int | None = None) -> SafeString:
    authors = resource.creators or []
    title = resource.title.rstrip(". ")
    type_word = _type_word(resource)
    main = title + (f" : {type_word}" if type_word else "")
    parts: list[str] = []
    if 1 <= len(authors) <= 3:
        parts.append(_gost_heading(authors[0]) + " " + main)
        statement = ", ".join(_gost_statement(a) for a in authors)
    else:
        parts.append(main)
        statement = (_gost_statement(authors[0]) + " " + _("[et al.]")) if authors else ""
    first = parts[0] + (f" / {statement}" if statement else "")
    segments = [first]
    if resource.type == ResourceType.ARTICLE and resource.publisher:
        segments = [first + f" // {resource.publisher}"]
        if resource.year:
            segments.append(str(resource.year))
    else:
        imprint = ", ".join(p for p in (resource.publisher, str(resource.year) if resource.year else "") if p)
        if imprint:
            segments.append(imprint)
    if pages:
        segments.append(_("%(pages)s p.") % {"pages": pages})
    if resource.isbn:
        segments.append(f"ISBN {resource.isbn}")
    if resource.doi:
        segments.append(f"DOI {resource.doi}")
    text = ". – ".join(s.rstrip(".") for s in segments) + "."
    return format_html("{}", text)


def _apa_name(name: str) -> str:
    surname, given = split_name(name)
    return f"{surname}, {initials(given)}" if given else surname


def apa(resource: Resource) -> SafeString:
    authors = [_apa_name(a) for a in (resource.creators or [])][:20]
    if len(authors) == 1:
        who = authors[0]
    elif len(authors) == 2:
        who = f"{authors[0]}, & {authors[1]}"
    elif authors:
        who = ", ".join(authors[:-1]) + f", & {authors[-1]}"
    else:
        who = ""
    year = f"({resource.year})" if resource.year else "(n.d.)"
    title = resource.title.rstrip(". ")
    link = f"https://doi.org/{resource.doi}" if resource.doi else (resource.url or "")
    tail = format_html(" {}", link) if link else mark_safe("")
    if not who:  # no author: the title takes the author's place
        publisher = format_html(" {}.", resource.publisher.rstrip(".")) if resource.publisher else mark_safe("")
        return format_html("<i>{}</i>. {}.{}{}", title, year, publisher, tail)
    if resource.type == ResourceType.ARTICLE and resource.publisher:
        body = format_html("{}. <i>{}</i>.", title, resource.publisher.rstrip("."))
    else:
        body = format_html("<i>{}</i>.{}", title, format_html(" {}.", resource.publisher.rstrip(".")) if resource.publisher else "")
    return format_html("{} {}. {}{}", who, year, body, tail)


def citation(resource: Resource, pages: int | None = None, language: str | None = None) -> tuple[str, SafeString]:
    """``(style name, citation)`` for the page's language."""
    language = (language or get_language() or "kk")[:2]
    if language == "en":
        return "APA 7", apa(resource)
    return "ГОСТ 7.1-2003", gost(resource, pages)

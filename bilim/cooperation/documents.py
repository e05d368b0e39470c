"""What a foreigner's questionnaire looks like to a person: the page's view (in the reader's
language, through gettext) and the printable questionnaire of Appendix 1 (PDF, WeasyPrint, in kk or
ru with the document's own words from ``questionnaire``), A4 portrait, DejaVu Sans, the photo box
top right, the items numbered 1–17, the date and signature lines."""

from __future__ import annotations

import base64
from datetime import date
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from . import questionnaire, reference
from .models import (ActivityKind, Category, EducationType, Foreigner, LanguageLevel, Reason, Relation)

PDF_FONT = "DejaVu Sans"


def _date(value) -> date | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def foreigner_view(foreigner: Foreigner, *, special: bool, language: str | None = None) -> dict[str, Any]:
    """The lists of the questionnaire with their labels in the reader's language."""
    relation = dict(Relation.choices)
    types = dict(EducationType.choices)
    levels = dict(LanguageLevel.choices)
    kinds = dict(ActivityKind.choices)
    reasons = dict(Reason.choices)
    view: dict[str, Any] = {
        "citizenship": reference.country_name(foreigner.citizenship, language),
        "birth_country": reference.country_name(foreigner.birth_country, language),
        "education": [{**row, "types_text": ", ".join(str(types.get(t, t)) for t in row.get("types", []))}
                      for row in foreigner.education or []],
        "languages": [{**row, "name": reference.language_name(row.get("language"), row.get("other_name", ""), language),
                       "spoken_text": levels.get(row.get("spoken"), ""), "reading_text": levels.get(row.get("reading"), ""),
                       "writing_text": levels.get(row.get("writing"), "")} for row in foreigner.languages or []],
        "activities": [{**row, "from": _date(row.get("date_from")), "to": _date(row.get("date_to")),
                        "kind_text": kinds.get(row.get("kind"), "")} for row in foreigner.activities or []],
        "reasons": [(rank, reasons.get(code, code)) for rank, code in enumerate(foreigner.reasons or [], start=1)],
        "relatives": [],
    }
    if special:
        view["relatives"] = [{**row, "relation_text": relation.get(row.get("relation"), ""),
                              "citizenship_text": reference.country_name(row.get("citizenship"), language)}
                             for row in foreigner.relatives or []]
    return view


# --- the printable questionnaire ------------------------------------------------------------------------

def questionnaire_context(foreigner: Foreigner, language: str) -> dict[str, Any]:
    lang = questionnaire.document_language(language)
    L = questionnaire.LABELS[lang]

    def val(vocabulary: str, code: str) -> str:
        return questionnaire.value(vocabulary, code, lang)

    relatives_by = {code: [] for code in questionnaire.RELATION_ORDER}
    for row in foreigner.relatives or []:
        relatives_by.setdefault(row.get("relation", "other"), []).append(row)
    relative_rows = []
    for code in questionnaire.RELATION_ORDER:
        rows = relatives_by.get(code) or [None]
        for n, row in enumerate(rows):
            relative_rows.append({
                "relation": val("relation", code) if n == 0 else "",
                "span_first": n == 0, "span": len(rows),
                "name": row.get("full_name", "") if row else "",
                "citizenship": reference.country_name(row.get("citizenship"), lang) if row and row.get("citizenship") else "",
                "birth_year": row.get("birth_year", "") if row else "",
                "occupation": row.get("occupation", "") if row else "",
                "address": row.get("address", "") if row else "",
            })
    education = []
    for n, row in enumerate(foreigner.education or [], start=1):
        start, end = row.get("year_from"), row.get("year_to")
        years = f"{start}" if end == start else (f"{start}–{end}" if end else f"{start}–")
        education.append({"n": n, "organization": row.get("organization", ""), "programme": row.get("programme", ""),
                          "years": years, "types": ", ".join(val("education_type", t) for t in row.get("types", [])),
                          "document": row.get("document", "")})
    while len(education) < 3:  # the form has three empty rows at least
        education.append({"n": "", "organization": "", "programme": "", "years": "", "types": "", "document": ""})
    skills = questionnaire.VALUES[lang]["skill"]
    languages = []
    for row in foreigner.languages or []:
        name = reference.language_name(row.get("language"), row.get("other_name", ""), lang)
        levels = ", ".join(f"{skills[s]} — {val('level', row.get(s, ''))}" for s in ("spoken", "reading", "writing") if row.get(s))
        languages.append(f"{name}: {levels}")
    activities = []
    for row in foreigner.activities or []:
        start, end = _date(row.get("date_from")), _date(row.get("date_to"))
        period = f"{start:%d.%m.%Y} – {end:%d.%m.%Y}" if end else f"{start:%d.%m.%Y} – {L['present']}" if start else ""
        activities.append(f"{period}: {val('activity', row.get('kind', ''))}, {row.get('description', '')}")
    ranks = {code: n for n, code in enumerate(foreigner.reasons or [], start=1)}
    reasons = [{"text": val("reason", code), "rank": ranks.get(code, "")} for code in questionnaire.REASON_ORDER]
    ranked = [(n, val("reason", code) + (f": {foreigner.reason_other}" if code == Reason.OTHER and foreigner.reason_other else ""))
              for n, code in enumerate(foreigner.reasons or [], start=1)]
    day, month, year = questionnaire.form_date(foreigner.acknowledged_on, lang)
    photo = ""
    if foreigner.photo:
        try:
            with foreigner.photo.open("rb") as handle:
                photo = "data:image/jpeg;base64," + base64.b64encode(handle.read()).decode("ascii")
        except OSError:
            photo = ""
    names_cyrillic = bool(foreigner.last_name or foreigner.first_name)
    birth_place = ", ".join(p for p in (reference.country_name(foreigner.birth_country, lang), foreigner.birth_place) if p)
    return {
        "lang": lang, "L": L, "font": PDF_FONT, "f": foreigner, "photo": photo,
        "surname": foreigner.last_name if names_cyrillic else foreigner.surname_latin,
        "name": foreigner.first_name if names_cyrillic else foreigner.given_names_latin,
        "patronymic": foreigner.patronymic,
        "latin": f"{foreigner.surname_latin} {foreigner.given_names_latin}" if names_cyrillic else "",
        "sex": val("sex", foreigner.sex),
        "citizenship": reference.country_name(foreigner.citizenship, lang),
        "birth_place": birth_place,
        "address": "; ".join(p for p in (foreigner.permanent_address, foreigner.phones) if p),
        "marital_status": val("marital_status", foreigner.marital_status),
        "relatives": relative_rows, "education": education, "languages": languages, "activities": activities,
        "reasons": reasons, "ranked": ranked,
        "ack_day": day, "ack_month": month, "ack_year": year,
        "organization": foreigner.org_unit.localized("name", lang),
        "printed": timezone.localdate().strftime("%d.%m.%Y"),
        "category": dict(Category.choices).get(foreigner.category, ""),
    }


def questionnaire_html(foreigner: Foreigner, language: str) -> str:
    return render_to_string("cooperation/questionnaire_pdf.html", questionnaire_context(foreigner, language))


class PdfFontError(RuntimeError):
    """The PDF would not show Kazakh letters: DejaVu Sans is missing (Debian: fonts-dejavu-core)."""


KAZAKH_LETTERS = "ӘәҒғҚқҢңӨөҰұҮүҺһІі"


def questionnaire_pdf(foreigner: Foreigner, language: str) -> bytes:
    """The PDF; refuses to return one set in another font or lacking a Kazakh letter (boxes)."""
    from weasyprint import HTML

    document = HTML(string=questionnaire_html(foreigner, language)).render()
    pdf = document.write_pdf()
    fonts = list(document.fonts.values())
    if PDF_FONT not in {getattr(font, "family", None) for font in fonts}:
        raise PdfFontError(f"the questionnaire was not set in {PDF_FONT}: install fonts-dejavu-core")
    missing = {chr(code) for font in fonts for code in (getattr(font, "missing", None) or {})}
    if missing & set(KAZAKH_LETTERS):
        raise PdfFontError(f"the PDF font lacks {''.join(sorted(missing & set(KAZAKH_LETTERS)))}")
    return pdf

"""Writes of the international office, part A: the office (C1), the foreigners and their Appendix 1
questionnaire (C5, C6).

Every function takes keyword arguments only, runs in one transaction, checks everything first and
raises ``DomainError`` naming each field at fault in the user's language — nothing is saved in part —
and appends an audit record. The audit never holds the special categories (nationality, religion,
membership, relatives) in clear: only which of them changed.

Who writes: the organization's international officer (``Role.INTERNATIONAL_OFFICER`` on the
organization) writes foreigners; the office record is written by the officer or the head of the
organization (who appoints the service by order). Anyone else gets the same 404 as for a missing row."""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import date, datetime
from typing import Any, Iterable, Mapping

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from bilim.core.audit import audit_record
from bilim.core.errors import DomainError
from bilim.core.kazakh import fold, plain_key, to_latin
from bilim.core.models import OrgUnit, Role
from bilim.core.notifications import names, notify, users_with_roles
from bilim.core.scope import Scope

from . import questionnaire, reference
from .models import (SPECIAL_FIELDS, Accommodation, ActivityKind, Basis, Category, DepartureReason, EducationType, Foreigner,
                     LanguageLevel, MaritalStatus, Office, OfficeAlert, OfficeStaff, Reason, Relation, Sex)

WRITER_ROLES = (Role.INTERNATIONAL_OFFICER,)
OFFICE_WRITER_ROLES = (Role.INTERNATIONAL_OFFICER, Role.ORG_HEAD)

MAX_RELATIVES, MAX_EDUCATION, MAX_LANGUAGES, MAX_ACTIVITIES = 30, 15, 15, 20
MAX_STAFF = 30
PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MIN_SIDE = 100
PHOTO_BOX = (600, 800)  # 3×4: the stored photo is re-encoded at most this size
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP"}
EARLIEST_YEAR = 1900
MAX_COURSE = 7
PASSPORT = re.compile(r"^[A-Z0-9]{5,20}$")
NAME_PUNCTUATION = set(" -'’.")


def _not_found() -> DomainError:
    return DomainError("not_found", _("Not found."), status=404)


def today() -> date:
    return timezone.localdate()


def can_write_foreigners(user, org_unit: OrgUnit) -> bool:
    return Scope.of(user, WRITER_ROLES).contains_path(org_unit.path)


def can_write_office(user, org_unit: OrgUnit) -> bool:
    return Scope.of(user, OFFICE_WRITER_ROLES).contains_path(org_unit.path)


# --- checking input ---------------------------------------------------------------------------------------

class Checker:
    """Collects one message per field; every message names the field and says what is wrong."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def error(self, field: str, message: str) -> None:
        self.errors.setdefault(field, capfirst(str(message)))

    def required(self, field: str, label) -> None:
        self.error(field, _("%(field)s: fill this in.") % {"field": label})

    def text(self, data: Mapping, key: str, label, *, max_length: int, required: bool = False, field: str | None = None) -> str:
        field = field or key
        raw = data.get(key)
        value = "" if raw is None else str(raw)
        value = unicodedata.normalize("NFC", value).strip()
        if "\x00" in value:
            self.error(field, _("%(field)s contains a character that is not allowed.") % {"field": label})
            return ""
        if len(value) > max_length:
            self.error(field, _("%(field)s: at most %(max)s characters.") % {"field": label, "max": max_length})
        elif required and not value:
            self.required(field, label)
        return value

    def date(self, data: Mapping, key: str, label, *, required: bool = False, past: bool = False,
             field: str | None = None) -> date | None:
        field = field or key
        raw = data.get(key)
        if raw in (None, ""):
            if required:
                self.required(field, label)
            return None
        if isinstance(raw, datetime):
            raw = raw.date()
        if not isinstance(raw, date):
            try:
                raw = date.fromisoformat(str(raw).strip())
            except ValueError:
                self.error(field, _("%(field)s: enter a date as YYYY-MM-DD.") % {"field": label})
                return None
        if raw.year < EARLIEST_YEAR:
            self.error(field, _("%(field)s: the year cannot be before %(year)s.") % {"field": label, "year": EARLIEST_YEAR})
            return None
        if past and raw > today():
            self.error(field, _("%(field)s cannot be in the future.") % {"field": label})
            return None  # no further comparisons with a date already refused
        return raw

    def integer(self, data: Mapping, key: str, label, *, low: int, high: int, required: bool = False,
                field: str | None = None, future_message: bool = False) -> int | None:
        field = field or key
        raw = data.get(key)
        if raw in (None, ""):
            if required:
                self.required(field, label)
            return None
        try:
            value = int(str(raw).strip()) if not isinstance(raw, bool) else None
        except ValueError:
            value = None
        if value is None:
            self.error(field, _("%(field)s: enter a whole number.") % {"field": label})
            return None
        if future_message and value > high:
            self.error(field, _("%(field)s cannot be in the future.") % {"field": label})
        elif not low <= value <= high:
            self.error(field, _("%(field)s: enter a number from %(low)s to %(high)s.") % {"field": label, "low": low, "high": high})
        return value

    def choice(self, data: Mapping, key: str, label, choices, *, required: bool = True, field: str | None = None) -> str:
        field = field or key
        raw = data.get(key)
        value = "" if raw is None else str(raw).strip()
        if not value:
            if required:
                self.required(field, label)
            return ""
        if value not in {str(code) for code, _label in choices}:
            self.error(field, _("%(field)s: choose one of the listed values.") % {"field": label})
            return ""
        return value

    def country(self, data: Mapping, key: str, label, *, required: bool = True, foreign: bool = False,
                field: str | None = None) -> str:
        field = field or key
        raw = data.get(key)
        value = "" if raw is None else str(raw).strip().upper()
        if not value:
            if required:
                self.required(field, label)
            return ""
        if not reference.is_country(value):
            self.error(field, _("%(field)s: choose a country from the list.") % {"field": label})
            return ""
        if foreign and value == reference.KAZAKHSTAN:
            self.error(field, _("%(field)s: a citizen of Kazakhstan is not a foreigner.") % {"field": label})
            return ""
        return value

    def period(self, start, end, *, start_label, end_label, end_field: str) -> None:
        if start is not None and end is not None and end < start:
            self.error(end_field, _("%(end)s cannot be earlier than %(start)s.") % {"end": end_label, "start": start_label})

    def rows(self, data: Mapping, key: str, label, *, limit: int) -> list[Mapping]:
        rows = data.get(key) or []
        if not isinstance(rows, (list, tuple)) or not all(isinstance(row, Mapping) for row in rows):
            self.error(key, _("%(field)s: the list is not valid.") % {"field": label})
            return []
        if len(rows) > limit:
            self.error(key, _("%(field)s: at most %(max)s rows.") % {"field": label, "max": limit})
            return []
        return list(rows)

    def raise_if_any(self, message: str, code: str = "invalid") -> None:
        if self.errors:
            raise DomainError(code, message, fields=self.errors)


def _label(field: str):
    return Foreigner._meta.get_field(field).verbose_name


def _script_only(value: str, script: str) -> bool:
    for char in value:
        if char in NAME_PUNCTUATION:
            continue
        if not char.isalpha():
            return False
        try:
            if script not in unicodedata.name(char):
                return False
        except ValueError:
            return False
    return True


def normalize_passport(value: str) -> str:
    return re.sub(r"[\s-]+", "", (value or "")).upper()


# --- the questionnaire ------------------------------------------------------------------------------------

def _relatives(check: Checker, data: Mapping) -> list[dict]:
    out = []
    year = today().year
    for i, row in enumerate(check.rows(data, "relatives", _label("relatives"), limit=MAX_RELATIVES)):
        f = f"relatives[{i}]"
        item = {
            "relation": check.choice(row, "relation", _("relation"), Relation.choices, field=f"{f}.relation"),
            "full_name": check.text(row, "full_name", _("full name of the relative"), max_length=200, required=True,
                                    field=f"{f}.full_name"),
            "birth_year": check.integer(row, "birth_year", _("relative's year of birth"), low=EARLIEST_YEAR, high=year,
                                        required=True, field=f"{f}.birth_year", future_message=True),
            "citizenship": check.country(row, "citizenship", _("relative's citizenship"), required=False, field=f"{f}.citizenship"),
            "occupation": check.text(row, "occupation", _("relative's occupation"), max_length=200, field=f"{f}.occupation"),
            "address": check.text(row, "address", _("relative's permanent address"), max_length=300, field=f"{f}.address"),
        }
        out.append(item)
    order = {code: n for n, code in enumerate(questionnaire.RELATION_ORDER)}
    return sorted(out, key=lambda r: order.get(r["relation"], len(order)))


def _education(check: Checker, data: Mapping, arrival: date | None) -> list[dict]:
    out = []
    last_year = (arrival or today()).year
    types = {code for code, _label in EducationType.choices}
    for i, row in enumerate(check.rows(data, "education", _label("education"), limit=MAX_EDUCATION)):
        f = f"education[{i}]"
        start = check.integer(row, "year_from", _("first year of study"), low=EARLIEST_YEAR, high=last_year, required=True,
                              field=f"{f}.year_from", future_message=True)
        end = check.integer(row, "year_to", _("last year of study"), low=EARLIEST_YEAR, high=last_year, field=f"{f}.year_to",
                            future_message=True)
        check.period(start, end, start_label=_("first year of study"), end_label=_("last year of study"), end_field=f"{f}.year_to")
        chosen = row.get("types") or []
        if isinstance(chosen, str):
            chosen = [chosen]
        chosen = [str(t) for t in chosen] if isinstance(chosen, (list, tuple)) else []
        if not chosen:
            check.error(f"{f}.types", _("%(field)s: fill this in.") % {"field": _("type of the education organization")})
        elif not set(chosen) <= types:
            check.error(f"{f}.types", _("%(field)s: choose one of the listed values.") % {"field": _("type of the education organization")})
        out.append({
            "organization": check.text(row, "organization", _("name of the education organization"), max_length=300, required=True,
                                       field=f"{f}.organization"),
            "programme": check.text(row, "programme", _("programme of study"), max_length=300, required=True, field=f"{f}.programme"),
            "year_from": start, "year_to": end,
            "types": [code for code, _label in EducationType.choices if code in set(chosen)],
            "document": check.text(row, "document", _("document on education"), max_length=300, field=f"{f}.document"),
        })
    return out


def _languages(check: Checker, data: Mapping) -> list[dict]:
    out = []
    seen: dict[str, int] = {}
    codes = [(item.code, item.code) for item in reference.LANGUAGES] + [(reference.OTHER_LANGUAGE, "")]
    for i, row in enumerate(check.rows(data, "languages", _label("languages"), limit=MAX_LANGUAGES)):
        f = f"languages[{i}]"
        code = check.choice(row, "language", _("language"), codes, field=f"{f}.language")
        other = check.text(row, "other_name", _("name of the language"), max_length=60, required=code == reference.OTHER_LANGUAGE,
                           field=f"{f}.other_name")
        key = code if code != reference.OTHER_LANGUAGE else "other:" + fold(other)
        if code and key in seen:
            check.error(f"{f}.language", _("Language: this language is already listed in row %(row)s.") % {"row": seen[key] + 1})
        seen.setdefault(key, i)
        levels = {skill: check.choice(row, skill, label, LanguageLevel.choices, field=f"{f}.{skill}")
                  for skill, label in (("spoken", _("spoken")), ("reading", _("reading")), ("writing", _("writing")))}
        out.append({"language": code, "other_name": other if code == reference.OTHER_LANGUAGE else "", **levels})
    return out


def _activities(check: Checker, data: Mapping) -> list[dict]:
    out = []
    for i, row in enumerate(check.rows(data, "activities", _label("activities"), limit=MAX_ACTIVITIES)):
        f = f"activities[{i}]"
        start = check.date(row, "date_from", _("start of the period"), required=True, past=True, field=f"{f}.date_from")
        end = check.date(row, "date_to", _("end of the period"), past=True, field=f"{f}.date_to")
        check.period(start, end, start_label=_("start of the period"), end_label=_("end of the period"), end_field=f"{f}.date_to")
        out.append({
            "date_from": start.isoformat() if start else None, "date_to": end.isoformat() if end else None,
            "kind": check.choice(row, "kind", _("kind of activity"), ActivityKind.choices, field=f"{f}.kind"),
            "description": check.text(row, "description", _("activity and place"), max_length=400, required=True,
                                      field=f"{f}.description"),
        })
    return sorted(out, key=lambda r: r["date_from"] or "")


def _reasons(check: Checker, data: Mapping) -> tuple[list[str], str]:
    """Item 14: the ranks the foreigner gave (1, 2, 3… in the order of choice): no gaps, no repeats."""
    raw = data.get("reasons") or {}
    if not isinstance(raw, Mapping):
        check.error("reasons", _("Reasons for coming: the ranking is not valid."))
        return [], ""
    ranks: dict[str, int] = {}
    valid = {code for code, _label in Reason.choices}
    for code, rank in raw.items():
        if rank in (None, ""):
            continue
        if code not in valid:
            check.error("reasons", _("Reasons for coming: unknown reason «%(code)s».") % {"code": str(code)[:40]})
            continue
        try:
            number = int(str(rank).strip()) if not isinstance(rank, bool) else 0
        except ValueError:
            number = 0
        if not 1 <= number <= len(valid):
            check.error(f"reasons.{code}", _("Reasons for coming: a rank is a whole number from 1 to %(max)s.") % {"max": len(valid)})
            continue
        ranks[code] = number
    other = check.text(data, "reason_other", _label("reason_other"), max_length=300)
    if not ranks:
        if "reasons" not in check.errors and not any(k.startswith("reasons.") for k in check.errors):
            check.error("reasons", _("Reasons for coming: rank at least one reason (1 for the most important)."))
        return [], other
    values = sorted(ranks.values())
    repeated = sorted({v for v in values if values.count(v) > 1})
    if repeated:
        check.error("reasons", _("Reasons for coming: each rank may be given once; %(ranks)s is repeated.")
                    % {"ranks": ", ".join(str(v) for v in repeated)})
    elif values != list(range(1, len(values) + 1)):
        missing = [n for n in range(1, max(values) + 1) if n not in values]
        check.error("reasons", _("Reasons for coming: the ranks must be 1, 2, 3… without gaps; %(ranks)s is missing.")
                    % {"ranks": ", ".join(str(v) for v in missing)})
    if Reason.OTHER in ranks and not other:
        check.error("reason_other", _("%(field)s: fill this in.") % {"field": _label("reason_other")})
    ordered = [code for code, _rank in sorted(ranks.items(), key=lambda item: item[1])]
    return ordered, other if Reason.OTHER in ranks else ""


def clean_questionnaire(data: Mapping[str, Any], *, org_unit: OrgUnit, instance: Foreigner | None = None,
                        check: Checker | None = None) -> tuple[dict[str, Any], Checker]:
    """Check every item of the questionnaire and the stay; return the values to store and the
    checker with the errors found (none: the values are complete and consistent)."""
    check = check or Checker()
    t = check.text
    v: dict[str, Any] = {}
    # 1: names
    v["surname_latin"] = t(data, "surname_latin", _label("surname_latin"), max_length=100, required=True).upper()
    v["given_names_latin"] = t(data, "given_names_latin", _label("given_names_latin"), max_length=150, required=True).upper()
    for key in ("surname_latin", "given_names_latin"):
        if v[key] and not _script_only(v[key], "LATIN"):
            check.error(key, _("%(field)s: Latin letters as in the passport.") % {"field": _label(key)})
    for key in ("last_name", "first_name", "patronymic"):
        v[key] = t(data, key, _label(key), max_length=100)
        if v[key] and not _script_only(v[key], "CYRILLIC"):
            check.error(key, _("%(field)s: Cyrillic letters only.") % {"field": _label(key)})
    # 2–4
    v["sex"] = check.choice(data, "sex", _label("sex"), Sex.choices)
    v["citizenship"] = check.country(data, "citizenship", _label("citizenship"), foreign=True)
    v["birth_date"] = check.date(data, "birth_date", _label("birth_date"), required=True, past=True)
    v["birth_country"] = check.country(data, "birth_country", _label("birth_country"))
    v["birth_place"] = t(data, "birth_place", _label("birth_place"), max_length=200, required=True)
    # passport
    v["passport_number"] = normalize_passport(t(data, "passport_number", _label("passport_number"), max_length=30, required=True))
    if v["passport_number"] and not PASSPORT.match(v["passport_number"]):
        check.error("passport_number", _("%(field)s: 5 to 20 Latin letters and digits.") % {"field": _label("passport_number")})
    v["passport_issued_on"] = check.date(data, "passport_issued_on", _label("passport_issued_on"), required=True, past=True)
    v["passport_expires_on"] = check.date(data, "passport_expires_on", _label("passport_expires_on"), required=True)
    v["passport_issued_by"] = t(data, "passport_issued_by", _label("passport_issued_by"), max_length=200)
    check.period(v["birth_date"], v["passport_issued_on"], start_label=_label("birth_date"),
                 end_label=_label("passport_issued_on"), end_field="passport_issued_on")
    check.period(v["passport_issued_on"], v["passport_expires_on"], start_label=_label("passport_issued_on"),
                 end_label=_label("passport_expires_on"), end_field="passport_expires_on")
    # 5–7 (special categories), 8–9
    v["nationality"] = t(data, "nationality", _label("nationality"), max_length=100)
    v["religion"] = t(data, "religion", _label("religion"), max_length=100)
    v["memberships"] = t(data, "memberships", _label("memberships"), max_length=1000)
    v["permanent_address"] = t(data, "permanent_address", _label("permanent_address"), max_length=500, required=True)
    v["phones"] = t(data, "phones", _label("phones"), max_length=200, required=True)
    if v["phones"] and not re.search(r"\d{5}", re.sub(r"[\s()-]", "", v["phones"])):
        check.error("phones", _("%(field)s: give at least one phone number with its digits.") % {"field": _label("phones")})
    v["email"] = t(data, "email", _label("email"), max_length=254)
    if v["email"]:
        try:
            validate_email(v["email"])
        except ValidationError:
            check.error("email", _("%(field)s: enter a valid e-mail address.") % {"field": _label("email")})
    v["marital_status"] = check.choice(data, "marital_status", _label("marital_status"), MaritalStatus.choices)
    # the stay (arrival first: items 11 and 13 are before it)
    v["arrival_date"] = check.date(data, "arrival_date", _label("arrival_date"), required=True)
    check.period(v["birth_date"], v["arrival_date"], start_label=_label("birth_date"), end_label=_label("arrival_date"),
                 end_field="arrival_date")
    # 10–14
    v["relatives"] = _relatives(check, data)
    v["education"] = _education(check, data, v["arrival_date"])
    v["languages"] = _languages(check, data)
    v["activities"] = _activities(check, data)
    v["reasons"], v["reason_other"] = _reasons(check, data)
    # 15–16
    v["study_purpose"] = t(data, "study_purpose", _label("study_purpose"), max_length=2000, required=True)
    v["about"] = t(data, "about", _label("about"), max_length=4000)
    # the stay
    v["category"] = check.choice(data, "category", _label("category"), Category.choices)
    v["basis"] = check.choice(data, "basis", _label("basis"), Basis.choices)
    v["specialty"] = t(data, "specialty", _label("specialty"), max_length=200)
    v["course"] = check.integer(data, "course", _label("course"), low=1, high=MAX_COURSE)
    v["is_diaspora"] = bool(data.get("is_diaspora"))
    v["is_kandas"] = bool(data.get("is_kandas"))
    v["admission_order_number"] = t(data, "admission_order_number", _label("admission_order_number"), max_length=50)
    v["admission_order_date"] = check.date(data, "admission_order_date", _label("admission_order_date"), past=True)
    if v["admission_order_number"] and v["admission_order_date"] is None and "admission_order_date" not in check.errors:
        check.required("admission_order_date", _label("admission_order_date"))
    if v["admission_order_date"] is not None and not v["admission_order_number"] and "admission_order_number" not in check.errors:
        check.required("admission_order_number", _label("admission_order_number"))
    v["accommodation"] = check.choice(data, "accommodation", _label("accommodation"), Accommodation.choices)
    v["accommodation_address"] = t(data, "accommodation_address", _label("accommodation_address"), max_length=300)
    v["medical_checkup_on"] = check.date(data, "medical_checkup_on", _label("medical_checkup_on"), past=True)
    v["expected_end_date"] = check.date(data, "expected_end_date", _label("expected_end_date"), required=True)
    check.period(v["arrival_date"], v["expected_end_date"], start_label=_label("arrival_date"),
                 end_label=_label("expected_end_date"), end_field="expected_end_date")
    if (v["passport_expires_on"] and v["arrival_date"] and v["passport_expires_on"] < v["arrival_date"]
            and "passport_expires_on" not in check.errors):
        check.error("passport_expires_on", _("%(field)s: the passport expires before the date of arrival.")
                    % {"field": _label("passport_expires_on")})
    # 17: acknowledgement, date and signature
    v["acknowledged"] = bool(data.get("acknowledged"))
    if not v["acknowledged"]:
        check.error("acknowledged", _("Item 17: the foreigner must confirm being acquainted with the laws and rules; "
                                      "without it the questionnaire is not accepted."))
    v["acknowledged_on"] = check.date(data, "acknowledged_on", _label("acknowledged_on"), required=True, past=True)
    v["signed"] = bool(data.get("signed"))
    if not v["signed"]:
        check.error("signed", _("Item 17: the questionnaire must be signed by the foreigner."))
    # the same person twice: the same passport number and citizenship in this organization
    if v["passport_number"] and v["citizenship"] and "passport_number" not in check.errors:
        same = Foreigner.objects.filter(org_unit=org_unit, citizenship=v["citizenship"], passport_number=v["passport_number"])
        if instance is not None:
            same = same.exclude(pk=instance.pk)
        if same.exists():
            check.error("passport_number", _("%(field)s: a foreigner with this passport number and citizenship is already "
                                             "registered in this organization.") % {"field": _label("passport_number")})
    return v, check


def process_photo(upload, check: Checker) -> ContentFile | None:
    """The photo as a re-encoded JPEG (EXIF and any other metadata dropped, at most 600×800), or an
    error on ``photo`` when the file is not a JPEG, PNG or WebP image Pillow can read."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    label = _label("photo")
    size = getattr(upload, "size", None)
    if size is not None and size > PHOTO_MAX_BYTES:
        check.error("photo", _("%(field)s: the file is larger than %(mb)s MB.") % {"field": label, "mb": PHOTO_MAX_BYTES // 2**20})
        return None
    try:
        upload.seek(0)
        data = upload.read(PHOTO_MAX_BYTES + 1)
    except (OSError, ValueError):
        data = b""
    if len(data) > PHOTO_MAX_BYTES:
        check.error("photo", _("%(field)s: the file is larger than %(mb)s MB.") % {"field": label, "mb": PHOTO_MAX_BYTES // 2**20})
        return None
    not_image = _("%(field)s: the file is not an image; upload a JPEG or PNG photo.") % {"field": label}
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            probe.verify()
        if kind not in PHOTO_FORMATS:
            check.error("photo", not_image)
            return None
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            image = ImageOps.exif_transpose(image)
            if min(image.size) < PHOTO_MIN_SIDE:
                check.error("photo", _("%(field)s: the image is too small (at least %(px)s pixels on each side).")
                            % {"field": label, "px": PHOTO_MIN_SIDE})
                return None
            image = image.convert("RGB")
            image.thumbnail(PHOTO_BOX)
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=90, optimize=True)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        check.error("photo", not_image)
        return None
    return ContentFile(out.getvalue(), name="photo.jpg")


def search_text_for(values: Mapping[str, Any]) -> str:
    names_ = [values.get(k, "") for k in ("surname_latin", "given_names_latin", "last_name", "first_name", "patronymic")]
    keys = {fold(n) for n in names_ if n} | {plain_key(n) for n in names_ if n} | {fold(to_latin(n)) for n in names_ if n}
    return " | ".join(sorted(keys) + [values.get("passport_number", "").lower()])


def _snapshot(foreigner: Foreigner) -> dict[str, Any]:
    """What the audit keeps of a foreigner: the ordinary fields, never the special categories."""
    fields = ("surname_latin", "given_names_latin", "last_name", "first_name", "patronymic", "sex", "citizenship", "birth_date",
              "birth_country", "birth_place", "passport_number", "passport_issued_on", "passport_expires_on", "permanent_address",
              "phones", "email", "marital_status", "category", "basis", "specialty", "course", "is_diaspora", "is_kandas",
              "admission_order_number", "admission_order_date", "arrival_date", "accommodation", "accommodation_address",
              "medical_checkup_on", "expected_end_date", "departure_date", "departure_reason", "acknowledged", "acknowledged_on",
              "signed", "reasons", "reason_other")
    snap = {f: getattr(foreigner, f) for f in fields}
    snap.update({f"{f}_rows": len(getattr(foreigner, f) or []) for f in ("education", "languages", "activities")})
    return snap



def _save_unique(foreigner, content, stored) -> None:
    """Store the photo and save the row; the same passport and citizenship twice in one
    organization is refused on the passport number field (the database's unique key decides)."""
    _store_photo(foreigner, content, stored)
    try:
        with transaction.atomic():
            foreigner.save()
    except IntegrityError:
        raise DomainError("invalid_questionnaire", _("The questionnaire has errors; nothing was saved."), fields={
            "passport_number": capfirst(_("%(field)s: a foreigner with this passport number and citizenship is already "
                                          "registered in this organization.") % {"field": _label("passport_number")})}) from None

def _store_photo(foreigner: Foreigner, content: ContentFile | None, stored: list) -> None:
    """Write the photo's file; the old file goes once the transaction commits. ``stored`` collects the
    new file so that the caller removes it if the transaction fails."""
    if content is None:
        return
    old = foreigner.photo.name if foreigner.photo else ""
    foreigner.photo.save("photo.jpg", content, save=False)
    storage = foreigner.photo.storage
    stored.append((storage, foreigner.photo.name))
    if old:
        transaction.on_commit(lambda: storage.delete(old))


def _written(run):
    """Run the write ``run(stored)``; if it fails, remove the files it stored, then re-raise."""
    stored: list = []
    try:
        return run(stored)
    except BaseException:
        for storage, name in stored:
            try:
                storage.delete(name)
            except OSError:
                pass
        raise


def foreigner_register(*, org_unit: OrgUnit, data: Mapping[str, Any], photo=None, by, request=None) -> Foreigner:
    """Register a foreigner with the complete questionnaire, the consent to processing (its text's
    version and the moment) and, optionally, the photo. Then check whether the office is now required."""
    if org_unit.level != 3 or not can_write_foreigners(by, org_unit):
        raise _not_found()

    def run(stored):
        with transaction.atomic():
            values, check = clean_questionnaire(data, org_unit=org_unit)
            if not data.get("consent"):
                check.error("consent", _("Consent to the processing of personal data: record the foreigner's consent; "
                                         "without it the data cannot be processed."))
            version = str(data.get("consent_version") or questionnaire.CONSENT_VERSION)
            if version not in questionnaire.CONSENT:
                check.error("consent_version", _("Consent to the processing of personal data: unknown version of the text."))
            content = process_photo(photo, check) if photo else None
            check.raise_if_any(_("The questionnaire has errors; nothing was saved."), "invalid_questionnaire")
            now = timezone.now()
            foreigner = Foreigner(org_unit=org_unit, **values, is_cis=reference.is_cis(values["citizenship"]),
                                  consent_version=version, consent_at=now, consent_recorded_by=by,
                                  search_text=search_text_for(values), created_at=now, created_by=by, updated_at=now,
                                  updated_by=by)
            _save_unique(foreigner, content, stored)
            after = _snapshot(foreigner)
            after.update(special_given=[f for f in SPECIAL_FIELDS if getattr(foreigner, f)], consent_version=version,
                         photo=bool(content))
            audit_record(actor=by, action="cooperation.foreigner.create", obj=foreigner, org_unit=org_unit, after=after,
                         request=request)
            office_requirement_check(org_unit=org_unit)
            return foreigner

    return _written(run)


def foreigner_update(*, foreigner: Foreigner, data: Mapping[str, Any], photo=None, by, request=None) -> Foreigner:
    """Replace the questionnaire's answers (all of them: what is not given is cleared); the consent
    stays as recorded. The audit names the special categories that changed, without their values."""
    org_unit = foreigner.org_unit
    if not can_write_foreigners(by, org_unit):
        raise _not_found()

    def run(stored):
        with transaction.atomic():
            current = Foreigner.objects.select_for_update().get(pk=foreigner.pk)
            values, check = clean_questionnaire(data, org_unit=org_unit, instance=current)
            content = process_photo(photo, check) if photo else None
            check.raise_if_any(_("The questionnaire has errors; nothing was saved."), "invalid_questionnaire")
            before = _snapshot(current)
            special_changed = [f for f in SPECIAL_FIELDS if getattr(current, f) != values[f]]
            for key, value in values.items():
                setattr(current, key, value)
            current.is_cis = reference.is_cis(values["citizenship"])
            current.search_text = search_text_for(values)
            current.updated_at, current.updated_by = timezone.now(), by
            _save_unique(current, content, stored)
            after = _snapshot(current)
            changed = {k for k in after if after[k] != before.get(k)}
            audit_record(actor=by, action="cooperation.foreigner.update", obj=current, org_unit=org_unit,
                         before={k: before[k] for k in sorted(changed)},
                         after={**{k: after[k] for k in sorted(changed)}, "special_changed": special_changed,
                                "photo_replaced": bool(content)},
                         request=request)
            office_requirement_check(org_unit=org_unit)
            return current

    return _written(run)


def foreigner_photo_set(*, foreigner: Foreigner, upload, by, request=None) -> Foreigner:
    """Replace the photo (checked and re-encoded by ``process_photo``)."""
    if not can_write_foreigners(by, foreigner.org_unit):
        raise _not_found()

    def run(stored):
        with transaction.atomic():
            check = Checker()
            if upload is None:
                check.required("photo", _label("photo"))
            content = process_photo(upload, check) if upload is not None else None
            check.raise_if_any(_("The photo was not saved."), "invalid_photo")
            current = Foreigner.objects.select_for_update().get(pk=foreigner.pk)
            _store_photo(current, content, stored)
            current.updated_at, current.updated_by = timezone.now(), by
            current.save(update_fields=["photo", "updated_at", "updated_by"])
            audit_record(actor=by, action="cooperation.foreigner.photo", obj=current, org_unit=current.org_unit,
                         after={"photo": True}, request=request)
            return current

    return _written(run)


@transaction.atomic
def foreigner_depart(*, foreigner: Foreigner, departure_date, reason: str, note: str = "", by, request=None) -> Foreigner:
    """Record the departure (the end of the stay at the organization): on or after the arrival, not
    in the future. The foreigner leaves the counts of C1 from that day."""
    if not can_write_foreigners(by, foreigner.org_unit):
        raise _not_found()
    check = Checker()
    data = {"departure_date": departure_date, "departure_reason": reason, "departure_note": note}
    current = Foreigner.objects.select_for_update().get(pk=foreigner.pk)
    day = check.date(data, "departure_date", _label("departure_date"), required=True, past=True)
    check.period(current.arrival_date, day, start_label=_label("arrival_date"), end_label=_label("departure_date"),
                 end_field="departure_date")
    chosen = check.choice(data, "departure_reason", _label("departure_reason"), DepartureReason.choices)
    text = check.text(data, "departure_note", _label("departure_note"), max_length=300,
                      required=chosen == DepartureReason.OTHER)
    check.raise_if_any(_("The departure was not recorded."), "invalid_departure")
    before = {"departure_date": current.departure_date, "departure_reason": current.departure_reason}
    current.departure_date, current.departure_reason, current.departure_note = day, chosen, text
    current.updated_at, current.updated_by = timezone.now(), by
    current.save(update_fields=["departure_date", "departure_reason", "departure_note", "updated_at", "updated_by"])
    audit_record(actor=by, action="cooperation.foreigner.depart", obj=current, org_unit=current.org_unit, before=before,
                 after={"departure_date": day, "departure_reason": chosen}, request=request)
    office_requirement_check(org_unit=current.org_unit)
    return current


def foreigner_view_audit(*, foreigner: Foreigner, by, channel: str, special: bool, request=None) -> None:
    """Record that ``by`` opened the foreigner's data (``channel``: page, pdf, api) and whether the
    special categories were shown. The selectors that open a foreigner call this, in their own
    transaction, before returning anything."""
    with transaction.atomic():
        audit_record(actor=by, action="cooperation.foreigner.view", obj=foreigner, org_unit=foreigner.org_unit,
                     after={"channel": channel, "special": special}, request=request)


# --- the office (C1) --------------------------------------------------------------------------------------

def _office_label(field: str):
    return Office._meta.get_field(field).verbose_name


def _staff_label(field: str):
    return OfficeStaff._meta.get_field(field).verbose_name


@transaction.atomic
def office_save(*, org_unit: OrgUnit, data: Mapping[str, Any], staff: Iterable[Mapping[str, Any]], by, request=None) -> Office:
    """Record the organization's service or responsible person, appointed by the head's order, with
    its staff (exactly one head: the service's head or the responsible person). Replaces the staff."""
    if org_unit.level != 3 or not can_write_office(by, org_unit):
        raise _not_found()
    check = Checker()
    t = check.text
    v = {
        "kind": check.choice(data, "kind", _office_label("kind"), Office.Kind.choices),
        "name": t(data, "name", _office_label("name"), max_length=300),
        "order_number": t(data, "order_number", _office_label("order_number"), max_length=50, required=True),
        "order_date": check.date(data, "order_date", _office_label("order_date"), required=True, past=True),
        "address": t(data, "address", _office_label("address"), max_length=300),
        "building": t(data, "building", _office_label("building"), max_length=60),
        "room": t(data, "room", _office_label("room"), max_length=30),
        "regulation_approved": bool(data.get("regulation_approved")),
        "premises_secured": bool(data.get("premises_secured")),
    }
    if v["kind"] == Office.Kind.SERVICE and not v["name"]:
        check.required("name", _office_label("name"))
    rows = check.rows({"staff": list(staff)}, "staff", _("staff"), limit=MAX_STAFF)
    people = []
    for i, row in enumerate(rows):
        f = f"staff[{i}]"
        person = {
            "full_name": t(row, "full_name", _staff_label("full_name"), max_length=200, required=True, field=f"{f}.full_name"),
            "position": t(row, "position", _staff_label("position"), max_length=200, required=True, field=f"{f}.position"),
            "is_head": bool(row.get("is_head")),
            "work_phone": t(row, "work_phone", _staff_label("work_phone"), max_length=40, field=f"{f}.work_phone"),
            "home_phone": t(row, "home_phone", _staff_label("home_phone"), max_length=40, field=f"{f}.home_phone"),
            "email": t(row, "email", _staff_label("email"), max_length=254, field=f"{f}.email"),
            "order_number": t(row, "order_number", _staff_label("order_number"), max_length=50, field=f"{f}.order_number"),
            "order_date": check.date(row, "order_date", _staff_label("order_date"), past=True, field=f"{f}.order_date"),
            "experience_years": check.integer(row, "experience_years", _staff_label("experience_years"), low=0, high=70,
                                              field=f"{f}.experience_years"),
            "foreign_languages": t(row, "foreign_languages", _staff_label("foreign_languages"), max_length=200,
                                   field=f"{f}.foreign_languages"),
            "has_clearance": bool(row.get("has_clearance")),
            "position_order": i,
        }
        if person["email"]:
            try:
                validate_email(person["email"])
            except ValidationError:
                check.error(f"{f}.email", _("%(field)s: enter a valid e-mail address.") % {"field": _staff_label("email")})
        people.append(person)
    heads = [p for p in people if p["is_head"]]
    if len(heads) != 1 and "staff" not in check.errors:
        check.error("staff", _("Staff: mark exactly one person as the head of the service or the responsible person."))
    check.raise_if_any(_("The office was not saved."), "invalid_office")
    office = Office.objects.select_for_update().filter(org_unit=org_unit).first()
    before = None
    if office is None:
        office = Office(org_unit=org_unit)
    else:
        before = {**{k: getattr(office, k) for k in v}, "staff": [s.full_name for s in office.staff.all()]}
    for key, value in v.items():
        setattr(office, key, value)
    office.updated_at, office.updated_by = timezone.now(), by
    office.save()
    office.staff.all().delete()
    OfficeStaff.objects.bulk_create([OfficeStaff(office=office, **p) for p in people])
    audit_record(actor=by, action="cooperation.office.save", obj=office, org_unit=org_unit, before=before,
                 after={**v, "staff": [p["full_name"] for p in people]}, request=request)
    office_requirement_check(org_unit=org_unit)
    return office


def _link_path(name: str, *args) -> str:
    """A page's path without the language prefix (notifications add the reader's own)."""
    from django.urls import reverse
    from django.utils import translation

    with translation.override("kk"):
        path = reverse(name, args=args)
    return path[len("/kk"):] if path.startswith("/kk/") else path


@transaction.atomic
def office_requirement_check(*, org_unit: OrgUnit, on: date | None = None):
    """C1 (§4): when a service becomes mandatory — 10 or more foreigners, or 10 or more citizens
    abroad on the organization's referral, or active agreements — and no service is recorded, warn
    the head once (a notification; the home page shows it while it holds). Resolves the warning when
    it no longer holds. Part B's services call this after trips and agreements change."""
    from .selectors import office_status

    status = office_status(org_unit, on)
    alert = OfficeAlert.objects.select_for_update().filter(org_unit=org_unit, resolved_at__isnull=True).first()
    if status.warning and alert is None:
        reasons = {"foreigners": status.foreigners, "abroad": status.abroad, "agreements": status.agreements}
        try:
            with transaction.atomic():
                OfficeAlert.objects.create(org_unit=org_unit, reasons=reasons)
        except IntegrityError:
            return status  # a concurrent write raised it a moment ago (one open warning per organization)
        heads = users_with_roles([org_unit.pk], [Role.ORG_HEAD]).get(org_unit.pk, [])
        notify(heads, "cooperation.office_required", {"unit": names(org_unit), **reasons},
               link=_link_path("cooperation:office", org_unit.pk))
        audit_record(actor=None, action="cooperation.office.required", object_type="core.orgunit", object_id=org_unit.pk,
                     org_unit=org_unit, after={**reasons, "notified": len(heads)})
    elif alert is not None and not status.warning:
        alert.resolved_at = timezone.now()
        alert.save(update_fields=["resolved_at"])
    return status


def office_requirement_check_all(*, on: date | None = None) -> int:
    """``office_requirement_check`` for every organization with international work: foreigners, a
    recorded office, an open warning, trips or agreements. The condition also changes with time
    alone (foreigners arrive, an agreement comes into force, people leave), so this runs daily
    (``manage.py cooperation_office_check``). Returns the number of organizations checked."""
    from django.apps import apps
    from django.core.exceptions import FieldDoesNotExist

    ids = set(Foreigner.objects.values_list("org_unit_id", flat=True).distinct())
    ids |= set(Office.objects.values_list("org_unit_id", flat=True))
    ids |= set(OfficeAlert.objects.filter(resolved_at__isnull=True).values_list("org_unit_id", flat=True))
    for name in ("Trip", "Agreement"):  # part B's records, when the app has them
        try:
            model = apps.get_model("cooperation", name)
            model._meta.get_field("org_unit")
        except (LookupError, FieldDoesNotExist):
            continue
        ids |= set(model.objects.values_list("org_unit_id", flat=True).distinct())
    units = OrgUnit.objects.filter(pk__in=ids, level=3).order_by("pk")
    for unit in units:
        office_requirement_check(org_unit=unit, on=on)
    return len(ids)

"""Criteria-based assessment in Kazakhstan's schools: term (quarter, half-year) and year grades.

Source: the Rules for current monitoring of progress and interim and final attestation of pupils,
order of the Minister of Education and Science No. 125 of 18 March 2008 (reg. No. 5191), as amended
(see docs/KAZAKHSTAN.md, "Assessment in schools"). Three groups of work count towards a term grade:

* formative assessment, ФО / ҚБ: marks on a 1–10 scale;
* section summatives, СОр / БЖБ: points out of a maximum, at most 3 in a term;
* the term summative, СОч / ТЖБ: points out of a maximum, at most one in a term.

Everything an amending order can change is DATA in a versioned ``RuleSet`` (a frozen dataclass,
loadable from and serializable to a JSON-compatible dict): the weights of the groups (25/25/50), the
weights when a term has no СОч (50/50, i.e. "(ФО + СОр) × 2"), per-subject overrides (subjects of
one hour a week: half-year grade from ФО and СОр only), the formative scale, the number of СОр in a
term, the grade levels and those without marks (grade 1: feedback only), the percent → mark
thresholds, the rounding of the percentage before the threshold lookup and the rounding of the year
average. Nothing here is a constant of the order; ``DEFAULT_RULE_SETS`` is itself a dict literal
read through ``RuleSet.from_dict``.

What the primary source does not say, and this module therefore keeps as a parameter:

* the rounding of a fractional percentage before the thresholds ("0–39 % → 2, 40–64 % → 3, …"
  leaves 39.5 % or 64.95 % open). The current rule set rounds half up to 1 decimal (what school
  calculators do); ``{"mode": "none"}`` compares the exact percentage instead;
* a group with a weight but no work in the term (no ФО marks, no СОр): by default its weight is
  shared out among the other groups in proportion ("renormalize"); ``"insufficient"`` refuses to
  compute the grade instead. A term WITHOUT a СОч is not this case: it has its own weights.

A term grade (``compute_term``), step by step:

1. validate the input (``GradingError(field, message)``, message in the active language);
2. a grade level without marks (grade 1) → ``"no_marks_grade_1"``;
3. choose the weights: the subject rule's or the rule set's; the "without СОч" ones when there is
   no term summative; a group of weight 0 is not counted at all;
4. a counted СОр or СОч marked as missed → ``"not_assessed"`` (temporarily not assessed / уақытша
   бағаланбайды / временно не аттестован): the pupil writes it later, until then no term grade;
5. each group's percent: Σ points / Σ maximum × 100 (formative: Σ marks / (scale maximum × number
   of marks) × 100);
6. groups with a weight but no work: renormalize or ``"insufficient"``; nothing at all →
   ``"insufficient"``;
7. the weighted total Σ weight × percent / Σ weight, rounded by the rule set, then looked up in the
   thresholds → ``"mark"``.

The arithmetic is exact (``fractions.Fraction``): 85 % is never 84.999…; the ``Decimal`` fields of
the results are exact when the value has a finite decimal expansion and otherwise carry 34
significant digits. Every result has ``explanation``: lines for the pupil's page, in the active
language, numbers with the decimal comma in Kazakh and Russian ("…" marks a cut-off repeating
decimal, e.g. 76.66… %).

Pure Python: no models, no database; only Django's translation functions.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Context, Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, Union

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

__all__ = [
    "DEFAULT_RULE_SETS", "FORMATIVE", "GROUPS", "INSUFFICIENT", "MARK", "NO_MARK", "NO_MARKS_GRADE_1",
    "NOT_ASSESSED", "SECTION_SUMMATIVE", "SCHEMA_VERSION", "TERM_SUMMATIVE", "GradingError",
    "GroupResult", "RuleSet", "Rounding", "Score", "SubjectRule", "TermInput", "TermResult", "Threshold",
    "Weights", "YearResult", "compute_term", "compute_year", "percent_to_mark", "rule_set_for",
]

SCHEMA_VERSION = 1

# Groups of work (keys of the weights in a rule set's dict form).
FORMATIVE = "formative"
SECTION_SUMMATIVE = "section_summative"
TERM_SUMMATIVE = "term_summative"
GROUPS = (FORMATIVE, SECTION_SUMMATIVE, TERM_SUMMATIVE)

# Outcomes of compute_term / compute_year.
MARK = "mark"
NOT_ASSESSED = "not_assessed"
NO_MARKS_GRADE_1 = "no_marks_grade_1"
INSUFFICIENT = "insufficient"
NO_MARK = "no_mark"  # compute_year: no term mark to average

ROUNDING_MODES = ("half_up", "half_even", "half_down", "up", "down", "none")
MISSING_GROUP_POLICIES = ("renormalize", "insufficient")
PERIODS = ("term", "half_year")
MAX_PLACES = 6

_CONTEXT = Context(prec=34)
_HUNDRED = Fraction(100)

Number = Union[int, Decimal]


# --- errors ------------------------------------------------------------------------------------------

class GradingError(ValueError):
    """Invalid input or rule set. ``field`` names the offending value as a path into the input
    ("formative[2]", "section_summatives[0].points", "grade_level", "weights", …); ``message`` is
    in the active language (English source)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


# --- numbers -----------------------------------------------------------------------------------------

def _decimal(value: Any, field: str) -> Decimal:
    """A finite Decimal from an int, a Decimal, a float (through its shortest repr) or a numeric
    string; anything else (booleans included) is a GradingError on ``field``."""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal, float, str)):
        raise GradingError(field, _("Expected a number, got %(value)s.") % {"value": repr(value)})
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite():
        raise GradingError(field, _("Expected a number, got %(value)s.") % {"value": repr(value)})
    return number


def _whole(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise GradingError(field, _("Expected a whole number, got %(value)s.") % {"value": repr(value)})
    return value


def _whole_to_decimal(instance: Any, name: str) -> None:
    """In a frozen dataclass built in code, let a whole number stand for a Decimal."""
    value = getattr(instance, name)
    if isinstance(value, int) and not isinstance(value, bool):
        object.__setattr__(instance, name, Decimal(value))


def _to_decimal(value: Fraction) -> Decimal:
    """Exact when the fraction has a finite decimal expansion (within 34 digits)."""
    return _CONTEXT.divide(Decimal(value.numerator), Decimal(value.denominator))


def _round(value: Fraction, mode: str, places: int) -> Fraction:
    """``value`` rounded to ``places`` decimals; exact, whatever the caller's decimal context."""
    if mode == "none":
        return value
    scale = 10 ** places
    scaled = abs(value) * scale
    if mode == "down":
        whole = math.floor(scaled)
    elif mode == "up":
        whole = math.ceil(scaled)
    elif mode == "half_up":
        whole = math.floor(scaled + Fraction(1, 2))
    elif mode == "half_down":
        whole = math.ceil(scaled - Fraction(1, 2))
    elif mode == "half_even":
        whole = round(scaled)  # Fraction.__round__ rounds half to even
    else:  # pragma: no cover - Rounding validates the mode
        raise ValueError(mode)
    return Fraction(-whole if value < 0 else whole, scale)


def _text(value: Number | Fraction, min_places: int = 0, max_places: int = 4) -> str:
    """A number for a message: at least ``min_places`` and at most ``max_places`` decimals; a value
    with more decimals is cut (never rounded up across a threshold) and ends in "…"; decimal comma
    in Kazakh and Russian."""
    exact = Fraction(value)
    scaled = exact * 10 ** max_places
    whole = math.trunc(scaled)
    text = f"{Decimal(abs(whole)).scaleb(-max_places):f}"
    if "." in text:
        integer, decimals = text.split(".")
        decimals = decimals.rstrip("0").ljust(min_places, "0")
        text = f"{integer}.{decimals}" if decimals else integer
    if whole < 0:
        text = "-" + text
    if scaled != whole:
        text += "…"
    if (get_language() or "kk")[:2] in ("kk", "ru"):
        text = text.replace(".", ",")
    return text


def _percent_text(value: Number | Fraction) -> str:
    return _text(value, 1, 2)


# --- the rule set ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Weights:
    """Weights of the three groups in percent; they add up to 100."""

    formative: Decimal
    section_summative: Decimal
    term_summative: Decimal

    def __post_init__(self):
        for group in GROUPS:
            _whole_to_decimal(self, group)

    def of(self, group: str) -> Decimal:
        return getattr(self, group)

    def to_dict(self) -> dict[str, str]:
        return {group: _decimal_str(self.of(group)) for group in GROUPS}

    @classmethod
    def from_dict(cls, data: Any, field: str) -> Weights:
        data = _mapping(data, field)
        return cls(**{group: _decimal(_required(data, group, field), f"{field}.{group}") for group in GROUPS})

    def validate(self, field: str) -> None:
        for group in GROUPS:
            weight = self.of(group)
            if not isinstance(weight, Decimal) or not weight.is_finite() or not 0 <= weight <= 100:
                shown = _text(weight) if isinstance(weight, Decimal) and weight.is_finite() else repr(weight)
                raise GradingError(f"{field}.{group}", _("A weight must be a number from 0 to 100, got %(value)s.")
                                   % {"value": shown})
        total = sum(self.of(group) for group in GROUPS)
        if total != 100:
            raise GradingError(field, _("The weights must add up to 100, got %(total)s.") % {"total": _text(total)})


@dataclass(frozen=True)
class Rounding:
    """How a number is rounded: ``mode`` one of half_up, half_even, half_down, up, down (to
    ``places`` decimals) or none."""

    mode: str
    places: int = 0

    def apply(self, value: Fraction) -> Fraction:
        return _round(value, self.mode, self.places)

    def to_dict(self) -> dict[str, Any]:
        return {"mode": self.mode} if self.mode == "none" else {"mode": self.mode, "places": self.places}

    @classmethod
    def from_dict(cls, data: Any, field: str) -> Rounding:
        data = _mapping(data, field)
        mode = _required(data, "mode", field)
        return cls(mode=mode, places=_whole(data.get("places", 0), f"{field}.places"))

    def validate(self, field: str) -> None:
        if self.mode not in ROUNDING_MODES:
            raise GradingError(f"{field}.mode", _("Unknown rounding mode “%(mode)s”: use one of %(modes)s.")
                               % {"mode": self.mode, "modes": ", ".join(ROUNDING_MODES)})
        if isinstance(self.places, bool) or not isinstance(self.places, int) or not 0 <= self.places <= MAX_PLACES:
            raise GradingError(f"{field}.places",
                               _("The number of decimal places must be a whole number from 0 to %(max)s, got %(value)s.")
                               % {"max": MAX_PLACES, "value": repr(self.places)})


@dataclass(frozen=True)
class Threshold:
    """The lowest (rounded) percentage that earns ``mark``."""

    min_percent: Decimal
    mark: int

    def __post_init__(self):
        _whole_to_decimal(self, "min_percent")


@dataclass(frozen=True)
class SubjectRule:
    """A per-subject override of the weights, e.g. subjects of one hour a week graded by half-year
    from ФО and СОр only. ``no_term_summative_weights`` (None: the rule set's) apply when the term
    has no СОч; ``period`` ("term" or "half_year") tells the journal how often the subject is graded;
    ``note`` is free text for people (not translated, not shown to pupils)."""

    code: str
    weights: Weights
    no_term_summative_weights: Weights | None = None
    period: str = "term"
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "weights": self.weights.to_dict(),
            "no_term_summative_weights": (self.no_term_summative_weights.to_dict()
                                          if self.no_term_summative_weights else None),
            "period": self.period,
            "note": self.note,
        }

    @classmethod
    def from_dict(cls, code: str, data: Any, field: str) -> SubjectRule:
        data = _mapping(data, field)
        no_term = data.get("no_term_summative_weights")
        return cls(
            code=code,
            weights=Weights.from_dict(_required(data, "weights", field), f"{field}.weights"),
            no_term_summative_weights=(Weights.from_dict(no_term, f"{field}.no_term_summative_weights")
                                       if no_term is not None else None),
            period=data.get("period", "term"),
            note=data.get("note", ""),
        )


@dataclass(frozen=True)
class RuleSet:
    """One version of the assessment rules, valid from ``valid_from`` until the next rule set's date.

    Build it from data with ``RuleSet.from_dict`` (the JSON shape is in ``to_dict``); a directly
    constructed rule set is validated the same way (GradingError on a broken one)."""

    code: str
    valid_from: date
    order: str
    weights: Weights
    no_term_summative_weights: Weights
    formative_min: Decimal
    formative_max: Decimal
    max_section_summatives: int
    min_grade_level: int
    max_grade_level: int
    unmarked_grade_levels: tuple[int, ...]
    thresholds: tuple[Threshold, ...]
    percent_rounding: Rounding
    year_rounding: Rounding
    missing_group: str
    subject_rules: tuple[SubjectRule, ...] = ()
    notes: str = ""

    def __post_init__(self):
        _whole_to_decimal(self, "formative_min")
        _whole_to_decimal(self, "formative_max")
        if not isinstance(self.code, str) or not self.code.strip():
            raise GradingError("code", _("The rule set needs a code."))
        if not isinstance(self.valid_from, date):
            raise GradingError("valid_from", _("Expected a date, got %(value)s.") % {"value": repr(self.valid_from)})
        self.weights.validate("weights")
        self.no_term_summative_weights.validate("no_term_summative_weights")
        if self.no_term_summative_weights.term_summative != 0:
            raise GradingError("no_term_summative_weights.term_summative",
                               _("Without a term summative its weight must be 0."))
        for name in ("formative_min", "formative_max"):
            value = getattr(self, name)
            if not isinstance(value, Decimal) or not value.is_finite():
                raise GradingError(f"formative_scale.{name[10:]}",
                                   _("Expected a number, got %(value)s.") % {"value": repr(value)})
        if not 0 <= self.formative_min < self.formative_max:
            raise GradingError("formative_scale", _("The formative scale must run from a minimum of at least 0 up to a "
                                                    "larger maximum."))
        if _whole(self.max_section_summatives, "max_section_summatives") < 0:
            raise GradingError("max_section_summatives", _("Expected a whole number of at least 0, got %(value)s.")
                               % {"value": self.max_section_summatives})
        low = _whole(self.min_grade_level, "grade_levels.min")
        high = _whole(self.max_grade_level, "grade_levels.max")
        if not 1 <= low <= high:
            raise GradingError("grade_levels", _("The grade levels must run from 1 or more up to at least the same number."))
        for index, level in enumerate(self.unmarked_grade_levels):
            if _whole(level, f"unmarked_grade_levels[{index}]") < low or level > high:
                raise GradingError(f"unmarked_grade_levels[{index}]",
                                   _("Grade level must be between %(min)s and %(max)s, got %(value)s.")
                                   % {"min": low, "max": high, "value": level})
        self._validate_thresholds()
        self.percent_rounding.validate("percent_rounding")
        self.year_rounding.validate("year_rounding")
        if self.year_rounding.mode == "none" or self.year_rounding.places != 0:
            raise GradingError("year_rounding",
                               _("The year mark is a whole mark: use a rounding mode with 0 decimal places."))
        if self.missing_group not in MISSING_GROUP_POLICIES:
            raise GradingError("missing_group", _("Unknown value “%(value)s”: use one of %(values)s.")
                               % {"value": self.missing_group, "values": ", ".join(MISSING_GROUP_POLICIES)})
        seen = set()
        for rule in self.subject_rules:
            field = f"subject_rules.{rule.code}"
            if rule.code in seen or not rule.code:
                raise GradingError("subject_rules",
                                   _("Each subject rule needs its own code: “%(rule)s” is empty or repeated.")
                                   % {"rule": rule.code})
            seen.add(rule.code)
            rule.weights.validate(f"{field}.weights")
            if rule.no_term_summative_weights is not None:
                rule.no_term_summative_weights.validate(f"{field}.no_term_summative_weights")
                if rule.no_term_summative_weights.term_summative != 0:
                    raise GradingError(f"{field}.no_term_summative_weights.term_summative",
                                       _("Without a term summative its weight must be 0."))
            if rule.period not in PERIODS:
                raise GradingError(f"{field}.period", _("Unknown value “%(value)s”: use one of %(values)s.")
                                   % {"value": rule.period, "values": ", ".join(PERIODS)})

    def _validate_thresholds(self) -> None:
        message = _("The thresholds must start at 0 and rise strictly, not above 100, each with a higher whole mark.")
        if not self.thresholds or self.thresholds[0].min_percent != 0:
            raise GradingError("thresholds", message)
        previous = None
        for index, threshold in enumerate(self.thresholds):
            if not isinstance(threshold.min_percent, Decimal) or not threshold.min_percent.is_finite():
                raise GradingError(f"thresholds[{index}].min_percent", message)
            _whole(threshold.mark, f"thresholds[{index}].mark")
            if threshold.min_percent > 100 or (previous and (threshold.min_percent <= previous.min_percent
                                                             or threshold.mark <= previous.mark)):
                raise GradingError(f"thresholds[{index}]", message)
            previous = threshold

    # --- reading -----------------------------------------------------------------------------

    @property
    def marks(self) -> tuple[int, ...]:
        """The marks the thresholds give, lowest first (2, 3, 4, 5)."""
        return tuple(threshold.mark for threshold in self.thresholds)

    def subject_rule(self, code: str) -> SubjectRule | None:
        return next((rule for rule in self.subject_rules if rule.code == code), None)

    # --- the dict form -----------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible dict (decimals as strings, the date in ISO form)."""
        return {
            "schema": SCHEMA_VERSION,
            "code": self.code,
            "valid_from": self.valid_from.isoformat(),
            "order": self.order,
            "notes": self.notes,
            "grade_levels": {"min": self.min_grade_level, "max": self.max_grade_level},
            "unmarked_grade_levels": list(self.unmarked_grade_levels),
            "weights": self.weights.to_dict(),
            "no_term_summative_weights": self.no_term_summative_weights.to_dict(),
            "subject_rules": {rule.code: rule.to_dict() for rule in self.subject_rules},
            "formative_scale": {"min": _decimal_str(self.formative_min), "max": _decimal_str(self.formative_max)},
            "max_section_summatives": self.max_section_summatives,
            "missing_group": self.missing_group,
            "thresholds": [{"min_percent": _decimal_str(t.min_percent), "mark": t.mark} for t in self.thresholds],
            "percent_rounding": self.percent_rounding.to_dict(),
            "year_rounding": self.year_rounding.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RuleSet:
        """The inverse of ``to_dict``; numbers may be given as numbers or strings. Only ``notes``,
        ``subject_rules`` and ``schema`` may be left out."""
        data = _mapping(data, "")
        schema = data.get("schema", SCHEMA_VERSION)
        if schema != SCHEMA_VERSION:
            raise GradingError("schema", _("Unknown value “%(value)s”: use one of %(values)s.")
                               % {"value": schema, "values": str(SCHEMA_VERSION)})
        valid_from = _required(data, "valid_from", "")
        try:
            valid_from = valid_from if isinstance(valid_from, date) else date.fromisoformat(valid_from)
        except (TypeError, ValueError):
            raise GradingError("valid_from", _("Expected a date, got %(value)s.") % {"value": repr(valid_from)}) from None
        levels = _mapping(_required(data, "grade_levels", ""), "grade_levels")
        scale = _mapping(_required(data, "formative_scale", ""), "formative_scale")
        thresholds = _required(data, "thresholds", "")
        if not isinstance(thresholds, Sequence) or isinstance(thresholds, str):
            raise GradingError("thresholds", _("Missing or invalid value."))
        unmarked = _required(data, "unmarked_grade_levels", "")
        if not isinstance(unmarked, Sequence) or isinstance(unmarked, str):
            raise GradingError("unmarked_grade_levels", _("Missing or invalid value."))
        subject_rules = _mapping(data.get("subject_rules") or {}, "subject_rules")
        return cls(
            code=_required(data, "code", ""),
            valid_from=valid_from,
            order=_required(data, "order", ""),
            notes=data.get("notes", ""),
            weights=Weights.from_dict(_required(data, "weights", ""), "weights"),
            no_term_summative_weights=Weights.from_dict(_required(data, "no_term_summative_weights", ""),
                                                        "no_term_summative_weights"),
            formative_min=_decimal(_required(scale, "min", "formative_scale"), "formative_scale.min"),
            formative_max=_decimal(_required(scale, "max", "formative_scale"), "formative_scale.max"),
            max_section_summatives=_required(data, "max_section_summatives", ""),
            min_grade_level=_required(levels, "min", "grade_levels"),
            max_grade_level=_required(levels, "max", "grade_levels"),
            unmarked_grade_levels=tuple(unmarked),
            thresholds=tuple(
                Threshold(
                    min_percent=_decimal(_required(_mapping(item, f"thresholds[{i}]"), "min_percent", f"thresholds[{i}]"),
                                         f"thresholds[{i}].min_percent"),
                    mark=_required(item, "mark", f"thresholds[{i}]"),
                )
                for i, item in enumerate(thresholds)
            ),
            percent_rounding=Rounding.from_dict(_required(data, "percent_rounding", ""), "percent_rounding"),
            year_rounding=Rounding.from_dict(_required(data, "year_rounding", ""), "year_rounding"),
            missing_group=_required(data, "missing_group", ""),
            subject_rules=tuple(SubjectRule.from_dict(code, rule, f"subject_rules.{code}")
                                for code, rule in subject_rules.items()),
        )


def _decimal_str(value: Decimal) -> str:
    return f"{value:f}"


def _mapping(data: Any, field: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise GradingError(field or "rule_set", _("Missing or invalid value."))
    return data


def _required(data: Mapping[str, Any], key: str, parent: str) -> Any:
    if key not in data or data[key] is None:
        raise GradingError(f"{parent}.{key}" if parent else key, _("Missing or invalid value."))
    return data[key]


# --- the rule sets in force --------------------------------------------------------------------------

_MOE_125_2008_2023 = {
    "schema": SCHEMA_VERSION,
    "code": "MOE-125-2008/2023",
    "valid_from": "2023-09-01",
    "order": ("Order of the Minister of Education and Science of the Republic of Kazakhstan No. 125 of "
              "18 March 2008 (reg. No. 5191), Rules for current monitoring of progress, interim and final "
              "attestation of pupils, as amended"),
    "notes": ("Weights and the rule without a СОч as cited by school sites and public calculators; the "
              "rounding of the percentage before the thresholds is not stated in the primary source: half up "
              "to 1 decimal is an assumption. A group with a weight but no work in the term: its weight is "
              "shared out among the others (not stated either)."),
    "grade_levels": {"min": 1, "max": 11},
    "unmarked_grade_levels": [1],
    "weights": {"formative": "25", "section_summative": "25", "term_summative": "50"},
    "no_term_summative_weights": {"formative": "50", "section_summative": "50", "term_summative": "0"},
    "subject_rules": {
        "one_hour_half_year": {
            "weights": {"formative": "50", "section_summative": "50", "term_summative": "0"},
            "no_term_summative_weights": None,
            "period": "half_year",
            "note": "Subjects of 1 hour a week: half-year grades from ФО and СОр only.",
        },
    },
    "formative_scale": {"min": "1", "max": "10"},
    "max_section_summatives": 3,
    "missing_group": "renormalize",
    "thresholds": [
        {"min_percent": "0", "mark": 2},
        {"min_percent": "40", "mark": 3},
        {"min_percent": "65", "mark": 4},
        {"min_percent": "85", "mark": 5},
    ],
    "percent_rounding": {"mode": "half_up", "places": 1},
    "year_rounding": {"mode": "half_up", "places": 0},
}

DEFAULT_RULE_SETS: tuple[RuleSet, ...] = (RuleSet.from_dict(_MOE_125_2008_2023),)


def rule_set_for(on: date, rule_sets: Iterable[RuleSet] = DEFAULT_RULE_SETS) -> RuleSet:
    """The rule set in force on ``on``: the one with the latest ``valid_from`` not after it."""
    candidates = sorted(rule_sets, key=lambda rule_set: rule_set.valid_from)
    dates = [rule_set.valid_from for rule_set in candidates]
    if len(set(dates)) != len(dates):
        raise GradingError("rule_sets", _("Two rule sets are valid from the same date."))
    chosen = None
    for rule_set in candidates:
        if rule_set.valid_from <= on:
            chosen = rule_set
    if chosen is None:
        raise GradingError("date", _("No rule set is in force on %(date)s.") % {"date": on.isoformat()})
    return chosen


# --- input -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Score:
    """A summative work: ``points`` out of ``max_points``. ``missed=True``: the pupil was absent
    (points are then ignored and may be None) and writes the work later."""

    points: Number | None
    max_points: Number
    missed: bool = False


@dataclass(frozen=True)
class TermInput:
    grade_level: int
    formative: Sequence[Number] = field(default_factory=list)
    section_summatives: Sequence[Score] = field(default_factory=list)
    term_summative: Score | None = None
    subject_rule: str | None = None


# --- results -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class GroupResult:
    """One group of the term. ``points`` and ``max_points`` add up the works written (for ФО: the
    marks and scale maximum × their number); ``percent`` is None while a work of the group is
    missed; ``weight`` is the weight used in percent (0: not counted), None when no mark was
    computed."""

    group: str
    count: int
    missed: int
    points: Decimal
    max_points: Decimal
    percent: Decimal | None
    weight: Decimal | None


@dataclass(frozen=True)
class TermResult:
    kind: str                      # MARK, NOT_ASSESSED, NO_MARKS_GRADE_1 or INSUFFICIENT
    rule_set: str                  # the rule set's code
    formative: GroupResult | None
    section_summative: GroupResult | None
    term_summative: GroupResult | None
    weights: Weights | None        # the weights actually used (after renormalizing), when a mark was computed
    weighted_percent: Decimal | None
    rounded_percent: Decimal | None
    mark: int | None
    explanation: list[str]
    missed: tuple[str, ...] = ()   # the fields of the missed works that block the grade

    @property
    def groups(self) -> dict[str, GroupResult | None]:
        return {FORMATIVE: self.formative, SECTION_SUMMATIVE: self.section_summative, TERM_SUMMATIVE: self.term_summative}

    @property
    def percents(self) -> dict[str, Decimal | None]:
        return {group: (result.percent if result else None) for group, result in self.groups.items()}


@dataclass(frozen=True)
class YearResult:
    kind: str                      # MARK or NO_MARK
    rule_set: str
    average: Decimal | None
    mark: int | None
    terms_used: tuple[int, ...]    # term numbers, from 1
    terms_not_assessed: tuple[int, ...]
    explanation: list[str]


# --- the term grade ----------------------------------------------------------------------------------

def _group_label(group: str) -> str:
    return {FORMATIVE: _("Formative"), SECTION_SUMMATIVE: _("Section summatives"),
            TERM_SUMMATIVE: _("Term summative")}[group]


def _mode_label(mode: str) -> str:
    return {"half_up": _("half up"), "half_even": _("half to even"), "half_down": _("half down"),
            "up": _("up"), "down": _("down")}[mode]


def _validate_term(rule_set: RuleSet, term: TermInput) -> tuple[SubjectRule | None, list[Fraction], list[tuple]]:
    level = term.grade_level
    if (isinstance(level, bool) or not isinstance(level, int)
            or not rule_set.min_grade_level <= level <= rule_set.max_grade_level):
        raise GradingError("grade_level", _("Grade level must be between %(min)s and %(max)s, got %(value)s.")
                           % {"min": rule_set.min_grade_level, "max": rule_set.max_grade_level, "value": level})
    subject_rule = None
    if term.subject_rule is not None:
        subject_rule = rule_set.subject_rule(term.subject_rule)
        if subject_rule is None:
            raise GradingError("subject_rule", _("Unknown subject rule “%(rule)s” in rule set %(rule_set)s.")
                               % {"rule": term.subject_rule, "rule_set": rule_set.code})
    marks = []
    for index, value in enumerate(term.formative):
        mark = _decimal(value, f"formative[{index}]")
        if not rule_set.formative_min <= mark <= rule_set.formative_max:
            raise GradingError(f"formative[{index}]",
                               _("A formative mark must be between %(min)s and %(max)s, got %(value)s.")
                               % {"min": _text(rule_set.formative_min), "max": _text(rule_set.formative_max),
                                  "value": _text(mark)})
        marks.append(Fraction(mark))
    if len(term.section_summatives) > rule_set.max_section_summatives:
        raise GradingError("section_summatives",
                           _("At most %(max)s section summatives are allowed in a term, got %(count)s.")
                           % {"max": rule_set.max_section_summatives, "count": len(term.section_summatives)})
    works = [(f"section_summatives[{i}]", SECTION_SUMMATIVE, score) for i, score in enumerate(term.section_summatives)]
    if term.term_summative is not None:
        works.append(("term_summative", TERM_SUMMATIVE, term.term_summative))
    checked = []
    for name, group, score in works:
        if not isinstance(score, Score):
            raise GradingError(name, _("Missing or invalid value."))
        maximum = _decimal(score.max_points, f"{name}.max_points")
        if maximum <= 0:
            raise GradingError(f"{name}.max_points", _("The maximum must be greater than 0, got %(value)s.")
                               % {"value": _text(maximum)})
        points = None
        if not score.missed:
            if score.points is None:
                raise GradingError(f"{name}.points", _("Points are required unless the work was missed."))
            points = _decimal(score.points, f"{name}.points")
            if points < 0:
                raise GradingError(f"{name}.points",
                                   _("Points cannot be negative, got %(value)s.") % {"value": _text(points)})
            if points > maximum:
                raise GradingError(f"{name}.points", _("Points cannot exceed the maximum of %(max)s, got %(value)s.")
                                   % {"max": _text(maximum), "value": _text(points)})
        checked.append((name, group, None if points is None else Fraction(points), Fraction(maximum)))
    return subject_rule, marks, checked


def compute_term(rule_set: RuleSet, term: TermInput, *, explain: bool = True) -> TermResult:
    """The term (or half-year) grade of one pupil in one subject; see the module's docstring.
    ``explain=False`` leaves ``explanation`` empty: the roll-ups compute millions of grades and
    never show them (the same arithmetic, about five times faster)."""
    subject_rule, marks, works = _validate_term(rule_set, term)
    explanation: list[str] = []

    def say(text) -> None:  # ``text`` is a callable: the message is only built when it is shown
        if explain:
            explanation.append(text())

    def result(kind, groups=None, weights=None, weighted=None, rounded=None, mark=None, missed=()):
        groups = groups or {}
        return TermResult(
            kind=kind, rule_set=rule_set.code, formative=groups.get(FORMATIVE),
            section_summative=groups.get(SECTION_SUMMATIVE), term_summative=groups.get(TERM_SUMMATIVE),
            weights=weights, weighted_percent=None if weighted is None else _to_decimal(weighted),
            rounded_percent=None if rounded is None else _to_decimal(rounded), mark=mark,
            explanation=explanation, missed=tuple(missed))

    if term.grade_level in rule_set.unmarked_grade_levels:
        say(lambda: _("Grade %(grade)s: no marks are given, only feedback.") % {"grade": term.grade_level})
        return result(NO_MARKS_GRADE_1)

    # 3. the weights
    has_term_summative = term.term_summative is not None
    if subject_rule is not None:
        say(lambda: _("Subject rule “%(rule)s” applies.") % {"rule": subject_rule.code})
        base = subject_rule.weights if has_term_summative else (
            subject_rule.no_term_summative_weights or rule_set.no_term_summative_weights)
    else:
        base = rule_set.weights if has_term_summative else rule_set.no_term_summative_weights

    def no_term_note() -> str:
        return _("No term summative this term: formative marks count %(formative)s %% and section "
                 "summatives %(section)s %%.") % {"formative": _text(base.formative, 0, 2), "section": _text(base.section_summative, 0, 2)}

    # 5. each group's points (the percent of a group with a missed work stays open)
    totals: dict[str, list] = {}  # group -> [count, missed, points, maximum]
    if marks:
        totals[FORMATIVE] = [len(marks), 0, sum(marks, Fraction(0)), Fraction(rule_set.formative_max) * len(marks)]
    missed = []
    for name, group, points, maximum in works:
        entry = totals.setdefault(group, [0, 0, Fraction(0), Fraction(0)])
        entry[0] += 1
        if points is None:
            entry[1] += 1
            if base.of(group) > 0:
                missed.append(name)
        else:
            entry[2] += points
            entry[3] += maximum
    percents = {group: (entry[2] * _HUNDRED / entry[3] if entry[1] == 0 and entry[3] else None)
                for group, entry in totals.items()}

    def groups(weights: Mapping[str, Fraction] | None) -> dict[str, GroupResult]:
        return {group: GroupResult(
            group=group, count=entry[0], missed=entry[1], points=_to_decimal(entry[2]), max_points=_to_decimal(entry[3]),
            percent=None if percents[group] is None else _to_decimal(percents[group]),
            weight=None if weights is None else _to_decimal(weights.get(group, Fraction(0))),
        ) for group, entry in totals.items()}

    # 4. a missed summative that counts
    if missed:
        for name in missed:
            if name == "term_summative":
                say(lambda: _("The term summative was missed."))
            else:
                say(lambda: _("Section summative %(number)s was missed.")
                    % {"number": int(name[len("section_summatives["):-1]) + 1})
        say(lambda: _("Temporarily not assessed: the pupil writes the missed work later; until then the term "
                      "grade is not computed."))
        return result(NOT_ASSESSED, groups(None), missed=missed)

    # 6. groups with a weight but no work
    counted = {group: Fraction(base.of(group)) for group in GROUPS
               if base.of(group) > 0 and percents.get(group) is not None}
    if not counted:
        for group in totals:
            if base.of(group) == 0:
                say(lambda: _("%(group)s: not counted under this rule.") % {"group": _group_label(group)})
        say(lambda: _("No marks or scores count towards the term grade this term: there is nothing to "
                      "compute it from."))
        return result(INSUFFICIENT, groups(None))
    if not has_term_summative:
        say(no_term_note)
    empty = [group for group in GROUPS if base.of(group) > 0 and group not in counted]
    for group in empty:
        if rule_set.missing_group == "insufficient":
            say(lambda: {
                FORMATIVE: _("No formative marks this term: the term grade cannot be computed without them."),
                SECTION_SUMMATIVE: _("No section summatives this term: the term grade cannot be computed without them."),
            }[group])
        else:
            say(lambda: {
                FORMATIVE: _("No formative marks this term: the weights of the other groups are scaled up in proportion."),
                SECTION_SUMMATIVE: _("No section summatives this term: the weights of the other groups are scaled up in "
                                     "proportion."),
            }[group])
    if empty and rule_set.missing_group == "insufficient":
        return result(INSUFFICIENT, groups(None))

    # 7. weighted total, rounding, threshold
    total_weight = sum(counted.values(), Fraction(0))
    used = {group: weight * _HUNDRED / total_weight for group, weight in counted.items()}
    weighted = sum((weight * percents[group] for group, weight in counted.items()), Fraction(0)) / total_weight
    for group, entry in totals.items():
        if group in used:
            say(lambda: _("%(group)s: %(points)s of %(max)s points = %(percent)s %%, weight %(weight)s %%")
                % {"group": _group_label(group), "points": _text(entry[2]), "max": _text(entry[3]),
                   "percent": _percent_text(percents[group]), "weight": _text(used[group], 0, 2)})
        else:
            say(lambda: _("%(group)s: not counted under this rule.") % {"group": _group_label(group)})

    def formula() -> str:
        return " + ".join(f"{_text(used[group], 0, 2)} % × {_percent_text(percents[group])} %" for group in GROUPS if group in used)

    say(lambda: _("Weighted total: %(formula)s = %(percent)s %%") % {"formula": formula(), "percent": _percent_text(weighted)})
    rounded, mark = _lookup(rule_set, weighted, explanation if explain else None)
    weights = Weights(**{group: _to_decimal(used.get(group, Fraction(0))) for group in GROUPS})
    return result(MARK, groups(used), weights, weighted, rounded, mark)


def _lookup(rule_set: RuleSet, percent: Fraction, explanation: list[str] | None = None) -> tuple[Fraction, int]:
    rounding = rule_set.percent_rounding
    rounded = rounding.apply(percent)
    if explanation is not None:
        if rounding.mode == "none":
            explanation.append(_("The percentage is compared with the thresholds without rounding."))
        elif rounding.places == 0:
            explanation.append(_("Rounded %(mode)s to a whole percent: %(percent)s %%")
                               % {"mode": _mode_label(rounding.mode), "percent": _text(rounded)})
        else:
            explanation.append(ngettext("Rounded %(mode)s to %(places)s decimal place: %(percent)s %%",
                                        "Rounded %(mode)s to %(places)s decimal places: %(percent)s %%", rounding.places)
                               % {"mode": _mode_label(rounding.mode), "places": rounding.places,
                                  "percent": _text(rounded, rounding.places, rounding.places)})
    index = max(i for i, threshold in enumerate(rule_set.thresholds) if Fraction(threshold.min_percent) <= rounded)
    threshold = rule_set.thresholds[index]
    if explanation is not None:
        shown = _percent_text(rounded) if rounding.mode == "none" else _text(rounded, rounding.places, rounding.places)
        values = {"mark": threshold.mark, "percent": shown, "low": _text(threshold.min_percent, 0, 2)}
        if index + 1 < len(rule_set.thresholds):
            values["high"] = _text(rule_set.thresholds[index + 1].min_percent, 0, 2)
            explanation.append(_("Mark %(mark)s: %(percent)s %% is at least %(low)s %% and below %(high)s %%.") % values)
        else:
            explanation.append(_("Mark %(mark)s: %(percent)s %% is at least %(low)s %%.") % values)
    return rounded, threshold.mark


def percent_to_mark(rule_set: RuleSet, percent: Number) -> tuple[Decimal, int]:
    """The rounded percentage and the mark for a percentage from 0 to 100, by the rule set's rounding
    and thresholds."""
    value = _decimal(percent, "percent")
    if not 0 <= value <= 100:
        raise GradingError("percent", _("A percentage must be between 0 and 100, got %(value)s.") % {"value": _text(value)})
    rounded, mark = _lookup(rule_set, Fraction(value))
    return _to_decimal(rounded), mark


# --- the year grade ----------------------------------------------------------------------------------

def compute_year(rule_set: RuleSet, term_marks: Sequence[int | None]) -> YearResult:
    """The year mark: the average of the term (or half-year) marks there are, rounded to a whole mark
    by the rule set. ``None`` is a term without a mark (temporarily not assessed): it is left out,
    and the explanation says so. No term mark at all: no year mark."""
    marks = rule_set.marks
    for index, value in enumerate(term_marks):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value not in marks):
            raise GradingError(f"term_marks[{index}]", _("A term mark must be one of %(marks)s, got %(value)s.")
                               % {"marks": ", ".join(str(mark) for mark in marks), "value": repr(value)})
    used = tuple(number for number, value in enumerate(term_marks, start=1) if value is not None)
    not_assessed = tuple(number for number, value in enumerate(term_marks, start=1) if value is None)
    explanation: list[str] = []
    if not used:
        explanation.append(_("No term marks: the year mark is not computed."))
        return YearResult(NO_MARK, rule_set.code, None, None, used, not_assessed, explanation)
    values = [term_marks[number - 1] for number in used]
    explanation.append(_("Term marks: %(marks)s.") % {"marks": ", ".join("—" if value is None else str(value)
                                                                          for value in term_marks)})
    if not_assessed:
        explanation.append(ngettext(
            "Term %(terms)s has no mark (not assessed): the year mark is the average of the other terms.",
            "Terms %(terms)s have no mark (not assessed): the year mark is the average of the other terms.",
            len(not_assessed)) % {"terms": ", ".join(str(number) for number in not_assessed)})
    average = Fraction(sum(values), len(values))
    explanation.append(_("Average: (%(sum)s) / %(count)s = %(average)s")
                       % {"sum": " + ".join(str(value) for value in values), "count": len(values),
                          "average": _text(average, 0, 2)})
    rounded = rule_set.year_rounding.apply(average)
    mark = int(rounded)
    explanation.append(_("Rounded %(mode)s to a whole mark: %(mark)s.")
                       % {"mode": _mode_label(rule_set.year_rounding.mode), "mark": mark})
    return YearResult(MARK, rule_set.code, _to_decimal(average), mark, used, not_assessed, explanation)

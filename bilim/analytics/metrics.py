"""The indicators of the journal's dashboards (J3), derived from additive totals.

``Metrics`` holds the additive measures of a roll-up (``models.MEASURES``) for one unit, class or
pupil over one term or several, and derives the rates from them. The definitions, stated on every
dashboard (``DEFINITIONS``):

- average mark = grade_sum / grades, over term marks 2–5;
- knowledge quality = pupils_quality / pupils × 100: the share of pupils whose term marks are all 4
  and 5; for one subject, (n4 + n5) / grades × 100;
- success rate = pupils_success / pupils × 100: the share of pupils without a 2; for one subject,
  (1 − n2 / grades) × 100;
- attendance = (pupil_lessons − absent − sick − excused) / pupil_lessons × 100 (late counts as
  present); missed lessons by reason: absent, sick, excused, and late separately.

A school year sums the rows of its terms. Its pupil-based rates are therefore pooled over the terms
(the sum of pupils_quality over the terms / the sum of pupils over the terms), which is the average
of the terms' rates weighted by the number of pupils assessed in each; its pupil count is the
largest of any term. Rates are exact ``Decimal`` fractions; rounding happens where they are shown."""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Iterable, Mapping

from django.utils.translation import gettext_lazy as _

from .models import MEASURES

HUNDRED = Decimal(100)

# The measures a chart can be drawn by: key → label.
MEASURE_LABELS = {
    "quality": _("Knowledge quality, %"),
    "success": _("Success rate, %"),
    "attendance": _("Attendance, %"),
    "average": _("Average mark"),
}

DEFINITIONS = [
    (_("Average mark"), _("The sum of the term marks (2 to 5) divided by their number.")),
    (_("Knowledge quality"), _("The share of pupils whose term marks are all 4 and 5. For one subject: the share of its term marks that are 4 or 5.")),
    (_("Success rate"), _("The share of pupils without a 2 among their term marks. For one subject: the share of its term marks that are not 2.")),
    (_("Attendance"), _("Pupil-lessons attended out of pupil-lessons held (the pupils on the roll at each lesson); a pupil who came late counts as present.")),
    (_("Missed lessons"), _("Pupil-lessons missed without a reason, through illness and with a reason (excused); late arrivals are counted separately.")),
    (_("School year"), _("The totals of its terms added up: the rates of pupils are pooled over the terms (the average of the terms' rates weighted by the pupils assessed in each); the number of pupils is that of the term with the most.")),
]


def quantize(value: Decimal | None, places: int) -> Decimal | None:
    if value is None:
        return None
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _ratio(numerator: int, denominator: int) -> Decimal | None:
    return Decimal(numerator) / Decimal(denominator) if denominator else None


@dataclass(frozen=True)
class Metrics:
    grades: int = 0
    grade_sum: int = 0
    n2: int = 0
    n3: int = 0
    n4: int = 0
    n5: int = 0
    not_assessed: int = 0
    pupils: int = 0
    pupils_quality: int = 0
    pupils_success: int = 0
    lessons: int = 0
    pupil_lessons: int = 0
    absent: int = 0
    sick: int = 0
    excused: int = 0
    late: int = 0
    # one subject: quality and success by term marks, not by pupils
    subject: bool = False
    # pupils shown: the term's pupils, or the most of any term of a school year (None: ``pupils``)
    headcount: int | None = None

    @classmethod
    def of(cls, row: Any, *, subject: bool = False) -> "Metrics":
        """From a ``Rollup`` or a mapping with the measures (missing or None ones are 0)."""
        get = row.get if isinstance(row, Mapping) else (lambda name, default=0: getattr(row, name, default))
        return cls(**{name: int(get(name, 0) or 0) for name in MEASURES}, subject=subject)

    @classmethod
    def combine(cls, parts: Iterable["Metrics"], *, subject: bool = False) -> "Metrics":
        """Several terms (or several units) added up; the pupils shown are the most of any part."""
        parts = list(parts)
        if not parts:
            return cls(subject=subject)
        totals = {name: sum(getattr(p, name) for p in parts) for name in MEASURES}
        return cls(**totals, subject=subject, headcount=max(p.pupils_shown for p in parts))

    # --- what is shown ------------------------------------------------------------------------------

    @property
    def pupils_shown(self) -> int:
        return self.pupils if self.headcount is None else self.headcount

    @property
    def has_marks(self) -> bool:
        return self.grades > 0

    @property
    def has_lessons(self) -> bool:
        return self.pupil_lessons > 0

    @property
    def empty(self) -> bool:
        return not (self.has_marks or self.has_lessons or self.not_assessed)

    @property
    def average(self) -> Decimal | None:
        return _ratio(self.grade_sum, self.grades)

    @property
    def quality(self) -> Decimal | None:
        if self.subject:
            ratio = _ratio(self.n4 + self.n5, self.grades)
        else:
            ratio = _ratio(self.pupils_quality, self.pupils)
        return None if ratio is None else ratio * HUNDRED

    @property
    def success(self) -> Decimal | None:
        if self.subject:
            ratio = _ratio(self.grades - self.n2, self.grades)
        else:
            ratio = _ratio(self.pupils_success, self.pupils)
        return None if ratio is None else ratio * HUNDRED

    @property
    def attendance(self) -> Decimal | None:
        ratio = _ratio(self.pupil_lessons - self.missed, self.pupil_lessons)
        return None if ratio is None else ratio * HUNDRED

    @property
    def missed(self) -> int:
        return self.absent + self.sick + self.excused

    @property
    def missed_percent(self) -> Decimal | None:
        ratio = _ratio(self.missed, self.pupil_lessons)
        return None if ratio is None else ratio * HUNDRED

    def value(self, measure: str) -> Decimal | None:
        if measure not in MEASURE_LABELS:
            raise KeyError(measure)
        return getattr(self, measure)

    def rounded(self, measure: str) -> Decimal | None:
        """As shown: an average to two decimals, a percentage to one."""
        return quantize(self.value(measure), 2 if measure == "average" else 1)

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name in MEASURES}

"""The method of the open regional rating (J4), version ``METHOD``.

For each region (level-1 unit) its roll-up of the period over all subjects gives three indicators,
each a percentage rounded to two decimals (half up): knowledge quality, success rate and attendance
(``metrics``). The score is

    score = 0.4 × quality + 0.3 × success + 0.3 × attendance

computed from the rounded indicators as published (anyone can check it from the table) and rounded
to two decimals. Regions are ranked by score, highest first; equal scores are ordered by the
region's KATO code and still get consecutive ranks. A region is ranked only when, in the period,
it has pupils with term marks and lessons held; the others are listed after the ranked ones without
a rank (stored with no rank and no score).

A published rating is a frozen snapshot (``RatingPublication`` + ``RatingRow``) carrying this
version; a later change of the method gets a new version and leaves the old snapshots as they were."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from bilim.core.models import Level, OrgUnit
from bilim.journal.models import StudyPeriod

from .metrics import Metrics, quantize
from .models import Rollup

METHOD = "2026.1"
WEIGHTS = (("quality", Decimal("0.4")), ("success", Decimal("0.3")), ("attendance", Decimal("0.3")))
METHOD_TEXT = {
    "2026.1": [
        _("Each region is scored from the term marks and the attendance of all its schools in the period, all subjects together."),
        _("Score = 0.4 × knowledge quality + 0.3 × success rate + 0.3 × attendance, each indicator in per cent rounded to two decimals; the score is rounded to two decimals as well."),
        _("Knowledge quality: the share of pupils whose term marks are all 4 and 5. Success rate: the share of pupils without a 2. Attendance: pupil-lessons attended out of those held; late arrivals count as present."),
        _("Regions are ranked by score, highest first; regions with the same score are ordered by their KATO code."),
        _("A region without term marks or lessons in the period is listed after the ranked regions, without a rank."),
        _("A published rating is never recalculated: it is a snapshot of the data on the day of publication."),
    ],
}


@dataclass
class RatingLine:
    region: OrgUnit
    rank: int | None
    score: Decimal | None
    quality: Decimal | None
    success: Decimal | None
    attendance: Decimal | None
    average: Decimal | None
    pupils: int


def method_text(method: str) -> list[str]:
    return [str(line) for line in METHOD_TEXT.get(method, [])]


def score_of(quality: Decimal, success: Decimal, attendance: Decimal) -> Decimal:
    values = {"quality": quality, "success": success, "attendance": attendance}
    return quantize(sum(weight * values[name] for name, weight in WEIGHTS), 2)


def compute(period: StudyPeriod) -> list[RatingLine]:
    """Every region's line for ``period`` from the live roll-ups: ranked ones first, then the rest."""
    regions = list(OrgUnit.objects.filter(level=Level.REGION).order_by("kato", "pk"))
    found = {row.unit_id: Metrics.of(row) for row in Rollup.objects.filter(unit__in=regions, period=period, subject_id=0)}
    ranked: list[RatingLine] = []
    unranked: list[RatingLine] = []
    for region in regions:
        metrics = found.get(region.pk)
        if metrics is None:
            if region.is_active:
                unranked.append(RatingLine(region, None, None, None, None, None, None, 0))
            continue
        quality, success, attendance = (quantize(metrics.quality, 2), quantize(metrics.success, 2), quantize(metrics.attendance, 2))
        average = quantize(metrics.average, 2)
        if metrics.pupils > 0 and metrics.has_lessons and None not in (quality, success, attendance):
            ranked.append(RatingLine(region, None, score_of(quality, success, attendance), quality, success, attendance, average,
                                     metrics.pupils))
        else:
            unranked.append(RatingLine(region, None, None, quality, success, attendance, average, metrics.pupils))
    ranked.sort(key=lambda line: (-line.score, line.region.kato, line.region.pk))
    for rank, line in enumerate(ranked, start=1):
        line.rank = rank
    return ranked + unranked

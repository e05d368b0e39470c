"""Writes of the analytics context: publishing the open regional rating (J4).

(The roll-ups themselves are moved only by ``engine``.)"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from bilim.core.audit import audit_record
from bilim.core.errors import DomainError
from bilim.core.models import Level, OrgUnit
from bilim.journal.models import StudyPeriod

from . import rating, selectors
from .models import RatingPublication, RatingRow


def _plain(value) -> str | None:
    return None if value is None else str(value)


@transaction.atomic
def rating_publish(*, period: StudyPeriod, by, request=None) -> RatingPublication:
    """Compute the rating of ``period`` by the current method from the regions' roll-ups and publish
    it as a frozen snapshot. Only a ministry officer or a system administrator may (else 404). A
    period in which no region can be ranked is refused."""
    if not selectors.can_publish_rating(by):
        raise DomainError("not_found", _("Not found."), status=404)
    if not isinstance(period, StudyPeriod) or period.pk is None:
        raise DomainError("invalid_rating", _("Choose a period."), fields={"period": _("Choose a period.")})
    lines = rating.compute(period)
    if not any(line.rank for line in lines):
        message = _("No region has term marks and lessons in this period yet: there is nothing to rank.")
        raise DomainError("rating_no_data", message, fields={"period": message})
    publication = RatingPublication.objects.create(period=period, method=rating.METHOD, published_by=by)
    RatingRow.objects.bulk_create([
        RatingRow(publication=publication, region=line.region, rank=line.rank, score=line.score,
                  quality=line.quality, success=line.success, attendance=line.attendance, average=line.average,
                  pupils=line.pupils)
        for line in lines
    ])
    audit_record(
        actor=by, action="analytics.rating_publish", obj=publication, request=request,
        org_unit=OrgUnit.objects.filter(level=Level.REPUBLIC).first(),
        after={"period": period.pk, "period_label": f"{period.year.code} {period.kind} {period.number}", "method": rating.METHOD,
               "rows": [{"region": line.region.kato or line.region.pk, "rank": line.rank, "score": _plain(line.score),
                         "quality": _plain(line.quality), "success": _plain(line.success),
                         "attendance": _plain(line.attendance)} for line in lines]},
    )
    return publication

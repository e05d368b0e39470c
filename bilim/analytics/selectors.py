"""Every read of the journal's analytics (J3) and of the open rating (J4).

Dashboards read ``Rollup`` rows (a handful per page, whatever the number of marks) for the republic,
regions, districts and schools; below a school the rows of its classes and pupils are computed live
from ``TermGrade`` and ``LessonStat`` of one class (a few hundred rows). Every dashboard read takes
the acting user and checks the unit against their scope for ``DASHBOARD_ROLES`` (``core.scope``):
anything outside is 404, the same answer as "does not exist".

The rating's reads are public: they return published snapshots only (``RatingPublication`` /
``RatingRow``), never live roll-ups, except ``rating_preview`` for those who may publish."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Iterable

from django.db.models import Count, Min, Q, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from bilim.core.models import Level, OrgKind, OrgUnit, Role, User
from bilim.core.paths import SEGMENT_WIDTH, is_ascii_digits
from bilim.core.scope import Scope
from bilim.journal.models import ClassSubject, Enrolment, Pupil, SchoolClass, SchoolYear, StudyPeriod, Subject

from . import rating
from .metrics import Metrics
from .models import LessonStat, RatingPublication, RatingRow, Rollup, TermGrade, TermStatus

# Who sees dashboards: officers of the tree and heads of organizations (their own subtree).
DASHBOARD_ROLES = (Role.MINISTRY_OFFICER, Role.REGION_OFFICER, Role.DISTRICT_OFFICER, Role.ORG_HEAD)
# Who may publish the open rating (and preview it from live data).
RATING_ROLES = (Role.MINISTRY_OFFICER, Role.SYSADMIN)
YEAR_CODE = re.compile(r"^\d{4}-\d{4}$")


class BadParameter(ValueError):
    """A malformed query parameter: the page answers 400 naming it."""

    def __init__(self, name: str, message: str):
        super().__init__(f"{name}: {message}")
        self.name, self.message = name, message


def _not_found() -> Http404:
    return Http404(_("Not found."))


# --- scope ------------------------------------------------------------------------------------------

def dashboard_scope(user: User) -> Scope:
    return Scope.of(user, DASHBOARD_ROLES)


def can_see_dashboards(user: User) -> bool:
    return bool(dashboard_scope(user))


def _check(user: User, unit: OrgUnit) -> None:
    if not dashboard_scope(user).contains_path(unit.path):
        raise _not_found()


def unit_get(user: User, unit_id: int | None = None) -> OrgUnit:
    """The unit asked for, if it is in the user's dashboard scope; without an id, the user's highest
    unit. 404 otherwise (also for users without a dashboard role)."""
    scope = dashboard_scope(user)
    if unit_id is None:
        unit = OrgUnit.objects.filter(path__in=scope.roots).order_by("path").first()
    else:
        unit = OrgUnit.objects.filter(scope.q(), pk=unit_id).select_related("parent").first()
    if unit is None:
        raise _not_found()
    return unit


def class_get(user: User, class_id: int) -> SchoolClass:
    klass = SchoolClass.objects.filter(pk=class_id).select_related("school", "year").first()
    if klass is None or not dashboard_scope(user).contains_path(klass.school.path):
        raise _not_found()
    return klass


def breadcrumbs(user: User, unit: OrgUnit) -> list[OrgUnit]:
    """The unit's ancestors inside the user's dashboard scope, root first (the unit itself not)."""
    scope = dashboard_scope(user)
    visible = [p for p in unit.ancestor_paths if scope.contains_path(p)]
    return list(OrgUnit.objects.filter(path__in=visible).order_by("path")) if visible else []


# --- periods and subjects ---------------------------------------------------------------------------

@dataclass(frozen=True)
class When:
    """A term, or a whole school year (``period`` None: the sum of its terms)."""

    year: SchoolYear
    period: StudyPeriod | None
    periods: tuple[StudyPeriod, ...]

    @property
    def is_year(self) -> bool:
        return self.period is None

    @property
    def param(self) -> str:
        """The value of ``?period=``: a period's id, or a school year's code."""
        return self.year.code if self.period is None else str(self.period.pk)

    @property
    def label(self) -> str:
        return year_label(self.year) if self.period is None else period_label(self.period)


def period_label(period: StudyPeriod) -> str:
    name = _("Term %(number)s") if period.kind == StudyPeriod.Kind.TERM else _("Semester %(number)s")
    return f"{period.year.code} · {name % {'number': period.number}}"


def period_short_label(period: StudyPeriod) -> str:
    name = _("Term %(number)s") if period.kind == StudyPeriod.Kind.TERM else _("Semester %(number)s")
    return name % {"number": period.number}


def year_label(year: SchoolYear) -> str:
    return _("School year %(year)s") % {"year": year.code}


def _periods_of(year: SchoolYear) -> tuple[StudyPeriod, ...]:
    return tuple(StudyPeriod.objects.filter(year=year).select_related("year").order_by("kind", "number"))


def period_choices() -> list[tuple[SchoolYear, list[StudyPeriod]]]:
    """Every school year (newest first) with its periods: what the period selector offers."""
    grouped: dict[int, tuple[SchoolYear, list[StudyPeriod]]] = {}
    for period in StudyPeriod.objects.select_related("year").order_by("-year__starts", "kind", "number"):
        grouped.setdefault(period.year_id, (period.year, []))[1].append(period)
    return list(grouped.values())


def when_parse(raw: str | None, *, default: "When | None" = None) -> "When | None":
    """``?period=``: a period's id, or a school year's code (``2025-2026``) for the whole year.
    Empty: ``default``. Malformed: ``BadParameter`` (400); unknown: 404."""
    raw = (raw or "").strip()
    if not raw:
        return default
    if is_ascii_digits(raw) and len(raw) <= 12:
        period = StudyPeriod.objects.select_related("year").filter(pk=int(raw)).first()
        if period is None:
            raise _not_found()
        return When(period.year, period, (period,))
    if YEAR_CODE.match(raw):
        year = SchoolYear.objects.filter(code=raw).first()
        if year is None:
            raise _not_found()
        periods = _periods_of(year)
        if not periods:
            raise _not_found()
        return When(year, None, periods)
    raise BadParameter("period", _("Give a period's number or a school year such as 2025-2026."))


def _when_of(period: StudyPeriod | None) -> When | None:
    return When(period.year, period, (period,)) if period is not None else None


def _current_period(year: SchoolYear | None = None) -> StudyPeriod | None:
    """The latest period that has started (of ``year``, if given); else the first one there is."""
    qs = StudyPeriod.objects.select_related("year")
    if year is not None:
        qs = qs.filter(year=year)
    today = timezone.localdate()
    return qs.filter(starts__lte=today).order_by("-starts").first() or qs.order_by("starts").first()


def when_default(unit: OrgUnit) -> When | None:
    """The latest period with data for the unit, else the current period; None with no school year."""
    latest = Rollup.objects.filter(unit=unit, subject_id=0).select_related("period__year").order_by("-period__starts").first()
    return _when_of(latest.period if latest else _current_period())


def class_when_default(klass: SchoolClass) -> When | None:
    latest = (TermGrade.objects.filter(school_class=klass).select_related("period__year")
              .order_by("-period__starts").first())
    return _when_of(latest.period if latest else _current_period(klass.year))


def subjects() -> list[Subject]:
    return list(Subject.objects.order_by("code"))


def subject_parse(raw: str | None) -> Subject | None:
    """``?subject=``: a subject's id; empty: all subjects. Malformed: 400; unknown: 404."""
    raw = (raw or "").strip()
    if not raw or raw == "0":
        return None
    if not is_ascii_digits(raw) or len(raw) > 12:
        raise BadParameter("subject", _("Give a subject's number."))
    subject = Subject.objects.filter(pk=int(raw)).first()
    if subject is None:
        raise _not_found()
    return subject


# --- dashboards -------------------------------------------------------------------------------------

@dataclass
class Row:
    """One line of a dashboard's table: a unit below, a class, or a pupil."""

    kind: str  # "unit", "class" or "pupil"
    id: int
    name: str
    metrics: Metrics
    code: str = ""  # KATO of a unit
    level: int | None = None


@dataclass
class Dashboard:
    unit: OrgUnit
    when: When
    subject: Subject | None
    metrics: Metrics
    rows: list[Row]
    row_kind: str  # "region", "district", "organization" or "class"


def _rollup_metrics(unit_ids: Iterable[int], when: When, subject: Subject | None) -> dict[int, Metrics]:
    """The units' roll-ups over the term or the terms of the year, one ``Metrics`` per unit with data."""
    parts: dict[int, list[Metrics]] = defaultdict(list)
    rows = Rollup.objects.filter(unit_id__in=list(unit_ids), period__in=[p.pk for p in when.periods],
                                 subject_id=subject.pk if subject else 0)
    for row in rows:
        parts[row.unit_id].append(Metrics.of(row, subject=subject is not None))
    return {unit_id: Metrics.combine(items, subject=subject is not None) for unit_id, items in parts.items()}


def _class_parts(class_ids: list[int], periods: Iterable[StudyPeriod], subject: Subject | None) -> dict[tuple[int, int], Metrics]:
    """Live totals of classes per (class, period) from their term grades and held lessons.

    Pupils are counted per class: a pupil with at least one term mark in the class; quality when all
    of them are 4 and 5, success when none is a 2 (the same rule as the roll-ups, within the class)."""
    period_ids = [p.pk for p in periods]
    counters: dict[tuple[int, int], Counter] = defaultdict(Counter)
    grades = TermGrade.objects.filter(school_class_id__in=class_ids, period_id__in=period_ids)
    if subject is not None:
        grades = grades.filter(subject=subject)
    for row in grades.values("school_class_id", "period_id", "status", "mark").annotate(n=Count("pk")).order_by():
        counter = counters[(row["school_class_id"], row["period_id"])]
        if row["status"] == TermStatus.MARK and row["mark"] is not None:
            counter["grades"] += row["n"]
            counter["grade_sum"] += row["n"] * row["mark"]
            counter[f"n{min(max(row['mark'], 2), 5)}"] += row["n"]
        elif row["status"] == TermStatus.NOT_ASSESSED:  # as the roll-ups count it
            counter["not_assessed"] += row["n"]
    lowest = (grades.filter(status=TermStatus.MARK, mark__isnull=False)
              .values("school_class_id", "period_id", "pupil_id").annotate(low=Min("mark")).order_by())
    for row in lowest:
        counter = counters[(row["school_class_id"], row["period_id"])]
        counter["pupils"] += 1
        counter["pupils_quality"] += row["low"] >= 4
        counter["pupils_success"] += row["low"] >= 3
    lessons = LessonStat.objects.filter(lesson__class_subject__school_class_id__in=class_ids, period_id__in=period_ids)
    if subject is not None:
        lessons = lessons.filter(subject=subject)
    for row in (lessons.values("lesson__class_subject__school_class_id", "period_id")
                .annotate(lessons=Count("pk"), pupil_lessons=Sum("pupils"), absent=Sum("absent"), sick=Sum("sick"),
                          excused=Sum("excused"), late=Sum("late")).order_by()):
        counter = counters[(row["lesson__class_subject__school_class_id"], row["period_id"])]
        for name in ("lessons", "pupil_lessons", "absent", "sick", "excused", "late"):
            counter[name] += row[name] or 0
    return {key: Metrics.of(counter, subject=subject is not None) for key, counter in counters.items()}


def _class_metrics(class_ids: list[int], when: When, subject: Subject | None) -> dict[int, Metrics]:
    parts: dict[int, list[Metrics]] = defaultdict(list)
    for (class_id, _period_id), metrics in _class_parts(class_ids, when.periods, subject).items():
        parts[class_id].append(metrics)
    return {class_id: Metrics.combine(items, subject=subject is not None) for class_id, items in parts.items()}


def _row_kind(unit: OrgUnit) -> str:
    return {Level.REPUBLIC: "region", Level.REGION: "district", Level.DISTRICT: "organization"}.get(unit.level, "class")


def dashboard(user: User, unit: OrgUnit, when: When, subject: Subject | None = None) -> Dashboard:
    """The unit's own indicators for the term or year (and subject), and one row per unit below it
    (region → districts → organizations: the schools, and any other organization with data), or, at
    a school, one row per class of that school year."""
    _check(user, unit)
    is_subject = subject is not None
    own = _rollup_metrics([unit.pk], when, subject).get(unit.pk, Metrics(subject=is_subject))
    rows: list[Row] = []
    if unit.level < Level.ORGANIZATION:
        children = list(OrgUnit.objects.filter(parent=unit).order_by("kato", "path"))
        found = _rollup_metrics([c.pk for c in children], when, subject)
        for child in children:
            shown = child.pk in found or (child.is_active and (child.level < Level.ORGANIZATION or child.kind == OrgKind.SCHOOL))
            if shown:
                rows.append(Row("unit", child.pk, child.name, found.get(child.pk, Metrics(subject=is_subject)), child.kato, child.level))
    else:
        classes = list(SchoolClass.objects.filter(school=unit, year=when.year).order_by("grade", "letter"))
        found = _class_metrics([c.pk for c in classes], when, subject)
        rows = [Row("class", c.pk, str(c), found.get(c.pk, Metrics(subject=is_subject))) for c in classes]
    return Dashboard(unit, when, subject, own, rows, _row_kind(unit))


@dataclass
class TermCell:
    """A pupil's term grade in a subject for one period: a mark, or the reason there is none."""

    period: StudyPeriod
    mark: int | None = None
    status: str = ""

    @property
    def status_label(self) -> str:
        return str(TermStatus(self.status).label) if self.status and self.status != TermStatus.MARK else ""


@dataclass
class PupilRow:
    pupil: Pupil
    cells: dict[int, list[TermCell]]  # subject id → one cell per period shown
    metrics: Metrics


@dataclass
class ClassDashboard:
    klass: SchoolClass
    when: When
    subject: Subject | None
    metrics: Metrics
    subjects: list[Subject]
    pupils: list[PupilRow] = field(default_factory=list)


def class_dashboard(user: User, klass: SchoolClass, when: When, subject: Subject | None = None) -> ClassDashboard:
    """A class: its own indicators (live) and one row per pupil with their term marks per subject
    (one per term of the year in a year view). Pupils: those enrolled during the period and any
    other with a term grade in the class."""
    if not dashboard_scope(user).contains_path(klass.school.path):
        raise _not_found()
    if when.year.pk != klass.year_id:
        raise BadParameter("period", _("The period is not in the school year of this class."))
    is_subject = subject is not None
    own = _class_metrics([klass.pk], when, subject).get(klass.pk, Metrics(subject=is_subject))
    taught = {cs.subject_id: cs.subject for cs in ClassSubject.objects.filter(school_class=klass).select_related("subject")}
    grades = TermGrade.objects.filter(school_class=klass, period__in=[p.pk for p in when.periods])
    if subject is not None:
        grades = grades.filter(subject=subject)
    found: dict[int, dict[tuple[int, int], TermCell]] = defaultdict(dict)
    subject_ids = set(taught) if subject is None else {subject.pk}
    periods = {p.pk: p for p in when.periods}
    for pupil_id, subject_id, period_id, status, mark in grades.values_list("pupil_id", "subject_id", "period_id", "status", "mark"):
        found[pupil_id][(subject_id, period_id)] = TermCell(periods[period_id], mark if status == TermStatus.MARK else None, status)
        subject_ids.add(subject_id)
    first_day = min(p.starts for p in when.periods)
    last_day = max(p.ends for p in when.periods)
    enrolled = set(Enrolment.objects.filter(Q(ends__isnull=True) | Q(ends__gt=first_day), school_class=klass,
                                            starts__lte=last_day).values_list("pupil_id", flat=True))
    missing = subject_ids - set(taught)
    if missing:
        taught.update({s.pk: s for s in Subject.objects.filter(pk__in=missing)})
    shown_subjects = sorted((taught[s] for s in subject_ids), key=lambda s: s.code)  # the catalogue's order
    pupils = Pupil.objects.filter(pk__in=enrolled | set(found)).order_by("last_name", "first_name", "pk")
    rows = []
    for pupil in pupils:
        marks = found.get(pupil.pk, {})
        cells = {s.pk: [marks.get((s.pk, p.pk), TermCell(p)) for p in when.periods] for s in shown_subjects}
        rows.append(PupilRow(pupil, cells, _pupil_metrics(marks, when, is_subject)))
    return ClassDashboard(klass, when, subject, own, shown_subjects, rows)


def _pupil_metrics(marks: dict[tuple[int, int], TermCell], when: When, is_subject: bool) -> Metrics:
    parts = []
    for period in when.periods:
        counter: Counter = Counter()
        values = [cell.mark for (subject_id, period_id), cell in marks.items() if period_id == period.pk and cell.mark is not None]
        counter["not_assessed"] = sum(1 for (s, p), cell in marks.items() if p == period.pk and cell.status == TermStatus.NOT_ASSESSED)
        for mark in values:
            counter["grades"] += 1
            counter["grade_sum"] += mark
            counter[f"n{min(max(mark, 2), 5)}"] += 1
        if values:
            counter["pupils"] = 1
            counter["pupils_quality"] = int(min(values) >= 4)
            counter["pupils_success"] = int(min(values) >= 3)
        parts.append(Metrics.of(counter, subject=is_subject))
    return Metrics.combine(parts, subject=is_subject)


# --- time series ------------------------------------------------------------------------------------

def series(user: User, unit: OrgUnit, subject: Subject | None = None) -> list[tuple[StudyPeriod, Metrics]]:
    """The unit's indicators in every period it has data for, oldest first."""
    _check(user, unit)
    rows = (Rollup.objects.filter(unit=unit, subject_id=subject.pk if subject else 0)
            .select_related("period__year").order_by("period__starts", "period__kind", "period__number"))
    return [(row.period, Metrics.of(row, subject=subject is not None)) for row in rows]


def class_series(user: User, klass: SchoolClass, subject: Subject | None = None) -> list[tuple[StudyPeriod, Metrics]]:
    """A class's indicators in each period of its school year that has data, oldest first."""
    if not dashboard_scope(user).contains_path(klass.school.path):
        raise _not_found()
    periods = _periods_of(klass.year)
    parts = _class_parts([klass.pk], periods, subject)
    return [(p, parts[(klass.pk, p.pk)]) for p in sorted(periods, key=lambda p: p.starts) if (klass.pk, p.pk) in parts]


# --- the home page ----------------------------------------------------------------------------------

@dataclass
class HomeSummary:
    unit: OrgUnit
    when: When | None
    metrics: Metrics | None


def home_summary(user: User) -> HomeSummary | None:
    """The user's highest unit and its indicators in the latest period with data (None: no dashboard
    role). One query when there are data, two when there are none: it is on every home page."""
    roots = dashboard_scope(user).roots
    if not roots:
        return None
    # one query on the home page: the highest unit's latest roll-up, with the unit
    latest = (Rollup.objects.filter(unit__path=roots[0], subject_id=0).select_related("unit", "period__year")
              .order_by("-period__starts").first())
    if latest is None:
        return HomeSummary(OrgUnit.objects.get(path=roots[0]), None, None)
    return HomeSummary(latest.unit, _when_of(latest.period), Metrics.of(latest))


# --- the open rating (J4) ---------------------------------------------------------------------------

def can_publish_rating(user: User) -> bool:
    """A ministry officer or a system administrator of the republic (the root: one path segment)."""
    return any(len(root) == SEGMENT_WIDTH for root in Scope.of(user, RATING_ROLES).roots)


def rating_publications() -> list[RatingPublication]:
    """Every published rating, the latest period first (public)."""
    return list(RatingPublication.objects.select_related("period__year").order_by("-period__starts", "-published_at", "-pk"))


def rating_publication(publication_id: int | None = None) -> RatingPublication | None:
    """A published rating by id (404 if there is none such), or the latest one (None: nothing yet)."""
    qs = RatingPublication.objects.select_related("period__year")
    if publication_id is not None:
        publication = qs.filter(pk=publication_id).first()
        if publication is None:
            raise _not_found()
        return publication
    return qs.order_by("-period__starts", "-published_at", "-pk").first()


def rating_rows(publication: RatingPublication) -> list[RatingRow]:
    """The ranked regions by rank, then the regions without data (no rank) by KATO code."""
    return list(publication.rows.select_related("region"))  # the model's ordering


@dataclass
class RatingHistory:
    publications: list[RatingPublication]  # the latest publication of each period, oldest period first
    regions: list[tuple[OrgUnit, list[int | None]]]  # each region's rank in each of them (None: not ranked)


def rating_history() -> RatingHistory:
    """Each region's rank over the published periods (the latest publication of each period)."""
    latest: dict[int, RatingPublication] = {}
    for publication in rating_publications():
        latest.setdefault(publication.period_id, publication)
    publications = sorted(latest.values(), key=lambda p: (p.period.starts, p.pk))
    ranks: dict[int, dict[int, int]] = defaultdict(dict)
    regions: dict[int, OrgUnit] = {}
    for row in RatingRow.objects.filter(publication__in=[p.pk for p in publications]).select_related("region"):
        ranks[row.region_id][row.publication_id] = row.rank
        regions[row.region_id] = row.region
    ordered = sorted(regions.values(), key=lambda r: (r.kato, r.pk))
    last = publications[-1].pk if publications else None
    if last is not None:
        ordered.sort(key=lambda r: (not ranks[r.pk].get(last), ranks[r.pk].get(last) or 0))
    return RatingHistory(publications, [(region, [ranks[region.pk].get(p.pk) or None for p in publications]) for region in ordered])


def rating_preview(user: User, period: StudyPeriod) -> list[rating.RatingLine]:
    """The rating computed now from live roll-ups: only for those who may publish it (else 404)."""
    if not can_publish_rating(user):
        raise _not_found()
    return rating.compute(period)


def rating_periods() -> list[StudyPeriod]:
    """Periods that have started, newest first: what a rating may be published for."""
    today: date = timezone.localdate()
    return list(StudyPeriod.objects.select_related("year").filter(starts__lte=today).order_by("-starts"))

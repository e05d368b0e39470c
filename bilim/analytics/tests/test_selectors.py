"""The dashboards' definitions on a hand-made table of roll-ups, the drill-down from the republic to a
pupil, the year view, time series and the scope of every read."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.http import Http404

from bilim.analytics import selectors
from bilim.analytics.metrics import Metrics, quantize
from bilim.core.models import Level, OrgUnit, Role


def q(value, places=2):
    return quantize(value, places)


def test_definitions_on_one_school(hand):
    m = Metrics.of(dict(grades=100, grade_sum=420, n2=5, n3=20, n4=40, n5=35, pupils=20, pupils_quality=8, pupils_success=18,
                        pupil_lessons=1000, absent=10, sick=30, excused=10, late=7))
    assert m.average == Decimal("4.2")
    assert m.quality == Decimal(40)  # 8 of 20 pupils with all 4 and 5
    assert m.success == Decimal(90)  # 18 of 20 without a 2
    assert m.attendance == Decimal(95)  # (1000 − 10 − 30 − 10) / 1000; late counts as present
    assert m.missed == 50 and m.missed_percent == Decimal(5)


def test_single_subject_uses_term_marks():
    m = Metrics.of(dict(grades=20, grade_sum=80, n2=1, n3=4, n4=9, n5=6), subject=True)
    assert m.quality == Decimal(75)  # (9 + 6) / 20
    assert m.success == Decimal(95)  # 1 − 1 / 20
    assert m.average == Decimal(4)


def test_no_data_is_none_not_zero():
    m = Metrics()
    assert m.average is None and m.quality is None and m.success is None and m.attendance is None and m.empty


def test_district_dashboard_sums_its_schools(hand):
    ministry = hand.demo.user("ministry")
    when = selectors.when_parse(str(hand.terms[0].pk))
    board = selectors.dashboard(ministry, hand.demo.esil, when)
    m = board.metrics
    assert (m.pupils, m.pupils_quality, m.pupils_success, m.grades, m.grade_sum) == (30, 10, 24, 150, 595)
    assert q(m.average) == Decimal("3.97")  # 595 / 150
    assert q(m.quality, 1) == Decimal("33.3")  # 10 / 30
    assert m.success == Decimal(80)  # 24 / 30
    assert m.attendance == Decimal(95)  # (1500 − 75) / 1500
    assert board.row_kind == "organization"
    rows = {row.id: row for row in board.rows}
    assert rows[hand.school_a.pk].metrics.quality == Decimal(40)
    assert rows[hand.school_b.pk].metrics.success == Decimal(60)
    assert rows[hand.school_b.pk].metrics.average == Decimal("3.5")
    # every active school is listed, with or without data
    third = OrgUnit.objects.filter(parent=hand.demo.esil, kind="school").exclude(pk__in=[hand.school_a.pk, hand.school_b.pk]).get()
    assert rows[third.pk].metrics.empty
    assert all(OrgUnit.objects.get(pk=r.id).kind == "school" for r in board.rows)


def test_republic_and_region_rows(hand):
    ministry = hand.demo.user("ministry")
    when = selectors.when_parse(str(hand.terms[0].pk))
    board = selectors.dashboard(ministry, hand.demo.republic, when)
    assert board.row_kind == "region" and len(board.rows) == 20
    astana = {r.id: r for r in board.rows}[hand.demo.esil.parent_id]
    assert astana.metrics.pupils == 40  # A + B of Esil, C of Saryarka
    assert board.metrics.pupils == 40
    region = selectors.dashboard(ministry, hand.demo.esil.parent, when)
    assert region.row_kind == "district"
    assert {r.id: r.metrics.pupils for r in region.rows}[hand.demo.esil.pk] == 30


def test_year_view_pools_the_terms(hand):
    ministry = hand.demo.user("ministry")
    when = selectors.when_parse("2025-2026")
    assert when.is_year and len(when.periods) == 4
    board = selectors.dashboard(ministry, hand.school_a, when)
    m = board.metrics
    assert m.pupils == 40 and m.pupils_shown == 20  # pupil-terms pooled; the largest term shown
    assert m.quality == Decimal(45)  # (8 + 10) / (20 + 20)
    assert m.success == Decimal(95)  # (18 + 20) / 40
    assert m.average == Decimal("4.25")  # (420 + 430) / 200
    assert m.attendance == Decimal(1800 - 58) / 1800 * 100


def test_subject_dashboard(hand):
    ministry = hand.demo.user("ministry")
    when = selectors.when_parse(str(hand.terms[0].pk))
    board = selectors.dashboard(ministry, hand.demo.esil, when, hand.math)
    assert board.metrics.subject and board.metrics.quality == Decimal(75) and board.metrics.success == Decimal(95)
    assert {r.id: r.metrics.grades for r in board.rows}[hand.school_a.pk] == 20


def test_school_rows_are_classes_computed_live(af):
    demo = af.demo
    school = demo.school_in(demo.esil)
    math = af.subject("math", "Математика", "Математика", "Mathematics")
    lang = af.subject("kaz", "Қазақ тілі", "Казахский язык", "Kazakh")
    klass = af.klass(school, 5, "А", {
        "Ахметов": {math: 5, lang: 4},   # quality, success
        "Бекова": {math: 3, lang: 5},    # success
        "Жанов": {math: 2, lang: "not_assessed"},  # neither
        "Иса": {math: "insufficient"},   # no mark: not counted among pupils
    }, lessons=[(math, 1, 0, 0, 1), (math, 0, 1, 1, 0), (lang, 0, 0, 0, 0)])
    other = af.klass(school, 6, "Б", {"Оспан": {math: 4}})
    head = demo.user("head.school")
    when = selectors.when_parse(str(af.terms[0].pk))
    board = selectors.dashboard(head, school, when)
    assert board.row_kind == "class"
    rows = {r.id: r.metrics for r in board.rows}
    m = rows[klass.pk]
    assert (m.pupils, m.pupils_quality, m.pupils_success) == (3, 1, 2)
    assert (m.grades, m.grade_sum, m.n2, m.n5, m.not_assessed) == (5, 19, 1, 2, 1)
    assert (m.lessons, m.pupil_lessons, m.absent, m.sick, m.excused, m.late) == (3, 12, 1, 1, 1, 1)
    assert m.attendance == Decimal(9) / 12 * 100
    assert rows[other.pk].pupils == 1 and rows[other.pk].quality == Decimal(100)
    # one subject
    by_math = selectors.dashboard(head, school, when, math)
    mm = {r.id: r.metrics for r in by_math.rows}[klass.pk]
    assert (mm.grades, mm.n2, mm.lessons) == (3, 1, 2) and mm.quality == Decimal(100) / 3

    # the class: one row per pupil with their term marks per subject
    page = selectors.class_dashboard(head, klass, when)
    assert page.metrics == m
    assert [s.code for s in page.subjects] == ["kaz", "math"]  # in the catalogue's order (by code)
    pupils = {r.pupil.last_name: r for r in page.pupils}
    assert [c.mark for c in pupils["Ахметов"].cells[math.pk]] == [5]
    assert pupils["Жанов"].cells[lang.pk][0].status == "not_assessed" and pupils["Жанов"].cells[lang.pk][0].mark is None
    assert pupils["Ахметов"].metrics.average == Decimal("4.5") and pupils["Ахметов"].metrics.pupils_quality == 1
    assert pupils["Иса"].metrics.pupils == 0


def test_series_across_terms(hand):
    ministry = hand.demo.user("ministry")
    points = selectors.series(ministry, hand.school_a)
    assert [p.number for p, _m in points] == [1, 2]
    assert [m.quality for _p, m in points] == [Decimal(40), Decimal(50)]


@pytest.mark.parametrize("username", ["district.saryarka"])
def test_scope_of_a_district_officer(hand, username):
    user = hand.demo.user(username)
    when = selectors.when_parse(str(hand.terms[0].pk))
    for unit in (hand.demo.esil, hand.school_a, hand.demo.republic, hand.demo.esil.parent):
        with pytest.raises(Http404):
            selectors.dashboard(user, unit, when)
        with pytest.raises(Http404):
            selectors.series(user, unit)
    assert selectors.dashboard(user, hand.demo.saryarka, when).metrics.pupils == 10
    assert selectors.unit_get(user).pk == hand.demo.saryarka.pk
    assert [u.pk for u in selectors.breadcrumbs(user, hand.school_c)] == [hand.demo.saryarka.pk]


def test_scope_of_a_head_and_of_others(hand):
    demo = hand.demo
    head = demo.user("head.school")
    when = selectors.when_parse(str(hand.terms[0].pk))
    own = demo.school_in(demo.esil)
    assert selectors.unit_get(head).pk == own.pk
    selectors.dashboard(head, own, when)
    other = hand.school_b if own.pk != hand.school_b.pk else hand.school_a
    for unit in (other, demo.esil):
        with pytest.raises(Http404):
            selectors.dashboard(head, unit, when)
    for username in ("teacher", "parent", "admin", "student.enu"):
        with pytest.raises(Http404):
            selectors.unit_get(demo.user(username))
        assert selectors.home_summary(demo.user(username)) is None
    klass = hand.klass(other, 7, "В", {"Сейіт": {hand.math: 4}})
    with pytest.raises(Http404):
        selectors.class_get(head, klass.pk)
    assert selectors.class_get(demo.user("district.esil"), klass.pk).pk == klass.pk


def test_region_officer_breadcrumbs_stop_at_their_region(hand):
    officer = hand.demo.user("region.astana")
    crumbs = selectors.breadcrumbs(officer, hand.school_a)
    assert [u.level for u in crumbs] == [Level.REGION, Level.DISTRICT]
    ministry = hand.demo.user("ministry")
    assert [u.level for u in selectors.breadcrumbs(ministry, hand.school_a)] == [Level.REPUBLIC, Level.REGION, Level.DISTRICT]


def test_parameters(hand):
    assert selectors.when_parse("") is None
    with pytest.raises(selectors.BadParameter):
        selectors.when_parse("first")
    with pytest.raises(Http404):
        selectors.when_parse("999999")
    with pytest.raises(Http404):
        selectors.when_parse("2030-2031")
    with pytest.raises(selectors.BadParameter):
        selectors.subject_parse("math")
    with pytest.raises(Http404):
        selectors.subject_parse("999999")
    assert selectors.subject_parse("") is None
    assert selectors.subject_parse(str(hand.math.pk)) == hand.math


def test_default_period_is_the_latest_with_data(hand):
    when = selectors.when_default(hand.school_a)
    assert when.period == hand.terms[1]
    assert selectors.when_default(hand.school_b).period == hand.terms[0]


def test_home_summary(hand):
    summary = selectors.home_summary(hand.demo.user("district.esil"))
    assert summary.unit == hand.demo.esil and summary.when.period == hand.terms[1]
    assert summary.metrics.pupils == 20  # only school A has term 2
    assert selectors.home_summary(hand.demo.user("ministry")).unit.level == Level.REPUBLIC
    assert Role.ORG_HEAD in selectors.DASHBOARD_ROLES

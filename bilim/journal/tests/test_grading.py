"""Criteria-based assessment (MoE order No. 125 of 18 March 2008, as amended): term and year grades
from a versioned rule set kept as data. Pure Python: no database.

Every expected number below is worked out by hand in the comment of its row, with the current rule
set: weights ФО 25 % / СОр 25 % / СОч 50 %; without a СОч 50 % / 50 %; formative percent
= Σ marks / (10 × number of marks) × 100; group percent = Σ points / Σ maximum × 100; the weighted
total rounded half up to 1 decimal; 0 → 2, 40 → 3, 65 → 4, 85 → 5."""

from __future__ import annotations

import copy
import dataclasses
import json
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bilim.journal import grading
from bilim.journal.grading import (
    DEFAULT_RULE_SETS,
    INSUFFICIENT,
    MARK,
    NO_MARK,
    NO_MARKS_GRADE_1,
    NOT_ASSESSED,
    GradingError,
    RuleSet,
    Score,
    TermInput,
    Weights,
    compute_term,
    compute_year,
    percent_to_mark,
    rule_set_for,
)

D = Decimal
CURRENT = DEFAULT_RULE_SETS[0]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def variant(**changes) -> RuleSet:
    """The current rule set with some of its dict form replaced."""
    data = copy.deepcopy(CURRENT.to_dict())
    data.update(changes)
    return RuleSet.from_dict(data)


EXACT = variant(code="TEST-NO-ROUNDING", percent_rounding={"mode": "none"})


def term(grade=7, formative=(), section=(), term_summative=None, subject_rule=None) -> TermInput:
    return TermInput(grade_level=grade, formative=list(formative),
                     section_summatives=[s if isinstance(s, Score) else Score(*s) for s in section],
                     term_summative=Score(*term_summative) if isinstance(term_summative, tuple) else term_summative,
                     subject_rule=subject_rule)


MISSED_20 = Score(None, 20, missed=True)
MISSED_25 = Score(None, 25, missed=True)


def q(value) -> Decimal | None:
    """Compare to 4 decimals (repeating decimals such as 76.666… are written 76.6667)."""
    return None if value is None else D(value).quantize(D("0.0001"))


# --- the worked examples -----------------------------------------------------------------------------
# (id, rule set, input, kind, ФО %, СОр %, СОч %, weighted %, rounded %, mark)
WORKED = [
    # ФО 8+9+10+7 = 34 of 40 = 85 %; СОр 18+9 = 27 of 20+10 = 30 = 90 %; СОч 22/25 = 88 %
    # 0.25·85 + 0.25·90 + 0.5·88 = 21.25 + 22.5 + 44 = 87.75 → 87.8 → 5
    ("brief example", CURRENT, term(7, [8, 9, 10, 7], [(18, 20), (9, 10)], (22, 25)),
     MARK, "85", "90", "88", "87.75", "87.8", 5),
    # everything full: 100 % everywhere → 5
    ("all full marks", CURRENT, term(9, [10, 10, 10], [(20, 20)], (25, 25)),
     MARK, "100", "100", "100", "100", "100", 5),
    # ФО 1+1+1 = 3 of 30 = 10 %; СОр 0/20 = 0 %; СОч 0/25 = 0 % → 0.25·10 = 2.5 → 2.5 → 2
    ("lowest", CURRENT, term(5, [1, 1, 1], [(0, 20)], (0, 25)),
     MARK, "10", "0", "0", "2.5", "2.5", 2),
    # ФО 4·4 = 16 of 40 = 40 %; СОр 8/20 = 40 %; СОч 1999/5000 = 39.98 %
    # 10 + 10 + 19.99 = 39.99 → half up to 1 decimal: 40.0 → 3
    ("39.99 rounds to 40.0", CURRENT, term(5, [4, 4, 4, 4], [(8, 20)], (1999, 5000)),
     MARK, "40", "40", "39.98", "39.99", "40.0", 3),
    # the same without rounding: 39.99 < 40 → 2
    ("39.99 not rounded", EXACT, term(5, [4, 4, 4, 4], [(8, 20)], (1999, 5000)),
     MARK, "40", "40", "39.98", "39.99", "39.99", 2),
    # СОч 1994/5000 = 39.88 % → 10 + 10 + 19.94 = 39.94 → 39.9 → 2
    ("39.94 rounds to 39.9", CURRENT, term(5, [4, 4, 4, 4], [(8, 20)], (1994, 5000)),
     MARK, "40", "40", "39.88", "39.94", "39.9", 2),
    # ФО 4+4 = 8 of 20 = 40 %; СОр 4/10 = 40 %; СОч 10/25 = 40 % → 40 → 3
    ("exactly 40", CURRENT, term(5, [4, 4], [(4, 10)], (10, 25)),
     MARK, "40", "40", "40", "40", "40.0", 3),
    # ФО 6+7 = 13 of 20 = 65 %; СОр 13/20 = 65 %; СОч 162/250 = 64.8 %
    # 16.25 + 16.25 + 32.4 = 64.9 → 64.9 → 3
    ("64.9", CURRENT, term(6, [6, 7], [(13, 20)], (162, 250)),
     MARK, "65", "65", "64.8", "64.9", "64.9", 3),
    # СОч 649/1000 = 64.9 % → 16.25 + 16.25 + 32.45 = 64.95 → half up: 65.0 → 4
    ("64.95 rounds to 65.0", CURRENT, term(6, [6, 7], [(13, 20)], (649, 1000)),
     MARK, "65", "65", "64.9", "64.95", "65.0", 4),
    # the same without rounding: 64.95 < 65 → 3
    ("64.95 not rounded", EXACT, term(6, [6, 7], [(13, 20)], (649, 1000)),
     MARK, "65", "65", "64.9", "64.95", "64.95", 3),
    # ФО 65 %; СОр 65 %; СОч 65/100 = 65 % → 65 → 4
    ("exactly 65", CURRENT, term(6, [6, 7], [(13, 20)], (65, 100)),
     MARK, "65", "65", "65", "65", "65.0", 4),
    # ФО 85 %; СОр 27/30 = 90 %; СОч 206/250 = 82.4 % → 21.25 + 22.5 + 41.2 = 84.95 → half up: 85.0 → 5
    ("84.95 rounds to 85.0", CURRENT, term(8, [8, 9, 10, 7], [(18, 20), (9, 10)], (206, 250)),
     MARK, "85", "90", "82.4", "84.95", "85.0", 5),
    # the same without rounding: 84.95 < 85 → 4
    ("84.95 not rounded", EXACT, term(8, [8, 9, 10, 7], [(18, 20), (9, 10)], (206, 250)),
     MARK, "85", "90", "82.4", "84.95", "84.95", 4),
    # СОч 4119/5000 = 82.38 % → 21.25 + 22.5 + 41.19 = 84.94 → 84.9 → 4
    ("84.94 rounds to 84.9", CURRENT, term(8, [8, 9, 10, 7], [(18, 20), (9, 10)], (4119, 5000)),
     MARK, "85", "90", "82.38", "84.94", "84.9", 4),
    # ФО 85 %; СОр 17/20 = 85 %; СОч 85/100 = 85 % → 85 → 5
    ("exactly 85", CURRENT, term(8, [8, 9, 10, 7], [(17, 20)], (85, 100)),
     MARK, "85", "85", "85", "85", "85.0", 5),
    # no СОч: ФО 7+8+9 = 24 of 30 = 80 %; СОр 15+8 = 23 of 30 = 76.666… %
    # (0.25·80 + 0.25·76.666…) × 2 = (20 + 19.1666…) × 2 = 78.333… → 78.3 → 4
    ("no term summative: 50/50", CURRENT, term(7, [7, 8, 9], [(15, 20), (8, 10)]),
     MARK, "80", "76.6667", None, "78.3333", "78.3", 4),
    # no СОч: ФО 9+9 = 18 of 20 = 90 %; СОр 17/20 = 85 % → 45 + 42.5 = 87.5 → 5
    ("no term summative, one section summative", CURRENT, term(7, [9, 9], [(17, 20)]),
     MARK, "90", "85", None, "87.5", "87.5", 5),
    # no СОч, exact arithmetic: ФО 9+9+8 = 26 of 30 = 86.666… %; СОр 25/30 = 83.333… %
    # (86.666… + 83.333…) / 2 = 85 exactly (not 84.999…) → 5 even without rounding
    ("repeating decimals add up to exactly 85", EXACT, term(7, [9, 9, 8], [(25, 30)]),
     MARK, "86.6667", "83.3333", None, "85", "85", 5),
    # only formatives: 6+6+7 = 19 of 30 = 63.333… %, weight 100 % → 63.3 → 3
    ("only formatives", CURRENT, term(3, [6, 6, 7]),
     MARK, "63.3333", None, None, "63.3333", "63.3", 3),
    # no formatives: СОр 12/20 = 60 %, СОч 18/25 = 72 %; weights 25 : 50 scaled to 33.33… : 66.66…
    # (25·60 + 50·72) / 75 = (1500 + 3600) / 75 = 68 → 68.0 → 4
    ("no formatives: weights scaled up", CURRENT, term(7, [], [(12, 20)], (18, 25)),
     MARK, None, "60", "72", "68", "68.0", 4),
    # decimal formative marks: 7.5+8 = 15.5 of 20 = 77.5 %; СОр 7/10 = 70 %; СОч 19/25 = 76 %
    # 19.375 + 17.5 + 38 = 74.875 → 74.9 → 4
    ("decimal formative mark", CURRENT, term(7, [D("7.5"), 8], [(7, 10)], (19, 25)),
     MARK, "77.5", "70", "76", "74.875", "74.9", 4),
    # three СОр with half points: 4.5+9+13 = 26.5 of 5+10+15 = 30 = 88.333… %; ФО 9+10 = 19/20 = 95 %;
    # СОч 21/25 = 84 % → 23.75 + 22.0833… + 42 = 87.8333… → 87.8 → 5
    ("three section summatives, half points", CURRENT,
     term(10, [9, 10], [(D("4.5"), 5), (9, 10), (13, 15)], (21, 25)),
     MARK, "95", "88.3333", "84", "87.8333", "87.8", 5),
    # grade 11: ФО 9+10+10 = 29/30 = 96.666… %; СОр 19/20 = 95 %; СОч 24/25 = 96 %
    # 24.1666… + 23.75 + 48 = 95.9166… → 95.9 → 5
    ("grade 11", CURRENT, term(11, [9, 10, 10], [(19, 20)], (24, 25)),
     MARK, "96.6667", "95", "96", "95.9167", "95.9", 5),
    # grade 2: ФО 3+4+5 = 12/30 = 40 %; СОр 6/20 = 30 %; СОч 9/25 = 36 % → 10 + 7.5 + 18 = 35.5 → 2
    ("grade 2, weak", CURRENT, term(2, [3, 4, 5], [(6, 20)], (9, 25)),
     MARK, "40", "30", "36", "35.5", "35.5", 2),
    # 1 hour a week (half-year from ФО and СОр only, 50/50): ФО 5+6 = 11/20 = 55 %; СОр 14/20 = 70 %;
    # the СОч 25/25 does not count → 27.5 + 35 = 62.5 → 3
    ("subject rule: one hour a week", CURRENT, term(7, [5, 6], [(14, 20)], (25, 25), "one_hour_half_year"),
     MARK, "55", "70", "100", "62.5", "62.5", 3),
    # the same with the СОч missed: it does not count, so it does not block the grade → 62.5 → 3
    ("subject rule: a missed work that does not count", CURRENT,
     term(7, [5, 6], [(14, 20)], MISSED_25, "one_hour_half_year"),
     MARK, "55", "70", None, "62.5", "62.5", 3),
    # grade 1: no marks, feedback only
    ("grade 1", CURRENT, term(1), NO_MARKS_GRADE_1, None, None, None, None, None, None),
    # СОр 2 missed → temporarily not assessed; ФО 34/40 = 85 % is still shown, СОр stays open
    ("missed section summative", CURRENT, term(7, [8, 9, 10, 7], [(18, 20), MISSED_20], (22, 25)),
     NOT_ASSESSED, "85", None, "88", None, None, None),
    # СОч missed → temporarily not assessed
    ("missed term summative", CURRENT, term(7, [8, 9, 10, 7], [(18, 20)], MISSED_25),
     NOT_ASSESSED, "85", "90", None, None, None, None),
    # nothing at all
    ("nothing to compute", CURRENT, term(7), INSUFFICIENT, None, None, None, None, None, None),
]


@pytest.mark.parametrize(
    "rule_set, term_input, kind, formative, section, term_percent, weighted, rounded, mark",
    [row[1:] for row in WORKED], ids=[row[0] for row in WORKED])
def test_worked_examples(rule_set, term_input, kind, formative, section, term_percent, weighted, rounded, mark):
    result = compute_term(rule_set, term_input)
    assert result.kind == kind
    assert result.rule_set == rule_set.code
    assert {group: q(value) for group, value in result.percents.items()} == {
        "formative": q(formative), "section_summative": q(section), "term_summative": q(term_percent)}
    assert q(result.weighted_percent) == q(weighted)
    assert result.rounded_percent == (None if rounded is None else D(rounded))
    assert result.mark == mark
    assert result.explanation and all(isinstance(line, str) and line for line in result.explanation)
    if kind == MARK:
        assert sum(result.weights.of(group) for group in grading.GROUPS) == pytest.approx(100)
    else:
        assert result.weights is None and result.weighted_percent is None


def test_worked_table_is_big_enough():
    assert len(WORKED) >= 15


# --- the explanation and the weights actually used ---------------------------------------------------

def group_line(label: str, points: str, maximum: str, percent: str, weight: str) -> str:
    return _("%(group)s: %(points)s of %(max)s points = %(percent)s %%, weight %(weight)s %%") % {
        "group": label, "points": points, "max": maximum, "percent": percent, "weight": weight}


def test_explanation_of_the_brief_example():
    result = compute_term(CURRENT, term(7, [8, 9, 10, 7], [(18, 20), (9, 10)], (22, 25)))
    assert result.weights == Weights(D(25), D(25), D(50))
    assert result.explanation == [
        group_line(_("Formative"), "34", "40", "85.0", "25"),
        group_line(_("Section summatives"), "27", "30", "90.0", "25"),
        group_line(_("Term summative"), "22", "25", "88.0", "50"),
        _("Weighted total: %(formula)s = %(percent)s %%") % {
            "formula": "25 % × 85.0 % + 25 % × 90.0 % + 50 % × 88.0 %", "percent": "87.75"},
        ngettext("Rounded %(mode)s to %(places)s decimal place: %(percent)s %%",
                 "Rounded %(mode)s to %(places)s decimal places: %(percent)s %%", 1) % {
            "mode": _("half up"), "places": 1, "percent": "87.8"},
        _("Mark %(mark)s: %(percent)s %% is at least %(low)s %%.") % {"mark": 5, "percent": "87.8", "low": "85"},
    ]
    # the line of the brief, literally
    only_formatives = compute_term(CURRENT, term(7, [8, 8, 9, 9, 8])).explanation
    assert "Formative: 42 of 50 points = 84.0 %, weight 100 %" in only_formatives
    assert result.formative.points == 34 and result.formative.max_points == 40 and result.formative.count == 4
    assert result.section_summative.count == 2 and result.section_summative.weight == 25


def test_explanation_with_rounding_none_and_a_lower_threshold():
    result = compute_term(EXACT, term(8, [8, 9, 10, 7], [(18, 20), (9, 10)], (206, 250)))
    assert result.explanation[-2:] == [
        _("The percentage is compared with the thresholds without rounding."),
        _("Mark %(mark)s: %(percent)s %% is at least %(low)s %% and below %(high)s %%.") % {
            "mark": 4, "percent": "84.95", "low": "65", "high": "85"},
    ]


def test_no_term_summative_uses_its_own_weights_and_says_so():
    result = compute_term(CURRENT, term(7, [7, 8, 9], [(15, 20), (8, 10)]))
    assert result.weights == Weights(D(50), D(50), D(0))
    assert result.term_summative is None
    assert result.explanation[:3] == [
        _("No term summative this term: formative marks count %(formative)s %% and section summatives %(section)s %%.")
        % {"formative": "50", "section": "50"},
        group_line(_("Formative"), "24", "30", "80.0", "50"),
        group_line(_("Section summatives"), "23", "30", "76.66…", "50"),
    ]
    assert result.explanation[3] == _("Weighted total: %(formula)s = %(percent)s %%") % {
        "formula": "50 % × 80.0 % + 50 % × 76.66… %", "percent": "78.33…"}


def test_missing_group_is_renormalized_and_said():
    result = compute_term(CURRENT, term(7, [], [(12, 20)], (18, 25)))
    assert result.weights.formative == 0
    assert q(result.weights.section_summative) == D("33.3333") and q(result.weights.term_summative) == D("66.6667")
    assert result.explanation[0] == _("No formative marks this term: the weights of the other groups are scaled up in "
                                      "proportion.")
    only_formatives = compute_term(CURRENT, term(3, [6, 6, 7]))
    assert only_formatives.weights == Weights(D(100), D(0), D(0))
    assert _("No section summatives this term: the weights of the other groups are scaled up in proportion.") in (
        only_formatives.explanation)


def test_missing_group_policy_insufficient():
    strict = variant(code="TEST-STRICT", missing_group="insufficient")
    result = compute_term(strict, term(7, [], [(12, 20)], (18, 25)))
    assert result.kind == INSUFFICIENT and result.mark is None
    assert result.explanation == [_("No formative marks this term: the term grade cannot be computed without them.")]
    # all groups there: computed as usual
    assert compute_term(strict, term(7, [8, 9, 10, 7], [(18, 20), (9, 10)], (22, 25))).mark == 5


def test_subject_rule_explanation():
    result = compute_term(CURRENT, term(7, [5, 6], [(14, 20)], (25, 25), "one_hour_half_year"))
    assert result.weights == Weights(D(50), D(50), D(0))
    assert result.term_summative.weight == 0
    assert result.explanation[0] == _("Subject rule “%(rule)s” applies.") % {"rule": "one_hour_half_year"}
    assert _("%(group)s: not counted under this rule.") % {"group": _("Term summative")} in result.explanation
    assert CURRENT.subject_rule("one_hour_half_year").period == "half_year"


def test_grade_1_gets_no_marks():
    result = compute_term(CURRENT, term(1, [8, 9]))
    assert (result.kind, result.mark, result.weights) == (NO_MARKS_GRADE_1, None, None)
    assert result.explanation == [_("Grade %(grade)s: no marks are given, only feedback.") % {"grade": 1}]


def test_missed_summatives_make_the_pupil_temporarily_not_assessed():
    result = compute_term(CURRENT, term(7, [8, 9, 10, 7], [(18, 20), MISSED_20, (8, 10)], MISSED_25))
    assert result.kind == NOT_ASSESSED and result.mark is None and result.rounded_percent is None
    assert result.missed == ("section_summatives[1]", "term_summative")
    assert result.section_summative.missed == 1 and result.section_summative.count == 3
    assert result.section_summative.points == 26 and result.section_summative.max_points == 30  # the works written
    assert result.explanation == [
        _("Section summative %(number)s was missed.") % {"number": 2},
        _("The term summative was missed."),
        _("Temporarily not assessed: the pupil writes the missed work later; until then the term grade is not computed."),
    ]
    # written later: the term grade is computed
    written = compute_term(CURRENT, term(7, [8, 9, 10, 7], [(18, 20), (16, 20), (8, 10)], (20, 25)))
    assert written.kind == MARK


def test_nothing_to_compute():
    result = compute_term(CURRENT, term(7))
    assert result.explanation == [_("No marks or scores count towards the term grade this term: there is nothing to "
                                    "compute it from.")]
    # only a work that the subject rule does not count
    only_term = compute_term(CURRENT, term(7, [], [], (20, 25), "one_hour_half_year"))
    assert only_term.kind == INSUFFICIENT
    assert only_term.term_summative.percent == 80


def test_explanation_in_kazakh_uses_gettext_and_the_decimal_comma():
    with translation.override("kk"):
        result = compute_term(CURRENT, term(7, [7, 8, 9], [(15, 20), (8, 10)]))
        assert result.explanation[1] == group_line(_("Formative"), "24", "30", "80,0", "50")
        assert result.explanation[2] == group_line(_("Section summatives"), "23", "30", "76,66…", "50")
        with pytest.raises(GradingError) as error:
            compute_term(CURRENT, term(7, [D("10.5")]))
        assert error.value.message == _("A formative mark must be between %(min)s and %(max)s, got %(value)s.") % {
            "min": "1", "max": "10", "value": "10,5"}


def test_arithmetic_ignores_the_callers_decimal_context():
    from decimal import localcontext
    with localcontext() as context:
        context.prec = 3
        result = compute_term(CURRENT, term(8, [8, 9, 10, 7], [(18, 20), (9, 10)], (206, 250)))
    assert result.weighted_percent == D("84.95") and result.mark == 5


# --- percent → mark ----------------------------------------------------------------------------------

HALF_EVEN = variant(code="TEST-HALF-EVEN", percent_rounding={"mode": "half_even", "places": 1})
WHOLE = variant(code="TEST-WHOLE", percent_rounding={"mode": "half_up", "places": 0})
DOWN = variant(code="TEST-DOWN", percent_rounding={"mode": "down", "places": 1})


@pytest.mark.parametrize("rule_set, percent, rounded, mark", [
    (CURRENT, "0", "0", 2),
    (CURRENT, "39.94", "39.9", 2),
    (CURRENT, "39.95", "40.0", 3),   # half up
    (CURRENT, "39.99", "40.0", 3),
    (EXACT, "39.99", "39.99", 2),
    (CURRENT, "40", "40", 3),
    (CURRENT, "64.9", "64.9", 3),
    (CURRENT, "64.95", "65.0", 4),
    (CURRENT, "65", "65", 4),
    (CURRENT, "84.95", "85.0", 5),
    (EXACT, "84.95", "84.95", 4),
    (DOWN, "84.99", "84.9", 4),
    (HALF_EVEN, "84.95", "85.0", 5),  # 9 is odd: up to the even 85.0
    (HALF_EVEN, "84.85", "84.8", 4),  # 8 is even: stays
    (WHOLE, "84.5", "85", 5),
    (WHOLE, "84.49", "84", 4),
    (CURRENT, "100", "100", 5),
])
def test_percent_to_mark(rule_set, percent, rounded, mark):
    assert percent_to_mark(rule_set, D(percent)) == (D(rounded), mark)


# --- year grades -------------------------------------------------------------------------------------

HALF_EVEN_YEAR = variant(code="TEST-YEAR-EVEN", year_rounding={"mode": "half_even", "places": 0})
DOWN_YEAR = variant(code="TEST-YEAR-DOWN", year_rounding={"mode": "down", "places": 0})


@pytest.mark.parametrize("rule_set, marks, kind, average, mark", [
    (CURRENT, [4, 5, 4, 5], MARK, "4.5", 5),            # 18 / 4 = 4.5 → half up → 5
    (CURRENT, [3, 4, 4], MARK, "3.6667", 4),            # 11 / 3 = 3.666… → 4
    (CURRENT, [4, None, 5, 5], MARK, "4.6667", 5),      # term 2 not assessed: 14 / 3 = 4.666… → 5
    (CURRENT, [3, 4, 4, 4], MARK, "3.75", 4),           # 15 / 4 = 3.75 → 4
    (CURRENT, [2, 3], MARK, "2.5", 3),                  # half-years: 5 / 2 = 2.5 → 3
    (CURRENT, [5, 5, 5, 5], MARK, "5", 5),
    (CURRENT, [3, 3, 4, 4], MARK, "3.5", 4),            # 14 / 4 = 3.5 → 4
    (CURRENT, [3, 3, 3, 4], MARK, "3.25", 3),           # 13 / 4 = 3.25 → 3
    (HALF_EVEN_YEAR, [4, 5], MARK, "4.5", 4),           # half to even: 4
    (HALF_EVEN_YEAR, [3, 4], MARK, "3.5", 4),           # half to even: 4
    (DOWN_YEAR, [4, 5, 5], MARK, "4.6667", 4),
    (CURRENT, [None, None, None, None], NO_MARK, None, None),
    (CURRENT, [], NO_MARK, None, None),
])
def test_year(rule_set, marks, kind, average, mark):
    result = compute_year(rule_set, marks)
    assert (result.kind, q(result.average), result.mark) == (kind, q(average), mark)


def test_year_explanation():
    result = compute_year(CURRENT, [4, 5, 4, 5])
    assert result.terms_used == (1, 2, 3, 4) and result.terms_not_assessed == ()
    assert result.explanation == [
        _("Term marks: %(marks)s.") % {"marks": "4, 5, 4, 5"},
        _("Average: (%(sum)s) / %(count)s = %(average)s") % {"sum": "4 + 5 + 4 + 5", "count": 4, "average": "4.5"},
        _("Rounded %(mode)s to a whole mark: %(mark)s.") % {"mode": _("half up"), "mark": 5},
    ]


def test_year_with_a_term_not_assessed_says_so():
    result = compute_year(CURRENT, [4, None, 5, 5])
    assert result.terms_used == (1, 3, 4) and result.terms_not_assessed == (2,)
    assert result.explanation[:3] == [
        _("Term marks: %(marks)s.") % {"marks": "4, —, 5, 5"},
        ngettext("Term %(terms)s has no mark (not assessed): the year mark is the average of the other terms.",
                 "Terms %(terms)s have no mark (not assessed): the year mark is the average of the other terms.", 1)
        % {"terms": "2"},
        _("Average: (%(sum)s) / %(count)s = %(average)s") % {"sum": "4 + 5 + 5", "count": 3, "average": "4.66…"},
    ]
    two_missing = compute_year(CURRENT, [None, 3, None, 4])
    assert ngettext("Term %(terms)s has no mark (not assessed): the year mark is the average of the other terms.",
                    "Terms %(terms)s have no mark (not assessed): the year mark is the average of the other terms.", 2
                    ) % {"terms": "1, 3"} in two_missing.explanation
    assert compute_year(CURRENT, [None, None]).explanation == [_("No term marks: the year mark is not computed.")]


# --- versions of the rules ---------------------------------------------------------------------------

LATER = variant(code="TEST-2030", valid_from="2030-09-01", order="A later (made-up) amending order",
                weights={"formative": 30, "section_summative": 30, "term_summative": 40})
RULE_SETS = (*DEFAULT_RULE_SETS, LATER)


def test_current_rule_set():
    assert CURRENT.code == "MOE-125-2008/2023" and CURRENT.valid_from == date(2023, 9, 1)
    assert CURRENT.weights == Weights(D(25), D(25), D(50))
    assert CURRENT.no_term_summative_weights == Weights(D(50), D(50), D(0))
    assert CURRENT.marks == (2, 3, 4, 5) and CURRENT.max_section_summatives == 3
    assert (CURRENT.formative_min, CURRENT.formative_max) == (1, 10)
    assert CURRENT.unmarked_grade_levels == (1,) and (CURRENT.min_grade_level, CURRENT.max_grade_level) == (1, 11)
    assert rule_set_for(date(2025, 3, 1)) is CURRENT


def test_rule_set_chosen_by_date():
    assert rule_set_for(date(2023, 9, 1), RULE_SETS) is CURRENT
    assert rule_set_for(date(2030, 8, 31), RULE_SETS) is CURRENT
    assert rule_set_for(date(2030, 9, 1), RULE_SETS) is LATER
    assert rule_set_for(date(2031, 5, 25), reversed(RULE_SETS)) is LATER
    example = term(7, [8, 9, 10, 7], [(18, 20), (9, 10)], (22, 25))
    # 0.25·85 + 0.25·90 + 0.5·88 = 87.75 before; 0.3·85 + 0.3·90 + 0.4·88 = 25.5 + 27 + 35.2 = 87.7 after
    assert compute_term(rule_set_for(date(2024, 10, 1), RULE_SETS), example).weighted_percent == D("87.75")
    later = compute_term(rule_set_for(date(2030, 10, 1), RULE_SETS), example)
    assert later.weighted_percent == D("87.7") and later.rule_set == "TEST-2030"
    assert later.weights == Weights(D(30), D(30), D(40))


def test_round_trip_through_the_dict_form():
    data = CURRENT.to_dict()
    assert json.loads(json.dumps(data)) == data  # JSON-compatible
    assert RuleSet.from_dict(json.loads(json.dumps(data))) == CURRENT
    assert RuleSet.from_dict(LATER.to_dict()) == LATER
    assert RuleSet.from_dict(LATER.to_dict()).to_dict() == LATER.to_dict()
    assert data["weights"] == {"formative": "25", "section_summative": "25", "term_summative": "50"}
    assert data["thresholds"] == [{"min_percent": "0", "mark": 2}, {"min_percent": "40", "mark": 3},
                                  {"min_percent": "65", "mark": 4}, {"min_percent": "85", "mark": 5}]
    assert data["percent_rounding"] == {"mode": "half_up", "places": 1}
    assert EXACT.to_dict()["percent_rounding"] == {"mode": "none"}
    # numbers may be given as JSON numbers too; optional keys may be left out
    loose = copy.deepcopy(data)
    loose["weights"] = {"formative": 25, "section_summative": 25.0, "term_summative": 50}
    loose["thresholds"] = [{"min_percent": 0, "mark": 2}, {"min_percent": 40, "mark": 3},
                           {"min_percent": 65, "mark": 4}, {"min_percent": 85, "mark": 5}]
    assert RuleSet.from_dict(loose) == CURRENT
    for key in ("notes", "subject_rules", "schema"):
        del loose[key]
    assert RuleSet.from_dict(loose) == dataclasses.replace(CURRENT, notes="", subject_rules=())


def test_rule_set_built_in_code():
    built = RuleSet(
        code="TEST-CODE", valid_from=date(2024, 9, 1), order="Built in code",
        weights=Weights(20, 30, 50), no_term_summative_weights=Weights(40, 60, 0),
        formative_min=1, formative_max=10, max_section_summatives=4, min_grade_level=1, max_grade_level=11,
        unmarked_grade_levels=(1,), thresholds=(grading.Threshold(0, 2), grading.Threshold(D("42.5"), 3),
                                                grading.Threshold(65, 4), grading.Threshold(85, 5)),
        percent_rounding=grading.Rounding("half_up", 1), year_rounding=grading.Rounding("half_up"),
        missing_group="renormalize")
    assert built.weights == Weights(D(20), D(30), D(50))
    assert RuleSet.from_dict(built.to_dict()) == built
    assert built.to_dict()["thresholds"][1] == {"min_percent": "42.5", "mark": 3}
    # ФО 85 %, СОр 27/30 = 90 %, СОч 88 % → 0.2·85 + 0.3·90 + 0.5·88 = 17 + 27 + 44 = 88 → 5
    assert compute_term(built, term(7, [8, 9, 10, 7], [(18, 20), (9, 10)], (22, 25))).weighted_percent == 88
    # ФО 4+4 = 40 %, СОр 42/100, СОч 42/100 → 8 + 12.6 + 21 = 41.6 → 41.6 < 42.5 → 2
    assert compute_term(built, term(7, [4, 4], [(42, 100)], (42, 100))).mark == 2


def test_rule_set_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        CURRENT.code = "X"  # type: ignore[misc]


# --- errors ------------------------------------------------------------------------------------------

def raises(call) -> GradingError:
    with pytest.raises(GradingError) as error:
        call()
    return error.value


def formative_error(value: str) -> str:
    return (_("A formative mark must be between %(min)s and %(max)s, got %(value)s.")
            % {"min": "1", "max": "10", "value": value})


INPUT_ERRORS = [
    ("formative mark above the scale", term(7, [8, 11]), "formative[1]",
     lambda: formative_error("11")),
    ("formative mark below the scale", term(7, [0]), "formative[0]",
     lambda: formative_error("0")),
    ("formative mark not a number", term(7, ["abc"]), "formative[0]",
     lambda: _("Expected a number, got %(value)s.") % {"value": "'abc'"}),
    ("formative mark a boolean", term(7, [True]), "formative[0]",
     lambda: _("Expected a number, got %(value)s.") % {"value": "True"}),
    ("points above the maximum", term(7, [8], [(21, 20)]), "section_summatives[0].points",
     lambda: _("Points cannot exceed the maximum of %(max)s, got %(value)s.") % {"max": "20", "value": "21"}),
    ("term points above the maximum", term(7, [8], [], (26, 25)), "term_summative.points",
     lambda: _("Points cannot exceed the maximum of %(max)s, got %(value)s.") % {"max": "25", "value": "26"}),
    ("negative points", term(7, [8], [(10, 20), (-1, 10)]), "section_summatives[1].points",
     lambda: _("Points cannot be negative, got %(value)s.") % {"value": "-1"}),
    ("maximum zero", term(7, [8], [(0, 0)]), "section_summatives[0].max_points",
     lambda: _("The maximum must be greater than 0, got %(value)s.") % {"value": "0"}),
    ("negative maximum", term(7, [8], [], (5, -25)), "term_summative.max_points",
     lambda: _("The maximum must be greater than 0, got %(value)s.") % {"value": "-25"}),
    ("points missing", term(7, [8], [], Score(None, 25)), "term_summative.points",
     lambda: _("Points are required unless the work was missed.")),
    ("four section summatives", term(7, [8], [(5, 10)] * 4), "section_summatives",
     lambda: _("At most %(max)s section summatives are allowed in a term, got %(count)s.") % {"max": 3, "count": 4}),
    ("grade 0", term(0), "grade_level",
     lambda: _("Grade level must be between %(min)s and %(max)s, got %(value)s.") % {"min": 1, "max": 11, "value": 0}),
    ("grade 12", term(12, [8]), "grade_level",
     lambda: _("Grade level must be between %(min)s and %(max)s, got %(value)s.") % {"min": 1, "max": 11, "value": 12}),
    ("unknown subject rule", term(7, [8], subject_rule="two_hours"), "subject_rule",
     lambda: _("Unknown subject rule “%(rule)s” in rule set %(rule_set)s.") % {"rule": "two_hours",
                                                                              "rule_set": "MOE-125-2008/2023"}),
]


@pytest.mark.parametrize("term_input, field, message", [row[1:] for row in INPUT_ERRORS],
                         ids=[row[0] for row in INPUT_ERRORS])
def test_input_errors(term_input, field, message):
    error = raises(lambda: compute_term(CURRENT, term_input))
    assert (error.field, error.message) == (field, message())
    assert str(error) == f"{field}: {message()}"


def test_missed_work_needs_no_points_and_still_checks_its_maximum():
    assert compute_term(CURRENT, term(7, [8], [Score(None, 20, missed=True)])).kind == NOT_ASSESSED
    error = raises(lambda: compute_term(CURRENT, term(7, [8], [Score(None, 0, missed=True)])))
    assert error.field == "section_summatives[0].max_points"


@pytest.mark.parametrize("marks, field, value", [([4, 6], "term_marks[1]", "6"), ([1], "term_marks[0]", "1"),
                                                  ([5, True], "term_marks[1]", "True"), (["5"], "term_marks[0]", "'5'")])
def test_year_errors(marks, field, value):
    error = raises(lambda: compute_year(CURRENT, marks))
    assert error.field == field
    assert error.message == (_("A term mark must be one of %(marks)s, got %(value)s.")
                             % {"marks": "2, 3, 4, 5", "value": value})


def test_no_rule_set_in_force():
    error = raises(lambda: rule_set_for(date(2023, 8, 31)))
    assert (error.field, error.message) == ("date", _("No rule set is in force on %(date)s.") % {"date": "2023-08-31"})
    same_day = dataclasses.replace(LATER, valid_from=CURRENT.valid_from)
    error = raises(lambda: rule_set_for(date(2024, 1, 1), (CURRENT, same_day)))
    assert (error.field, error.message) == ("rule_sets", _("Two rule sets are valid from the same date."))


def test_percent_out_of_range():
    error = raises(lambda: percent_to_mark(CURRENT, 101))
    assert (error.field, error.message) == ("percent", _("A percentage must be between 0 and 100, got %(value)s.")
                                            % {"value": "101"})


RULE_SET_ERRORS = [
    ("weights not adding up to 100", {"weights": {"formative": 25, "section_summative": 25, "term_summative": 40}},
     "weights", lambda: _("The weights must add up to 100, got %(total)s.") % {"total": "90"}),
    ("negative weight", {"weights": {"formative": -10, "section_summative": 60, "term_summative": 50}},
     "weights.formative", lambda: _("A weight must be a number from 0 to 100, got %(value)s.") % {"value": "-10"}),
    ("term weight without a term summative",
     {"no_term_summative_weights": {"formative": 40, "section_summative": 40, "term_summative": 20}},
     "no_term_summative_weights.term_summative", lambda: _("Without a term summative its weight must be 0.")),
    ("thresholds not rising", {"thresholds": [{"min_percent": 0, "mark": 2}, {"min_percent": 65, "mark": 3},
                                              {"min_percent": 40, "mark": 4}]},
     "thresholds[2]", lambda: _("The thresholds must start at 0 and rise strictly, not above 100, each with a higher "
                                "whole mark.")),
    ("thresholds not from 0", {"thresholds": [{"min_percent": 10, "mark": 2}]},
     "thresholds", lambda: _("The thresholds must start at 0 and rise strictly, not above 100, each with a higher "
                             "whole mark.")),
    ("unknown rounding mode", {"percent_rounding": {"mode": "bankers", "places": 1}}, "percent_rounding.mode",
     lambda: _("Unknown rounding mode “%(mode)s”: use one of %(modes)s.") % {
         "mode": "bankers", "modes": "half_up, half_even, half_down, up, down, none"}),
    ("too many decimal places", {"percent_rounding": {"mode": "half_up", "places": 9}}, "percent_rounding.places",
     lambda: _("The number of decimal places must be a whole number from 0 to %(max)s, got %(value)s.") % {
         "max": 6, "value": "9"}),
    ("year not rounded to a whole mark", {"year_rounding": {"mode": "none"}}, "year_rounding",
     lambda: _("The year mark is a whole mark: use a rounding mode with 0 decimal places.")),
    ("unknown missing-group policy", {"missing_group": "ignore"}, "missing_group",
     lambda: _("Unknown value “%(value)s”: use one of %(values)s.") % {"value": "ignore",
                                                                     "values": "renormalize, insufficient"}),
    ("missing code", {"code": None}, "code", lambda: _("Missing or invalid value.")),
    ("bad date", {"valid_from": "1 September 2023"}, "valid_from",
     lambda: _("Expected a date, got %(value)s.") % {"value": "'1 September 2023'"}),
    ("bad formative scale", {"formative_scale": {"min": 10, "max": 1}}, "formative_scale",
     lambda: _("The formative scale must run from a minimum of at least 0 up to a larger maximum.")),
    ("unmarked grade outside the levels", {"unmarked_grade_levels": [0]}, "unmarked_grade_levels[0]",
     lambda: _("Grade level must be between %(min)s and %(max)s, got %(value)s.") % {"min": 1, "max": 11, "value": 0}),
    ("subject rule weights", {"subject_rules": {"x": {"weights": {"formative": 50, "section_summative": 40,
                                                                  "term_summative": 0}}}},
     "subject_rules.x.weights", lambda: _("The weights must add up to 100, got %(total)s.") % {"total": "90"}),
    ("unknown schema", {"schema": 2}, "schema",
     lambda: _("Unknown value “%(value)s”: use one of %(values)s.") % {"value": 2, "values": "1"}),
]


@pytest.mark.parametrize("changes, field, message", [row[1:] for row in RULE_SET_ERRORS],
                         ids=[row[0] for row in RULE_SET_ERRORS])
def test_rule_set_errors(changes, field, message):
    error = raises(lambda: variant(**changes))
    assert (error.field, error.message) == (field, message())


def test_error_messages_follow_the_active_language():
    with translation.override("ru"):
        error = raises(lambda: compute_term(CURRENT, term(7, [8], [(5, 10)] * 4)))
        assert error.message == _("At most %(max)s section summatives are allowed in a term, got %(count)s.") % {
            "max": 3, "count": 4}


def test_exact_rounding_helper():
    # the rounding works on exact fractions: 2/3 % half up to 1 decimal is 0.7, 0.25 half even to 1 decimal is 0.2
    assert grading._round(Fraction(2, 3), "half_up", 1) == Fraction(7, 10)
    assert grading._round(Fraction(1, 4), "half_even", 1) == Fraction(2, 10)
    assert grading._round(Fraction(1, 4), "half_down", 1) == Fraction(2, 10)
    assert grading._round(Fraction(-1, 4), "half_up", 1) == Fraction(-3, 10)
    assert grading._round(Fraction(1, 3), "none", 1) == Fraction(1, 3)

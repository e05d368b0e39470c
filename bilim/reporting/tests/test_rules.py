"""R8: validation rules kept as data (a small expression language, compiled once) and outlier checks
(year over year, modified z-score among similar organizations). Pure Python: no database."""

from __future__ import annotations

from decimal import Decimal, localcontext

import pytest
from django.utils import translation
from django.utils.translation import gettext as _

from bilim.reporting import rules
from bilim.reporting.rules import (
    Binary,
    Call,
    Cell,
    External,
    Flag,
    Negate,
    Number,
    Range,
    RuleSyntaxError,
    Violation,
    check,
    compile_rule,
    compile_rules,
    flags_for_submission,
    parse,
    peer_outliers,
    unparse,
    year_over_year,
)
from bilim.reporting.spec import CELL_KEY, CellSpec, ColumnSpec, FormSpec, RowSpec, RuleSpec, SectionSpec, ValueType

D = Decimal
INT, DEC, PCT, TEXT, BOOL = (ValueType.INTEGER, ValueType.DECIMAL, ValueType.PERCENT, ValueType.TEXT,
                             ValueType.BOOLEAN)


# --- helpers -----------------------------------------------------------------------------------------

def rule(expression: str, code: str = "R1", message: str | dict | None = "Check failed", severity: str = "error") -> RuleSpec:
    texts = message if isinstance(message, dict) else ({"en": message} if message else {})
    return RuleSpec(code=code, expression=expression, message=texts, severity=severity)


def make_spec(cells: dict[str, str], rule_specs=(), code: str = "F1") -> FormSpec:
    """A form from ``{cell key: value type}``; rows and columns follow from the keys."""
    cell_specs = {}
    for key, value_type in cells.items():
        row, column = CELL_KEY.match(key).groups()
        cell_specs[key] = CellSpec(key=key, row=row, column=column, indicator=f"IND{row}", value_type=value_type)
    rows = sorted({cell.row for cell in cell_specs.values()}, key=int)
    columns = sorted({cell.column for cell in cell_specs.values()}, key=int)
    return FormSpec(
        id=1, code=code, year="2025", version=1, title={"en": "Test form"},
        sections=(SectionSpec("S1", {"en": "Section"}, tuple(RowSpec(r, {"en": f"Row {r}"}, f"IND{r}") for r in rows)),),
        columns=tuple(ColumnSpec(c, {"en": f"Column {c}"}) for c in columns),
        cells=cell_specs,
        rules=tuple(rule_specs),
    )


# A small form: integers in column 1, decimals in column 2, a percent, a text and a yes/no cell.
BASE_CELLS = {
    "r01c1": INT, "r02c1": INT, "r03c1": INT, "r04c1": INT, "r05c1": INT,
    "r01c2": DEC, "r02c2": DEC, "r03c2": DEC, "r04c2": DEC,
    "r01c3": PCT, "r02c3": PCT,
    "r01c4": TEXT, "r01c5": BOOL,
}


def base_spec(*rule_specs, code: str = "F1") -> FormSpec:
    return make_spec(BASE_CELLS, rule_specs, code=code)


def sides(left, right) -> str:
    return _("Left side: %(left)s, right side: %(right)s.") % {"left": left, "right": right}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


# --- parsing -----------------------------------------------------------------------------------------

def test_precedence_and_left_associativity():
    tree = parse("1 + 2 * 3 - 4 / 2 = r01c1")
    assert tree.op == "="
    assert tree.left == Binary("-", Binary("+", Number(D(1)), Binary("*", Number(D(2)), Number(D(3)))),
                               Binary("/", Number(D(4)), Number(D(2))))
    assert tree.right == Cell("r01c1")
    assert unparse(parse("r01c1 - r02c1 - r03c1 = r04c1 / r05c1 / 2")) == \
        "((r01c1 - r02c1) - r03c1) = ((r04c1 / r05c1) / 2)"
    assert unparse(parse("(r01c1 + r02c1) * 2 >= r03c1")) == "((r01c1 + r02c1) * 2) >= r03c1"


def test_unary_minus_and_plus():
    assert parse("-r01c1 * 2 = --3").left == Binary("*", Negate(Cell("r01c1")), Number(D(2)))
    assert parse("-r01c1 * 2 = --3").right == Negate(Negate(Number(D(3))))
    assert parse("+r01c1 = -(r02c1 + 1)").left == Cell("r01c1")
    assert parse("+r01c1 = -(r02c1 + 1)").right == Negate(Binary("+", Cell("r02c1"), Number(D(1))))
    assert parse("r01c1 - -1 = 2").left == Binary("-", Cell("r01c1"), Negate(Number(D(1))))
    spec = base_spec(rule("-r01c1 * 2 = --3 - r02c1"))
    assert check(spec, {"r01c1": D(-3), "r02c1": D(-3)}) == []  # 6 = 3 + 3


def test_decimal_literals_names_and_spaces():
    tree = parse("  R01C1\t<=1.25*sum( r02c1 ,r03c1 )\n")
    assert tree == rules.Comparison("<=", Cell("r01c1"), Binary("*", Number(D("1.25")), Call("sum", (Cell("r02c1"), Cell("r03c1")))))
    assert parse("SUM(r01c1) = Max(r02c1, 1)").left == Call("sum", (Cell("r01c1"),))


def test_ranges_and_functions():
    tree = parse("r01c1 = sum(r02c1:r05c1) + min(r01c2, 2) - max(r01c2:r02c2, r03c2 * 2) + abs(r04c2 - 1)")
    assert unparse(tree) == ("r01c1 = (((sum(r02c1:r05c1) + min(r01c2, 2)) - max(r01c2:r02c2, (r03c2 * 2))) "
                             "+ abs((r04c2 - 1)))")
    assert parse("sum(r02c1:r05c1) = 0").left == Call("sum", (Range("r02c1", "r05c1"),))


def test_range_is_the_rectangle_of_existing_cells_compared_as_integers():
    cells = {f"r{row:02d}c{column}": INT for row in range(1, 6) for column in (3, 4, 5)}
    del cells["r03c4"]  # a hole in the grid: not part of the range
    cells["r10c4"] = INT  # outside
    spec = make_spec(cells)
    compiled = compile_rule(rule("sum(r02c4:r04c3) >= 0"), spec)  # corners in any order
    assert set(compiled.cells) == {"r02c3", "r02c4", "r03c3", "r04c3", "r04c4"}
    # Row and column codes compare as integers: r2c3 covers the row coded "02".
    assert set(compile_rule(rule("sum(r2c3:r4c3) >= 0"), spec).cells) == {"r02c3", "r03c3", "r04c3"}
    values = {key: D(1) for key in cells}
    values["r04c4"] = D(10)
    assert check(make_spec(cells, [rule("sum(r02c4:r04c3) = 14")]), values) == []


def test_cross_form_references():
    tree = parse("r01c1 <= [85-К] r01c1 + [D-1]r02c1")  # a Cyrillic К in the code, a space before the cell
    assert tree.right == Binary("+", External("85-К", "r01c1"), External("D-1", "r02c1"))
    assert unparse(tree) == "r01c1 <= ([85-К]r01c1 + [D-1]r02c1)"
    compiled = compile_rule(rule("r01c1 <= [85-К]r01c1 + [F1]r02c1"), base_spec())
    # The form's own code is a plain reference to its own cell.
    assert compiled.cells == ("r01c1", "r02c1")
    assert compiled.other_cells == (("85-К", "r01c1"),)


def test_parse_is_cached_and_not_python():
    assert parse("r01c1 = r02c1") is parse("r01c1 = r02c1")
    for hostile in ("__import__('os').system('true') = 1", "r01c1.real = 1", "r01c1 ** 2 = 1", "lambda: 1 = 1"):
        with pytest.raises(RuleSyntaxError):
            compile_rule(rule(hostile), base_spec())


# --- syntax errors -----------------------------------------------------------------------------------

def error_of(expression: str, spec: FormSpec | None = None) -> RuleSyntaxError:
    with pytest.raises(RuleSyntaxError) as info:
        compile_rule(rule(expression, code="R7"), spec or base_spec())
    assert info.value.rule == "R7"
    assert info.value.expression == expression
    assert str(info.value) == info.value.message
    return info.value


@pytest.mark.parametrize("expression, position, template, params", [
    ("r01c1 = r09c9", 8, "The cell %(cell)s at position %(position)s does not exist in this form.", {"cell": "r09c9"}),
    ("r01c1 = [F1]r09c1", 8, "The cell %(cell)s at position %(position)s does not exist in this form.", {"cell": "r09c1"}),
    ("r01c1 & 2 = 1", 6, "Unexpected character %(char)s at position %(position)s.", {"char": "'&'"}),
    ("r01c1 = 1.", 9, "Unexpected character %(char)s at position %(position)s.", {"char": "'.'"}),
    ("r01c1 == 1", 7, "Expected a number, a cell or ( at position %(position)s, found %(found)s.",
     {"found": "'='"}),
    ("р01c1 = 1", 0, "The character %(char)s at position %(position)s is a Cyrillic letter: cell keys are written "
                     "with the Latin letters r and c, like r01c3.", {"char": "'р'"}),
    ("(r01c1 + r02c1 = r03c1", 0, "The parenthesis opened at position %(position)s is not closed.", {}),
    ("r01c1 = ((r02c1 + 1)", 8, "The parenthesis opened at position %(position)s is not closed.", {}),
    ("sum(r01c1, r02c1 = 1", 3, "The parenthesis opened at position %(position)s is not closed.", {}),
    ("r01c1 + r02c1) = r03c1", 13, "The closing parenthesis at position %(position)s has no opening one.", {}),
    ("r01c1 = ()", 9, "Expected a number, a cell or ( at position %(position)s, found %(found)s.",
     {"found": "')'"}),
    ("r01c1 + r01c4 = 1", 8, "The cell %(cell)s at position %(position)s does not hold a number, so a rule cannot "
                             "calculate with it.", {"cell": "r01c4"}),
    ("r01c5 = 1", 0, "The cell %(cell)s at position %(position)s does not hold a number, so a rule cannot "
                     "calculate with it.", {"cell": "r01c5"}),
    ("sum(r01c3:r01c5) = 1", 4, "The range %(range)s at position %(position)s includes the cell %(cell)s, which "
                                "does not hold a number.", {"range": "r01c3:r01c5", "cell": "r01c4"}),
    ("sum(r07c1:r09c2) = 1", 4, "The range %(range)s at position %(position)s contains no cell of this form.",
     {"range": "r07c1:r09c2"}),
    ("r01c1 r02c1 = 1", 6, "Expected an operator (+, -, *, /) or a comparison (=, !=, <=, >=, <, >) at position "
                           "%(position)s, found %(found)s.", {"found": "'r02c1'"}),
    ("r01c1 + r02c1", 13, "The rule has no comparison: add =, !=, <=, >=, < or > between two sides "
                          "(position %(position)s).", {}),
    ("r01c1 =", 7, "The rule ends too early: a number, a cell or ( is missing at position %(position)s.",
     {}),
    ("r01c1 = 1 < 2", 10, "A rule compares two sides only: a second comparison %(found)s at position %(position)s.",
     {"found": "'<'"}),
    ("= r01c1", 0, "Expected a number, a cell or ( at position %(position)s, found %(found)s.",
     {"found": "'='"}),
    ("total = 1", 0, "Unknown name %(name)s at position %(position)s: use a cell such as r01c3 or one of the "
                     "functions sum, min, max, abs.", {"name": "total"}),
    ("sum r01c1 = 1", 4, "Expected ( after %(name)s at position %(position)s.", {"name": "sum"}),
    ("sum() = 1", 0, "The function %(name)s at position %(position)s needs at least one argument.", {"name": "sum"}),
    ("abs(r01c1, r02c1) = 1", 0, "The function abs at position %(position)s takes exactly one number, not a list or "
                                 "a range.", {}),
    ("sum(r01c1 r02c1) = 1", 10, "Expected , or ) at position %(position)s, found %(found)s.", {"found": "'r02c1'"}),
    ("sum(r01c1:5) = 1", 10, "Expected the range's last cell at position %(position)s, found %(found)s.",
     {"found": "'5'"}),
    ("r01c1:r02c1 = 1", 0, "The range at position %(position)s can only be used inside sum(), min() or max().", {}),
    ("sum([F2]r01c1:r02c1) = 1", 4, "A range cannot refer to another form (position %(position)s).", {}),
    ("[F2 r01c1 = 1", 0, "The form code opened by [ at position %(position)s has no closing ].", {}),
    ("[ ]r01c1 = 1", 0, "The form code in [ ] at position %(position)s is empty.", {}),
    ("[F2] 7 = 1", 5, "Expected a cell such as r01c3 after [%(form)s] at position %(position)s.", {"form": "F2"}),
])
def test_syntax_errors_name_the_position(expression, position, template, params):
    error = error_of(expression)
    assert error.position == position
    assert error.message == _(template) % {**params, "position": position + 1}
    assert error.pointer() == f"{expression}\n{' ' * position}^"


@pytest.mark.parametrize("expression, template", [
    ("", "The rule is empty."),
    ("   ", "The rule is empty."),
    ("1 + 2 = 3", "The rule refers to no cell."),
])
def test_errors_about_the_whole_rule(expression, template):
    error = error_of(expression)
    assert error.position is None
    assert error.message == _(template)


def test_nesting_and_length_are_bounded():
    deep = "(" * 200 + "r01c1" + ")" * 200 + " = 1"
    assert error_of(deep).message == _("The expression is nested too deeply at position %(position)s.") % {"position": 65}
    long = "r01c1 = " + " + ".join(["r02c1"] * 1000)
    assert error_of(long).message == _("The rule is too long (at most %(n)s characters).") % {"n": rules.MAX_LENGTH}


def test_errors_are_translated_when_raised():
    with translation.override("ru"):
        error = error_of("r01c1 = r09c9")
        expected = _("The cell %(cell)s at position %(position)s does not exist in this form.") % {
            "cell": "r09c9", "position": 9}
    assert error.message == expected


def test_check_refuses_a_broken_rule():
    spec = base_spec(rule("r01c1 = 1", code="OK"), rule("r01c1 = r99c1", code="BAD"))
    with pytest.raises(RuleSyntaxError) as info:
        check(spec, {"r01c1": D(1)})
    assert info.value.rule == "BAD"


# --- evaluation --------------------------------------------------------------------------------------

@pytest.mark.parametrize("op, left, right, holds", [
    ("=", 5, 5, True), ("=", 5, 6, False), ("=", 6, 5, False),
    ("!=", 5, 5, False), ("!=", 5, 6, True), ("!=", 6, 5, True),
    ("<", 5, 5, False), ("<", 5, 6, True), ("<", 6, 5, False),
    ("<=", 5, 5, True), ("<=", 5, 6, True), ("<=", 6, 5, False),
    (">", 5, 5, False), (">", 5, 6, False), (">", 6, 5, True),
    (">=", 5, 5, True), (">=", 5, 6, False), (">=", 6, 5, True),
])
def test_every_operator(op, left, right, holds):
    spec = base_spec(rule(f"r01c1 {op} r02c1", code="OP", message="Sides do not compare", severity="warning"))
    violations = check(spec, {"r01c1": D(left), "r02c1": D(right)})
    if holds:
        assert violations == []
    else:
        assert violations == [Violation("OP", "warning", f"{_('Sides do not compare')}. {sides(left, right)}",
                                        ("r01c1", "r02c1"), D(left), D(right))]


def test_violation_message_cells_and_values():
    spec = base_spec(rule("r01c1 = r02c1 + r03c1 + r04c1", code="TOTAL",
                          message={"kk": "Барлығы бөліктердің қосындысына тең болуы керек.",
                                   "ru": "Итого должно равняться сумме частей.",
                                   "en": "The total must equal the sum of its parts."}))
    values = {"r01c1": D(120), "r02c1": D(100), "r03c1": D(18), "r04c1": None}
    [violation] = check(spec, values)
    assert violation.code == "TOTAL"
    assert violation.severity == "error"
    assert violation.cells == ("r01c1", "r02c1", "r03c1", "r04c1")
    assert (violation.left, violation.right) == (D(120), D(118))
    assert violation.message == "The total must equal the sum of its parts. " + sides("120", "118")
    with translation.override("ru"):
        [violation] = check(spec, values)
        assert violation.message == "Итого должно равняться сумме частей. " + sides("120", "118")


def test_message_falls_back_when_the_rule_has_none():
    spec = base_spec(rule("r01c1 >= r02c1", code="R9", message=None))
    [violation] = check(spec, {"r01c1": D(1), "r02c1": D(2)})
    assert violation.message == (_("Rule %(code)s is not met: %(expression)s.") % {"code": "R9", "expression": "r01c1 >= r02c1"}
                                 + " " + sides("1", "2"))


def test_numbers_in_messages_use_the_languages_decimal_mark():
    spec = base_spec(rule("r01c2 = r02c2", message="Must match"))
    values = {"r01c2": D("1234.5"), "r02c2": D("10") / D(3)}
    assert check(spec, values)[0].message.endswith(sides("1234.5", "3.3333"))
    with translation.override("ru"):
        assert check(spec, values)[0].message.endswith(sides("1234,5", "3,3333"))


def test_empty_cells_count_as_zero():
    spec = base_spec(rule("r01c1 = r02c1 + r03c1"))
    assert check(spec, {"r01c1": D(5), "r02c1": D(5), "r03c1": None}) == []
    assert check(spec, {"r01c1": D(5), "r02c1": D(5)}) == []  # absent is empty too
    [violation] = check(spec, {"r01c1": None, "r02c1": D(5), "r03c1": D(2)})
    assert (violation.left, violation.right) == (D(0), D(7))


def test_a_rule_over_empty_cells_only_is_skipped():
    spec = base_spec(rule("r01c1 > 0"), rule("r02c1 + r03c1 >= 1", code="R2"))
    assert check(spec, {}) == []
    assert check(spec, {"r01c1": None, "r02c1": None, "r03c1": None, "r04c1": D(3)}) == []
    # Zero is a value, not an empty cell.
    assert [v.code for v in check(spec, {"r01c1": D(0), "r02c1": D(0)})] == ["R1", "R2"]


def test_values_are_read_like_typed_numbers():
    spec = base_spec(rule("r01c1 = r02c1 + r03c1"))
    assert check(spec, {"r01c1": "1 234", "r02c1": 1000, "r03c1": "234"}) == []
    # Not a number: treated as empty.
    assert check(spec, {"r01c1": D(5), "r02c1": "five", "r03c1": True}) != []
    assert check(spec, {"r01c1": "n/a", "r02c1": "", "r03c1": D("NaN")}) == []


def test_integer_rules_are_exact():
    spec = base_spec(rule("r01c1 = r02c1 + 0.01"), rule("r01c1 * 3 = r02c1", code="R2"))
    assert compile_rules(spec)[0].tolerance == 0
    assert [v.code for v in check(spec, {"r01c1": D(5), "r02c1": D(5)})] == ["R1", "R2"]
    # 1/3 is not rounded away when counts are compared.
    assert [v.code for v in check(base_spec(rule("r01c1 / 3 = r02c1")), {"r01c1": D(100), "r02c1": D(33)})] == ["R1"]


@pytest.mark.parametrize("column, value_type", [("2", DEC), ("3", PCT)])
def test_decimal_and_percent_rules_allow_a_cent(column, value_type):
    spec = base_spec(rule(f"r01c{column} = r02c{column} * 3"))
    assert compile_rules(spec)[0].tolerance == D("0.01")
    assert check(spec, {f"r01c{column}": D(100), f"r02c{column}": D("33.33")}) == []  # 99.99
    [violation] = check(spec, {f"r01c{column}": D(100), f"r02c{column}": D("33.32")})  # 99.96
    assert violation.right == D("99.96")
    # A decimal cell on one side is enough: the whole comparison is approximate.
    mixed = base_spec(rule("r01c1 = r01c2 + r02c2"))
    assert check(mixed, {"r01c1": D(1), "r01c2": D("0.33"), "r02c2": D("0.66")}) == []


@pytest.mark.parametrize("op, left, right, holds", [
    ("=", "10", "10.01", True), ("=", "10", "10.02", False),
    ("!=", "10", "10.005", False), ("!=", "10", "10.02", True),
    ("<", "10", "10.005", False), ("<", "10", "10.02", True),
    ("<=", "10.01", "10", True), ("<=", "10.02", "10", False),
    (">", "10.005", "10", False), (">", "10.02", "10", True),
    (">=", "10", "10.01", True), (">=", "10", "10.02", False),
])
def test_tolerance_applies_to_every_operator(op, left, right, holds):
    spec = base_spec(rule(f"r01c2 {op} r02c2"))
    assert (check(spec, {"r01c2": D(left), "r02c2": D(right)}) == []) is holds


def test_division_by_zero_skips_the_rule():
    spec = base_spec(rule("r01c1 / r02c1 <= 2"), rule("r01c1 / (r02c1 - r03c1) <= 2", code="R2"))
    assert check(spec, {"r01c1": D(10), "r02c1": D(0)}) == []
    assert check(spec, {"r01c1": D(10)}) == []  # empty divisor is 0
    assert check(spec, {"r01c1": D(0), "r02c1": D(0), "r03c1": D(0)}) == []  # 0/0
    assert check(spec, {"r01c1": D(10), "r02c1": D(7), "r03c1": D(7)}) == []  # R1: 10/7 ≤ 2; R2: 10/0
    [violation] = check(spec, {"r01c1": D(10), "r02c1": D(4), "r03c1": D(4)})
    assert violation.code == "R1" and violation.left == D("2.5")


def test_functions_evaluate():
    spec = base_spec(
        rule("sum(r01c1:r05c1) = 15", code="SUM"),
        rule("min(r01c1, r02c1, r03c1 * 10) = 1", code="MIN"),
        rule("max(r01c1:r05c1, 2 * r05c1) = 10", code="MAX"),
        rule("abs(r01c1 - r05c1) = 4", code="ABS"),
        rule("abs(r01c2) = 2.5", code="ABS1"),
        rule("sum(r01c1, r02c1 * 2, r03c1:r04c1) = 12", code="MIXED"),
    )
    values = {f"r0{n}c1": D(n) for n in range(1, 6)} | {"r01c2": D("-2.5")}
    assert check(spec, values) == []
    values["r05c1"] = None  # empty cells count as 0 inside functions too
    assert [v.code for v in check(spec, values)] == ["SUM", "MAX", "ABS"]


def test_cross_form_lookups():
    spec = base_spec(rule("r01c1 <= [F2]r01c1", code="X1"), rule("r02c1 = [F2]r01c1 - [F3]r01c1", code="X2"))
    calls = []
    other = {("F2", "r01c1"): D(10), ("F3", "r01c1"): D(4)}

    def lookup(form, key):
        calls.append((form, key))
        return other.get((form, key))

    [violation] = check(spec, {"r01c1": D(12), "r02c1": D(6)}, other_forms=lookup)
    assert violation.code == "X1"
    assert (violation.left, violation.right) == (D(12), D(10))
    assert violation.other_cells == (("F2", "r01c1"),)
    assert sorted(calls) == [("F2", "r01c1"), ("F3", "r01c1")]  # once each, though F2 is read by two rules
    # Another form's cell counts as a value: an empty own side is 0 and the rule is decided.
    assert [v.code for v in check(spec, {}, other_forms=lookup)] == ["X2"]


def test_missing_cross_form_values_skip_the_rule():
    spec = base_spec(rule("r01c1 <= [F2]r01c1", code="X1"), rule("r01c1 <= 5", code="LOCAL"))
    values = {"r01c1": D(12)}
    assert [v.code for v in check(spec, values)] == ["LOCAL"]  # no lookup given
    assert [v.code for v in check(spec, values, other_forms=lambda form, key: None)] == ["LOCAL"]
    assert [v.code for v in check(spec, values, other_forms=lambda form, key: D(0))] == ["X1", "LOCAL"]


def test_compiled_rules_are_cached_per_spec_and_evaluate_alone():
    spec = base_spec(rule("r01c1 = r02c1"))
    assert compile_rules(spec) is compile_rules(spec)
    compiled = compile_rules(spec)[0]
    assert compiled.evaluate({"r01c1": D(1), "r02c1": D(1)}) is None
    assert compiled.evaluate({"r01c1": D(1), "r02c1": D(2)}).right == D(2)
    assert compile_rules(base_spec(rule("r01c1 = r03c1")))[0].cells == ("r01c1", "r03c1")


def test_results_do_not_depend_on_the_callers_decimal_context():
    spec = base_spec(rule("r01c1 / 3 * 3 = r02c1"))
    with localcontext() as context:
        context.prec = 3
        [violation] = check(spec, {"r01c1": D(1000), "r02c1": D(999)})
    assert violation.left > D("999.99")


def test_a_400_cell_form_with_50_rules_checks():
    """Sanity check of the workload the design targets (timing is for the benchmark, not the test)."""
    cells = {f"r{row:02d}c{column}": INT for row in range(1, 21) for column in range(1, 21)}
    rule_specs = [rule(f"r01c{c} = sum(r02c{c}:r20c{c})", code=f"COL{c}") for c in range(1, 21)]
    rule_specs += [rule(f"r{r:02d}c1 = sum(r{r:02d}c2:r{r:02d}c20)", code=f"ROW{r}") for r in range(2, 22) if r <= 20]
    rule_specs += [rule(f"r{r:02d}c2 <= r{r:02d}c1", code=f"PART{r}") for r in range(2, 11)]
    rule_specs += [rule("r01c1 <= [OTHER]r01c1 * 2", code="XFORM")]
    assert len(cells) == 400 and len(rule_specs) == 49
    spec = make_spec(cells, rule_specs)
    values = {key: D(0) for key in cells}
    for row in range(2, 21):
        for column in range(2, 21):
            values[f"r{row:02d}c{column}"] = D(row + column)
        values[f"r{row:02d}c1"] = sum((values[f"r{row:02d}c{column}"] for column in range(2, 21)), D(0))
    for column in range(1, 21):
        values[f"r01c{column}"] = sum((values[f"r{row:02d}c{column}"] for row in range(2, 21)), D(0))
    assert check(spec, values, other_forms=lambda form, key: values[key]) == []
    values["r05c7"] += 1  # breaks its row total and its column total
    broken = check(spec, values, other_forms=lambda form, key: D(1))
    assert [v.code for v in broken] == ["COL7", "ROW5", "XFORM"]
    for _round in range(20):
        assert len(check(spec, values, other_forms=lambda form, key: D(1))) == 3


# --- year over year ----------------------------------------------------------------------------------

def yoy_message(percent, previous, current) -> str:
    return _("Changed by %(percent)s%% since last year (from %(previous)s to %(current)s).") % {
        "percent": percent, "previous": previous, "current": current}


def test_year_over_year_worked_example():
    spec = base_spec()
    previous = {"r01c1": D(120), "r02c1": D(4), "r03c1": D(100), "r04c1": D(200), "r05c1": D(0),
                "r01c2": D("0.5"), "r02c2": D(7), "r01c4": "old", "r01c5": True}
    current = {"r01c1": D(196), "r02c1": D(9), "r03c1": D(140), "r04c1": D(50), "r05c1": D(25),
               "r01c2": D(20), "r02c2": None, "r01c4": "new text", "r01c5": False}
    flags = year_over_year(spec, current, previous)
    assert [flag.cell for flag in flags] == ["r01c1", "r04c1", "r05c1", "r01c2"]
    grew, fell, from_zero, small_base = flags
    # 120 → 196: |76| / 120 = 0.633 > 0.5 and 76 ≥ 10.
    assert grew == Flag("r01c1", "yoy", grew.score, D(120), D(196), yoy_message("63", "120", "196"))
    assert abs(grew.score - D(76) / D(120)) < D("1e-25")
    # 200 → 50: a fall of 75 %; the score keeps the sign.
    assert fell.score == D("-0.75") and fell.message == yoy_message("75", "200", "50")
    # 0 → 25: the base is max(|0|, 1) = 1, so the ratio is 25.
    assert from_zero.score == D(25)
    assert from_zero.message == _("Was 0 last year and is %(current)s now.") % {"current": "25"}
    # 0.5 → 20: ratio 19.5 on the base of 1; the message tells the real change, 3900 %.
    assert small_base.score == D("19.5") and small_base.message == yoy_message("3900", "0.5", "20")
    # Not flagged: 4 → 9 (ratio 1.25 but only 5 apart), 100 → 140 (ratio 0.4), empty this year, text and yes/no.


@pytest.mark.parametrize("previous, current, flagged", [
    (100, 150, False),  # exactly 0.5: not beyond the threshold
    (100, 151, True),
    (100, 49, True),
    (10, 20, True),  # change 10 = min_abs_change: enough
    (9, 18, False),  # change 9
    (-20, 0, True),  # negative values: base |−20|
])
def test_year_over_year_thresholds(previous, current, flagged):
    flags = year_over_year(base_spec(), {"r01c1": D(current)}, {"r01c1": D(previous)})
    assert bool(flags) is flagged


def test_year_over_year_custom_thresholds():
    spec = base_spec()
    assert year_over_year(spec, {"r01c1": D(130)}, {"r01c1": D(100)}) == []
    [flag] = year_over_year(spec, {"r01c1": D(130)}, {"r01c1": D(100)}, threshold_ratio=D("0.2"))
    assert flag.message == yoy_message("30", "100", "130")
    assert year_over_year(spec, {"r01c1": D(130)}, {"r01c1": D(100)}, threshold_ratio=D("0.2"),
                          min_abs_change=D(31)) == []


# --- peers -------------------------------------------------------------------------------------------

def test_modified_z_score_worked_example():
    values = {"a": D(10), "b": D(12), "c": D(11), "d": D(13), "e": D(12), "f": D(40)}
    # median of 10 11 12 12 13 40 = (12 + 12) / 2 = 12; |x − 12| = 2 0 1 1 0 28 → sorted 0 0 1 1 2 28,
    # MAD = (1 + 1) / 2 = 1; M(f) = 0.6745 · (40 − 12) / 1 = 18.886; M(a) = 0.6745 · (−2) = −1.349.
    assert peer_outliers(values) == {"f": D("0.6745") * 28}
    assert peer_outliers(values)["f"] == D("18.886")


def test_low_outliers_have_a_negative_score():
    values = {1: D(100), 2: D(102), 3: D(98), 4: D(101), 5: D(99), 6: D(10)}
    # median (99 + 100) / 2 = 99.5; deviations 0.5 2.5 1.5 1.5 0.5 89.5 → MAD = 1.5;
    # M(10) = 0.6745 · (10 − 99.5) / 1.5 = −40.2452 (M(102) = 1.124: not flagged).
    result = peer_outliers(values)
    assert list(result) == [6]
    assert abs(result[6] - D("0.6745") * D("-89.5") / D("1.5")) < D("1e-24")
    assert result[6].quantize(D("0.0001")) == D("-40.2452")


def test_threshold_is_a_parameter():
    values = {"a": D(10), "b": D(12), "c": D(11), "d": D(13), "e": D(12), "f": D(17)}
    # median 12, deviations 2 0 1 1 0 5 → MAD 1; M(f) = 0.6745 · 5 = 3.3725 ≤ 3.5.
    assert peer_outliers(values) == {}
    assert peer_outliers(values, threshold=D(3)) == {"f": D("3.3725")}


def test_mad_zero_falls_back_to_the_mean_absolute_deviation():
    values = {unit: D(5) for unit in "abcdef"} | {"g": D(20)}
    # median 5; deviations 0 0 0 0 0 0 15 → MAD = 0; MeanAD = 15 / 7;
    # M(g) = (20 − 5) / (1.253314 · 15/7) = 7 / 1.253314 = 5.5852.
    expected = D(15) / (D("1.253314") * (D(15) / D(7)))
    result = peer_outliers(values)
    assert list(result) == ["g"]
    assert abs(result["g"] - expected) < D("1e-20")
    assert result["g"].quantize(D("0.0001")) == D("5.5852")


def test_no_spread_means_no_outliers():
    assert peer_outliers({unit: D(7) for unit in range(10)}) == {}


def test_fewer_than_min_peers_flags_nothing():
    values = {"a": D(10), "b": D(11), "c": D(12), "d": D(1000)}
    assert peer_outliers(values) == {}
    assert list(peer_outliers(values, min_peers=4)) == ["d"]
    # Empty values do not count as peers.
    assert peer_outliers(values | {"e": None}) == {}
    assert list(peer_outliers(values | {"e": D(11)})) == ["d"]


# --- one submission ----------------------------------------------------------------------------------

def peer_message(median, score) -> str:
    return _("Far from similar organizations (median %(median)s, modified z-score %(score)s).") % {
        "median": median, "score": score}


def test_flags_for_submission_combines_both_checks_in_form_order():
    spec = base_spec()
    values = {"r01c1": D(196), "r02c1": D(40), "r03c1": D(500), "r01c4": "text"}
    previous = {"r01c1": D(120), "r02c1": D(12), "r03c1": D(100)}
    peers = {
        # The unit's own old value (12) is replaced by the one being submitted (40):
        # peers 10 12 11 13 12 and 40 → median 12, MAD 1, M = 18.886.
        "r02c1": {"u1": D(10), "u2": D(12), "u3": D(11), "u4": D(13), "u5": D(12), "me": D(12)},
        "r01c1": {"u1": D(150), "u2": D(190), "u3": D(200), "u4": D(170), "u5": D(210)},
        "r03c1": {"u1": D(100), "u2": D(101), "u3": D(99), "u4": D(102), "u5": D(98)},
    }
    flags = flags_for_submission(spec, values, previous, peers, "me")
    assert [(flag.cell, flag.kind) for flag in flags] == [("r01c1", "yoy"), ("r02c1", "yoy"), ("r02c1", "peer"),
                                                          ("r03c1", "yoy"), ("r03c1", "peer")]
    assert flags[0].message == yoy_message("63", "120", "196")
    peer = flags[2]
    assert peer == Flag("r02c1", "peer", D("18.886"), D(12), D(40), peer_message("12", "18.9"))
    # 98 99 100 101 102 500 → median 100.5, deviations 2.5 1.5 0.5 0.5 1.5 399.5 → MAD 1.5;
    # M = 0.6745 · 399.5 / 1.5 = 179.6418…
    assert flags[4].reference == D("100.5")
    assert flags[4].message == peer_message("100.5", "179.6")


def test_flags_for_submission_uses_the_value_being_submitted():
    spec = base_spec()
    peers = {"r01c1": {"u1": D(10), "u2": D(12), "u3": D(11), "u4": D(13), "me": D(400)}}
    assert flags_for_submission(spec, {"r01c1": D(12)}, None, peers, "me") == []
    [flag] = flags_for_submission(spec, {"r01c1": D(400)}, None, {"r01c1": {k: v for k, v in peers["r01c1"].items() if k != "me"}}, "me")
    assert flag.kind == "peer"  # four peers and the unit: five values
    assert flags_for_submission(spec, {"r01c1": D(400)}, None, {"r01c1": {"u1": D(10), "u2": D(12), "u3": D(11)}},
                                "me") == []  # four values: too few


def test_flags_for_submission_without_history_or_values():
    spec = base_spec()
    assert flags_for_submission(spec, {}, {"r01c1": D(10)}, {}, "me") == []
    assert flags_for_submission(spec, {"r01c1": D(100)}, None, {}, "me") == []
    assert flags_for_submission(spec, {"r01c1": D(100)}, {"r01c1": D(10)}, {}, "me", threshold_ratio=D(10)) == []

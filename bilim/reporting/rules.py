"""Checks of a submission's data (R8: "distortion" is data shown wrongly in a submission).

Two kinds of check, both pure Python over a ``FormSpec`` and a dict of cell values:

* **Validation rules kept as data** (``RuleSpec.expression``), written in a small, safe language
  and compiled once per rule into closures. An ``"error"`` blocks submission, a ``"warning"`` needs
  an explanation. Grammar (EBNF; spaces allowed between tokens, names are case-insensitive)::

      rule       = sum_expr, comparison, sum_expr ;
      comparison = "=" | "!=" | "<=" | ">=" | "<" | ">" ;
      sum_expr   = product, { ("+" | "-"), product } ;
      product    = unary, { ("*" | "/"), unary } ;
      unary      = ("-" | "+"), unary | primary ;
      primary    = number | cell_ref | call | "(", sum_expr, ")" ;
      call       = function, "(", argument, { ",", argument }, ")" ;
      function   = "sum" | "min" | "max" | "abs" ;          (* abs takes exactly one argument *)
      argument   = cell, ":", cell | sum_expr ;             (* a range: only inside a call *)
      cell_ref   = [ "[", form_code, "]" ], cell ;          (* [85-K]r01c3: another form's cell *)
      cell       = "r", digit, { digit }, "c", digit, { digit } ;
      number     = digit, { digit }, [ ".", digit, { digit } ] ;
      form_code  = any characters but "[" and "]" ;

  Semantics: an empty cell counts as 0, but a rule whose every referenced cell is empty is skipped;
  a division by zero skips the rule; another form's value that the caller cannot give (``None``)
  skips the rule. Numbers compare exactly, except that a rule involving a DECIMAL or PERCENT cell
  treats values within 0.01 of each other as equal.

* **Outlier checks**: a large change since last year and a value far from similar organizations'
  (the modified z-score of Iglewicz & Hoaglin). A flagged value needs an explanation before
  submission; the caller asks for it.

Nothing here touches the database; ``check`` on a 400-cell form with 50 rules takes well under a
millisecond after the first call compiled the rules."""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation, localcontext
from functools import lru_cache
from typing import Union

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .spec import FormSpec, RuleSpec, ValueType, localized

__all__ = [
    "Binary", "Call", "Cell", "CompiledRule", "Comparison", "External", "Flag", "Negate", "Number",
    "Range", "RuleSyntaxError", "Violation", "check", "compile_rule", "compile_rules",
    "flags_for_submission", "parse", "peer_outliers", "unparse", "year_over_year",
]

ZERO = Decimal(0)
ONE = Decimal(1)
TOLERANCE = Decimal("0.01")  # for rules over DECIMAL or PERCENT cells
COMPARISONS = ("=", "!=", "<=", ">=", "<", ">")
FUNCTIONS = ("sum", "min", "max", "abs")
MAX_LENGTH = 4000
MAX_DEPTH = 64

_CONTEXT = Context(prec=34)  # the caller's decimal context never changes a rule's result
_APPROXIMATE_TYPES = (ValueType.DECIMAL, ValueType.PERCENT)


# --- errors ------------------------------------------------------------------------------------------

class RuleSyntaxError(ValueError):
    """A rule that cannot be read or refers to what the form does not have. ``message`` is in the
    active language and names the position; ``position`` is the 0-based offset in ``expression``
    (``None`` when the problem is the whole rule); ``rule`` is the rule's code when known."""

    def __init__(self, message: str, position: int | None = None, expression: str = "", rule: str | None = None):
        super().__init__(message)
        self.message = message
        self.position = position
        self.expression = expression
        self.rule = rule

    def pointer(self) -> str:
        """The expression with a caret under the position, for a monospace display."""
        if self.position is None:
            return self.expression
        return f"{self.expression}\n{' ' * self.position}^"


def _error(message: str, position: int | None, expression: str, **params) -> RuleSyntaxError:
    if position is not None:
        params["position"] = position + 1  # people count characters from 1
    return RuleSyntaxError(message % params if params else message, position, expression)


# --- the tree ----------------------------------------------------------------------------------------
# Immutable and free of positions in comparisons, so a test can write the tree it expects.

@dataclass(frozen=True)
class Number:
    value: Decimal
    pos: int = field(default=-1, compare=False)


@dataclass(frozen=True)
class Cell:
    key: str
    pos: int = field(default=-1, compare=False)


@dataclass(frozen=True)
class External:
    form: str
    key: str
    pos: int = field(default=-1, compare=False)


@dataclass(frozen=True)
class Range:
    first: str
    last: str
    pos: int = field(default=-1, compare=False)


@dataclass(frozen=True)
class Negate:
    operand: Node
    pos: int = field(default=-1, compare=False)


@dataclass(frozen=True)
class Binary:
    op: str
    left: Node
    right: Node
    pos: int = field(default=-1, compare=False)


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Node, ...]
    pos: int = field(default=-1, compare=False)


@dataclass(frozen=True)
class Comparison:
    op: str
    left: Node
    right: Node
    pos: int = field(default=-1, compare=False)


Node = Union[Number, Cell, External, Range, Negate, Binary, Call]


def unparse(node: Node | Comparison) -> str:
    """The tree written back with every operation in parentheses: shows how a rule was read."""
    if isinstance(node, Comparison):
        return f"{unparse(node.left)} {node.op} {unparse(node.right)}"
    if isinstance(node, Number):
        return f"{node.value:f}"
    if isinstance(node, Cell):
        return node.key
    if isinstance(node, External):
        return f"[{node.form}]{node.key}"
    if isinstance(node, Range):
        return f"{node.first}:{node.last}"
    if isinstance(node, Negate):
        return f"(-{unparse(node.operand)})"
    if isinstance(node, Binary):
        return f"({unparse(node.left)} {node.op} {unparse(node.right)})"
    return f"{node.name}({', '.join(unparse(arg) for arg in node.args)})"


# --- tokens ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Token:
    kind: str  # num, cell, name, form, op, cmp, (, ), ",", ":", end
    text: str
    pos: int


_SCANNER = re.compile(r"""
    (?P<space>\s+)
  | (?P<num>[0-9]+(?:\.[0-9]+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<cmp><=|>=|!=|=|<|>)
  | (?P<op>[-+*/])
  | (?P<punct>[(),:])
""", re.VERBOSE)
_CELL_NAME = re.compile(r"[rR]([0-9]+)[cC]([0-9]+)")
_CYRILLIC_LOOKALIKES = "рсРС"  # typed for r and c on a Russian or Kazakh keyboard


def _tokenize(expression: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos, length = 0, len(expression)
    while pos < length:
        char = expression[pos]
        if char == "[":
            close = expression.find("]", pos + 1)
            opening = expression.find("[", pos + 1)
            if close < 0 or 0 <= opening < close:
                raise _error(_("The form code opened by [ at position %(position)s has no closing ]."), pos, expression)
            code = expression[pos + 1:close].strip()
            if not code:
                raise _error(_("The form code in [ ] at position %(position)s is empty."), pos, expression)
            tokens.append(_Token("form", code, pos))
            pos = close + 1
            continue
        match = _SCANNER.match(expression, pos)
        if match is None:
            if char in _CYRILLIC_LOOKALIKES:
                raise _error(_("The character %(char)s at position %(position)s is a Cyrillic letter: cell keys are written "
                               "with the Latin letters r and c, like r01c3."), pos, expression, char=repr(char))
            raise _error(_("Unexpected character %(char)s at position %(position)s."), pos, expression, char=repr(char))
        kind, text = match.lastgroup, match.group()
        if kind == "name":
            kind = "cell" if _CELL_NAME.fullmatch(text) else "name"
            if kind == "cell":
                text = text.lower()
        elif kind == "punct":
            kind = text
        if kind != "space":
            tokens.append(_Token(kind, text, pos))
        pos = match.end()
    tokens.append(_Token("end", "", length))
    return tokens


# --- the parser --------------------------------------------------------------------------------------

class _Parser:
    def __init__(self, expression: str):
        self.expression = expression
        self.tokens = _tokenize(expression)
        self.index = 0
        self.depth = 0

    def peek(self, ahead: int = 0) -> _Token:
        return self.tokens[min(self.index + ahead, len(self.tokens) - 1)]

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def fail(self, message: str, token: _Token, **params) -> RuleSyntaxError:
        return _error(message, token.pos, self.expression, **params)

    def missing_operand(self, token: _Token) -> RuleSyntaxError:
        if token.kind == "end":
            return self.fail(_("The rule ends too early: a number, a cell or ( is missing at position %(position)s."),
                             token)
        return self.fail(_("Expected a number, a cell or ( at position %(position)s, found %(found)s."), token,
                         found=_shown(token))

    def rule(self) -> Comparison:
        if self.peek().kind == "end":
            raise _error(_("The rule is empty."), None, self.expression)
        left = self.sum_expr()
        token = self.peek()
        if token.kind != "cmp":
            raise self.after_operand(token)
        self.take()
        right = self.sum_expr()
        extra = self.peek()
        if extra.kind == "cmp":
            raise self.fail(_("A rule compares two sides only: a second comparison %(found)s at position %(position)s."),
                            extra, found=_shown(extra))
        if extra.kind != "end":
            raise self.after_operand(extra)
        return Comparison(token.text, left, right, token.pos)

    def after_operand(self, token: _Token) -> RuleSyntaxError:
        if token.kind == "end":
            return self.fail(_("The rule has no comparison: add =, !=, <=, >=, < or > between two sides "
                               "(position %(position)s)."), token)
        if token.kind == ")":
            return self.fail(_("The closing parenthesis at position %(position)s has no opening one."), token)
        return self.fail(_("Expected an operator (+, -, *, /) or a comparison (=, !=, <=, >=, <, >) at position "
                           "%(position)s, found %(found)s."), token, found=_shown(token))

    def sum_expr(self) -> Node:
        node = self.product()
        while self.peek().kind == "op" and self.peek().text in "+-":
            op = self.take()
            node = Binary(op.text, node, self.product(), op.pos)
        return node

    def product(self) -> Node:
        node = self.unary()
        while self.peek().kind == "op" and self.peek().text in "*/":
            op = self.take()
            node = Binary(op.text, node, self.unary(), op.pos)
        return node

    def unary(self) -> Node:
        token = self.peek()
        if token.kind == "op" and token.text in "+-":
            self.take()
            self.enter(token)
            operand = self.unary()
            self.depth -= 1
            return operand if token.text == "+" else Negate(operand, token.pos)
        return self.primary()

    def enter(self, token: _Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail(_("The expression is nested too deeply at position %(position)s."), token)

    def primary(self) -> Node:
        token = self.take()
        if token.kind == "num":
            return Number(Decimal(token.text), token.pos)
        if token.kind == "cell":
            if self.peek().kind == ":":
                raise self.fail(_("The range at position %(position)s can only be used inside sum(), min() or max()."), token)
            return Cell(token.text, token.pos)
        if token.kind == "form":
            cell = self.take()
            if cell.kind != "cell":
                raise self.fail(_("Expected a cell such as r01c3 after [%(form)s] at position %(position)s."), cell,
                                form=token.text)
            if self.peek().kind == ":":
                raise self.fail(_("A range cannot refer to another form (position %(position)s)."), token)
            return External(token.text, cell.text, token.pos)
        if token.kind == "name":
            return self.call(token)
        if token.kind == "(":
            self.enter(token)
            node = self.sum_expr()
            closing = self.peek()
            if closing.kind != ")":
                if closing.kind in ("end", "cmp"):
                    raise self.fail(_("The parenthesis opened at position %(position)s is not closed."), token)
                raise self.after_operand(closing)
            self.take()
            self.depth -= 1
            return node
        raise self.missing_operand(token)

    def call(self, name: _Token) -> Call:
        function = name.text.lower()
        if function not in FUNCTIONS:
            raise self.fail(_("Unknown name %(name)s at position %(position)s: use a cell such as r01c3 or one of the "
                              "functions sum, min, max, abs."), name, name=name.text)
        opening = self.take()
        if opening.kind != "(":
            raise self.fail(_("Expected ( after %(name)s at position %(position)s."), opening, name=function)
        self.enter(opening)
        args: list[Node] = []
        if self.peek().kind == ")":
            raise self.fail(_("The function %(name)s at position %(position)s needs at least one argument."), name,
                            name=function)
        while True:
            args.append(self.argument())
            token = self.peek()
            if token.kind == ",":
                self.take()
                continue
            if token.kind == ")":
                self.take()
                break
            if token.kind in ("end", "cmp"):
                raise self.fail(_("The parenthesis opened at position %(position)s is not closed."), opening)
            raise self.fail(_("Expected , or ) at position %(position)s, found %(found)s."), token, found=_shown(token))
        self.depth -= 1
        if function == "abs" and (len(args) != 1 or isinstance(args[0], Range)):
            raise self.fail(_("The function abs at position %(position)s takes exactly one number, not a list or a range."), name)
        return Call(function, tuple(args), name.pos)

    def argument(self) -> Node:
        first, colon = self.peek(), self.peek(1)
        if first.kind == "cell" and colon.kind == ":":
            self.index += 2
            last = self.take()
            if last.kind != "cell":
                raise self.fail(_("Expected the range's last cell at position %(position)s, found %(found)s."), last,
                                found=_shown(last))
            return Range(first.text, last.text, first.pos)
        return self.sum_expr()


def _shown(token: _Token) -> str:
    return f"[{token.text}]" if token.kind == "form" else f"'{token.text}'"


@lru_cache(maxsize=4096)
def _parse(expression: str) -> Comparison:
    if len(expression) > MAX_LENGTH:
        raise _error(_("The rule is too long (at most %(n)s characters)."), None, expression, n=MAX_LENGTH)
    return _Parser(expression).rule()


def parse(expression: str) -> Comparison:
    """The tree of a rule, or ``RuleSyntaxError``. Cached by the expression's text; needs no form,
    so it cannot tell whether the cells exist: ``compile_rule`` does."""
    return _parse(expression)


# --- compiling ---------------------------------------------------------------------------------------

Values = Mapping[str, Decimal]  # the filled numeric cells of the form, nothing else
Evaluator = Callable[[Values, Mapping[tuple[str, str], Decimal]], Decimal]
OtherForms = Callable[[str, str], Union[Decimal, None]]


class _Skip(Exception):
    """The rule cannot be decided on these values (a division by zero)."""


@dataclass(frozen=True)
class Violation:
    code: str  # the rule's code
    severity: str  # "error" blocks submission; "warning" needs an explanation
    message: str  # in the active language, with both sides' values
    cells: tuple[str, ...]  # this form's cells the rule reads, in order of appearance
    left: Decimal
    right: Decimal
    other_cells: tuple[tuple[str, str], ...] = ()  # (form code, cell key) of other forms' cells


@dataclass(frozen=True, eq=False)
class CompiledRule:
    rule: RuleSpec
    tree: Comparison
    cells: tuple[str, ...]
    other_cells: tuple[tuple[str, str], ...]
    tolerance: Decimal  # 0: exact
    _left: Evaluator = field(repr=False)
    _right: Evaluator = field(repr=False)
    _holds: Callable[[Decimal], bool] = field(repr=False)  # on left − right

    def sides(self, numbers: Values, others: dict, other_forms: OtherForms | None) -> tuple[Decimal, Decimal] | None:
        """Both sides' values, or ``None`` when the rule is skipped. ``numbers`` holds the filled
        numeric cells as decimals; ``others`` caches other forms' values across rules."""
        if self.other_cells:
            if other_forms is None:
                return None
            for ref in self.other_cells:
                if ref not in others:
                    others[ref] = _number(other_forms(*ref))
                if others[ref] is None:
                    return None
        elif numbers.keys().isdisjoint(self.cells):
            return None
        try:
            return self._left(numbers, others), self._right(numbers, others)
        except _Skip:
            return None

    def holds(self, left: Decimal, right: Decimal) -> bool:
        return self._holds(left - right)

    def evaluate(self, values: Mapping[str, object], other_forms: OtherForms | None = None) -> Violation | None:
        """This rule alone on a submission's values: its violation, or ``None`` (kept or skipped)."""
        with localcontext(_CONTEXT):
            numbers = _numbers(self.cells, values)
            sides = self.sides(numbers, {}, other_forms)
            if sides is None or self.holds(*sides):
                return None
            return self.violation(*sides)

    def violation(self, left: Decimal, right: Decimal) -> Violation:
        text = localized(self.rule.message).strip()
        if not text:
            text = _("Rule %(code)s is not met: %(expression)s.") % {"code": self.rule.code,
                                                                     "expression": self.rule.expression}
        elif text[-1] not in ".!?…":
            text += "."
        sides = _("Left side: %(left)s, right side: %(right)s.") % {"left": _text(left), "right": _text(right)}
        return Violation(self.rule.code, self.rule.severity, f"{text} {sides}", self.cells, left, right,
                         self.other_cells)


def _comparator(op: str, tolerance: Decimal) -> Callable[[Decimal], bool]:
    """A test on left − right; within ``tolerance`` the sides are equal."""
    low, high = -tolerance, tolerance
    return {
        "=": lambda d: low <= d <= high,
        "!=": lambda d: d < low or d > high,
        "<": lambda d: d < low,
        "<=": lambda d: d <= high,
        ">": lambda d: d > high,
        ">=": lambda d: d >= low,
    }[op]


class _Compiler:
    """Turns one rule's tree into closures over (numbers, others), checking it against the form."""

    def __init__(self, spec: FormSpec, expression: str):
        self.spec = spec
        self.expression = expression
        self.cells: dict[str, None] = {}  # an ordered set
        self.others: dict[tuple[str, str], None] = {}
        self.approximate = False

    def fail(self, message: str, position: int, **params) -> RuleSyntaxError:
        return _error(message, position, self.expression, **params)

    def local(self, key: str, position: int) -> str:
        cell = self.spec.cells.get(key)
        if cell is None:
            raise self.fail(_("The cell %(cell)s at position %(position)s does not exist in this form."), position,
                            cell=key)
        if cell.value_type not in ValueType.NUMERIC:
            raise self.fail(_("The cell %(cell)s at position %(position)s does not hold a number, so a rule cannot "
                              "calculate with it."), position, cell=key)
        self.cells[key] = None
        self.approximate = self.approximate or cell.value_type in _APPROXIMATE_TYPES
        return key

    def range(self, node: Range) -> list[str]:
        (row_a, column_a), (row_b, column_b) = (_coordinates(node.first), _coordinates(node.last))
        rows = range(min(row_a, row_b), max(row_a, row_b) + 1)
        columns = range(min(column_a, column_b), max(column_a, column_b) + 1)
        keys = []
        for key, cell in self.spec.cells.items():
            coordinates = _cell_coordinates(cell.row, cell.column)
            if coordinates is None or coordinates[0] not in rows or coordinates[1] not in columns:
                continue
            if cell.value_type not in ValueType.NUMERIC:
                raise self.fail(_("The range %(range)s at position %(position)s includes the cell %(cell)s, which does "
                                  "not hold a number."), node.pos, range=f"{node.first}:{node.last}", cell=key)
            keys.append(self.local(key, node.pos))
        if not keys:
            raise self.fail(_("The range %(range)s at position %(position)s contains no cell of this form."), node.pos,
                            range=f"{node.first}:{node.last}")
        return keys

    def build(self, node: Node) -> Evaluator:
        if isinstance(node, Number):
            value = node.value
            return lambda numbers, others: value
        if isinstance(node, Cell):
            key = self.local(node.key, node.pos)
            return lambda numbers, others: numbers.get(key, ZERO)
        if isinstance(node, External):
            if node.form.casefold() == self.spec.code.casefold():
                return self.build(Cell(node.key, node.pos))
            ref = (node.form, node.key)
            self.others[ref] = None
            return lambda numbers, others: others[ref]
        if isinstance(node, Negate):
            if isinstance(node.operand, Number):
                value = -node.operand.value
                return lambda numbers, others: value
            operand = self.build(node.operand)
            return lambda numbers, others: -operand(numbers, others)
        if isinstance(node, Binary):
            return self.binary(node.op, self.build(node.left), self.build(node.right))
        if isinstance(node, Call):
            return self.call(node)
        raise self.fail(_("The range at position %(position)s can only be used inside sum(), min() or max()."), node.pos)

    @staticmethod
    def binary(op: str, a: Evaluator, b: Evaluator) -> Evaluator:
        if op == "+":
            return lambda numbers, others: a(numbers, others) + b(numbers, others)
        if op == "-":
            return lambda numbers, others: a(numbers, others) - b(numbers, others)
        if op == "*":
            return lambda numbers, others: a(numbers, others) * b(numbers, others)

        def divide(numbers, others):
            divisor = b(numbers, others)
            if not divisor:
                raise _Skip
            return a(numbers, others) / divisor

        return divide

    def call(self, node: Call) -> Evaluator:
        keys: list[str] = []  # plain cells and ranges: read directly, the common case
        parts: list[Evaluator] = []
        for arg in node.args:
            if isinstance(arg, Range):
                keys.extend(self.range(arg))
            elif isinstance(arg, Cell):
                keys.append(self.local(arg.key, arg.pos))
            else:
                parts.append(self.build(arg))
        keys_t, parts_t = tuple(keys), tuple(parts)
        if node.name == "abs":
            if parts_t:
                only = parts_t[0]
                return lambda numbers, others: abs(only(numbers, others))
            key = keys_t[0]
            return lambda numbers, others: abs(numbers.get(key, ZERO))
        if node.name == "sum":
            if not parts_t:
                def total(numbers, others):
                    result = ZERO
                    for key in keys_t:
                        value = numbers.get(key)
                        if value is not None:
                            result += value
                    return result
                return total

            def total_with_parts(numbers, others):
                result = ZERO
                for key in keys_t:
                    result += numbers.get(key, ZERO)
                for part in parts_t:
                    result += part(numbers, others)
                return result
            return total_with_parts
        pick = min if node.name == "min" else max

        def extreme(numbers, others):
            return pick([numbers.get(key, ZERO) for key in keys_t] + [part(numbers, others) for part in parts_t])
        return extreme


def _coordinates(key: str) -> tuple[int, int]:
    match = _CELL_NAME.fullmatch(key)
    return int(match.group(1)), int(match.group(2))


def _cell_coordinates(row: str, column: str) -> tuple[int, int] | None:
    if not (row.isascii() and row.isdigit() and column.isascii() and column.isdigit()):
        return None
    return int(row), int(column)


def compile_rule(rule: RuleSpec, spec: FormSpec) -> CompiledRule:
    """Read a rule and check it against the form: every cell exists and holds a number. Raises
    ``RuleSyntaxError`` (its ``rule`` set to the rule's code); call it when a form is designed."""
    try:
        tree = parse(rule.expression)
        compiler = _Compiler(spec, rule.expression)
        left, right = compiler.build(tree.left), compiler.build(tree.right)
        if not compiler.cells and not compiler.others:
            raise _error(_("The rule refers to no cell."), None, rule.expression)
    except RuleSyntaxError as error:
        error.rule = rule.code
        raise
    tolerance = TOLERANCE if compiler.approximate else ZERO
    return CompiledRule(rule, tree, tuple(compiler.cells), tuple(compiler.others), tolerance, left, right,
                        _comparator(tree.op, tolerance))


@dataclass(frozen=True)
class _CompiledForm:
    rules: tuple[CompiledRule, ...]
    keys: tuple[str, ...]  # every cell some rule reads


_FORMS: dict[int, tuple[weakref.ref, _CompiledForm]] = {}


def compile_rules(spec: FormSpec) -> tuple[CompiledRule, ...]:
    """All of a form's rules, compiled once per ``FormSpec`` object (cached while it lives)."""
    return _compiled_form(spec).rules


def _compiled_form(spec: FormSpec) -> _CompiledForm:
    entry = _FORMS.get(id(spec))
    if entry is not None and entry[0]() is spec:
        return entry[1]
    rules = tuple(compile_rule(rule, spec) for rule in spec.rules)
    keys = tuple(dict.fromkeys(key for rule in rules for key in rule.cells))
    compiled = _CompiledForm(rules, keys)
    _FORMS[id(spec)] = (weakref.ref(spec), compiled)
    weakref.finalize(spec, _FORMS.pop, id(spec), None)
    return compiled


def _number(value) -> Decimal | None:
    """A numeric cell's value as a decimal; ``None`` for empty or anything that is not a number."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value)) if value == value and abs(value) != float("inf") else None
    if isinstance(value, str):
        text = value.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


def _numbers(keys, values: Mapping[str, object]) -> dict[str, Decimal]:
    numbers = {}
    for key in keys:
        value = values.get(key)
        if value is None:
            continue
        if type(value) is not Decimal or not value.is_finite():
            value = _number(value)
            if value is None:
                continue
        numbers[key] = value
    return numbers


def check(spec: FormSpec, values: Mapping[str, Decimal | str | bool | None], *,
          other_forms: OtherForms | None = None) -> list[Violation]:
    """Every rule of the form on a submission's values, in the form's order: the violated ones.

    ``other_forms(form_code, cell_key)`` gives another form's value in the same campaign period, or
    ``None`` when there is none (a rule that needs it is then skipped: return ``Decimal(0)`` for an
    empty cell of a submitted form if that should count as 0). Raises ``RuleSyntaxError`` when a
    rule of the form is broken: ``compile_rule`` should have refused it when the form was designed."""
    compiled = _compiled_form(spec)
    violations = []
    with localcontext(_CONTEXT):
        numbers = _numbers(compiled.keys, values)
        others: dict[tuple[str, str], Decimal | None] = {}
        for rule in compiled.rules:
            sides = rule.sides(numbers, others, other_forms)
            if sides is None:
                continue
            left, right = sides
            if not rule._holds(left - right):
                violations.append(rule.violation(left, right))
    return violations


# --- outliers ----------------------------------------------------------------------------------------

MAD_SCALE = Decimal("0.6745")  # Iglewicz & Hoaglin: 0.6745 = the 0.75 quantile of N(0, 1)
MEAN_AD_SCALE = Decimal("1.253314")  # sqrt(pi/2): MeanAD's scale for N(0, 1), used when MAD = 0 (IBM SPSS)


@dataclass(frozen=True)
class Flag:
    cell: str
    kind: str  # "yoy" | "peer"
    score: Decimal  # yoy: the change relative to last year, (cur − prev) / max(|prev|, 1); peer: the modified z-score
    reference: Decimal  # yoy: last year's value; peer: the peers' median
    value: Decimal  # this submission's value
    message: str  # in the active language


def _numeric_keys(spec: FormSpec) -> list[str]:
    return [key for key, cell in spec.cells.items() if cell.value_type in ValueType.NUMERIC]


def _yoy_flag(key: str, current: Decimal, previous: Decimal, threshold_ratio: Decimal,
              min_abs_change: Decimal) -> Flag | None:
    change = current - previous
    base = max(abs(previous), ONE)
    if abs(change) / base <= threshold_ratio or abs(change) < min_abs_change:
        return None
    if previous:
        percent = (abs(change) / abs(previous) * 100).quantize(ONE, ROUND_HALF_UP)
        message = _("Changed by %(percent)s%% since last year (from %(previous)s to %(current)s).") % {
            "percent": _text(percent), "previous": _text(previous), "current": _text(current)}
    else:
        message = _("Was 0 last year and is %(current)s now.") % {"current": _text(current)}
    return Flag(key, "yoy", change / base, previous, current, message)


def year_over_year(spec: FormSpec, current: Mapping[str, object], previous: Mapping[str, object], *,
                   threshold_ratio: Decimal = Decimal("0.5"), min_abs_change: Decimal = Decimal(10)) -> list[Flag]:
    """Numeric cells filled this year and last whose change is large both relatively
    (|cur − prev| / max(|prev|, 1) > ``threshold_ratio``) and absolutely (≥ ``min_abs_change``)."""
    flags = []
    with localcontext(_CONTEXT):
        for key in _numeric_keys(spec):
            now, before = _number(current.get(key)), _number(previous.get(key))
            if now is None or before is None:
                continue
            flag = _yoy_flag(key, now, before, threshold_ratio, min_abs_change)
            if flag is not None:
                flags.append(flag)
    return flags


def _median(ordered: list[Decimal]) -> Decimal:
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def _scorer(values: list[Decimal]) -> tuple[Decimal, Callable[[Decimal], Decimal]] | None:
    """The median and the modified z-score function of a population, or ``None`` when every value
    equals the median (no spread: nothing is an outlier)."""
    median = _median(sorted(values))
    deviations = [abs(value - median) for value in values]
    mad = _median(sorted(deviations))
    if mad:
        return median, lambda x: MAD_SCALE * (x - median) / mad
    mean_ad = sum(deviations, ZERO) / len(deviations)
    if mean_ad:
        return median, lambda x: (x - median) / (MEAN_AD_SCALE * mean_ad)
    return None


def _population(values_by_unit: Mapping[Hashable, object]) -> dict[Hashable, Decimal]:
    population = {}
    for unit, value in values_by_unit.items():
        number = _number(value)
        if number is not None:
            population[unit] = number
    return population


def peer_outliers(values_by_unit: Mapping[Hashable, Decimal], *, threshold: Decimal = Decimal("3.5"),
                  min_peers: int = 5) -> dict[Hashable, Decimal]:
    """The units whose value's modified z-score (Iglewicz & Hoaglin) is beyond ±``threshold``, with
    that score. Empty values are left out; fewer than ``min_peers`` values flag nothing.

    M = 0.6745·(x − median)/MAD, MAD the median of |x − median|; when MAD = 0,
    M = (x − median)/(1.253314·MeanAD), MeanAD the mean of |x − median|; when that is 0 too, no
    value is an outlier."""
    with localcontext(_CONTEXT):
        population = _population(values_by_unit)
        if len(population) < max(min_peers, 1):
            return {}
        scorer = _scorer(list(population.values()))
        if scorer is None:
            return {}
        _, score = scorer
        flagged = {}
        for unit, value in population.items():
            z = score(value)
            if abs(z) > threshold:
                flagged[unit] = z
        return flagged


def flags_for_submission(spec: FormSpec, values: Mapping[str, object], previous: Mapping[str, object] | None,
                         peers: Mapping[str, Mapping[Hashable, Decimal]], unit: Hashable, *,
                         threshold_ratio: Decimal = Decimal("0.5"), min_abs_change: Decimal = Decimal(10),
                         peer_threshold: Decimal = Decimal("3.5"), min_peers: int = 5) -> list[Flag]:
    """The year-over-year and peer flags of one unit's submission, cell by cell in the form's order.

    ``previous`` is the unit's submission for last year (``None``: none); ``peers[cell key]`` the
    values of similar organizations for this period, keyed by unit. The unit's own entry there is
    replaced by the value being submitted, so the check is on what the unit is about to send."""
    flags = []
    with localcontext(_CONTEXT):
        for key in _numeric_keys(spec):
            current = _number(values.get(key))
            if current is None:
                continue
            before = _number(previous.get(key)) if previous is not None else None
            if before is not None:
                flag = _yoy_flag(key, current, before, threshold_ratio, min_abs_change)
                if flag is not None:
                    flags.append(flag)
            peer_values = peers.get(key)
            if not peer_values:
                continue
            population = _population(peer_values)
            population[unit] = current
            if len(population) < max(min_peers, 1):
                continue
            scorer = _scorer(list(population.values()))
            if scorer is None:
                continue
            median, score = scorer
            z = score(current)
            if abs(z) > peer_threshold:
                message = _("Far from similar organizations (median %(median)s, modified z-score %(score)s).") % {
                    "median": _text(median), "score": _text(z, places=1)}
                flags.append(Flag(key, "peer", z, median, current, message))
    return flags


# --- numbers in messages -----------------------------------------------------------------------------

def _text(number: Decimal, places: int | None = None) -> str:
    """A number for a message: whole numbers as they are, others to at most 4 decimals (or
    ``places``), with the decimal comma in Kazakh and Russian."""
    try:
        if places is not None:
            number = number.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
        elif number == number.to_integral_value():
            number = number.quantize(ONE)
        else:
            number = number.quantize(Decimal("0.0001"), ROUND_HALF_UP).normalize()
    except InvalidOperation:  # too many digits to round: show it as it is
        pass
    if number == 0:
        number = abs(number)  # no "-0"
    text = f"{number:f}"
    if (get_language() or "kk")[:2] in ("kk", "ru"):
        text = text.replace(".", ",")
    return text

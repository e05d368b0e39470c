"""The shape of a report form as plain, immutable data: what the grid, the XLSX file, the JSON API,
the validation rules and the summary reports all read. ``FormSpec.from_form`` builds it from the
database once per form version; nothing below imports a model.

Cells are keyed ``r<row code>c<column code>`` (row and column codes are digits: ``r01c3``), the
notation statisticians know from R1C1 references and the one the rules use."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import get_language
from django.utils.translation import gettext as _

CELL_KEY = re.compile(r"^r(\d{1,4})c(\d{1,3})$")
MAX_TEXT = 2000


class ValueType:
    INTEGER = "integer"
    DECIMAL = "decimal"
    PERCENT = "percent"
    TEXT = "text"
    BOOLEAN = "boolean"
    NUMERIC = (INTEGER, DECIMAL, PERCENT)
    ALL = (INTEGER, DECIMAL, PERCENT, TEXT, BOOLEAN)


class Aggregation:
    SUM = "sum"
    WEIGHTED_AVERAGE = "weighted_avg"
    NONE = "none"
    ALL = (SUM, WEIGHTED_AVERAGE, NONE)


def cell_key(row: str, column: str) -> str:
    return f"r{row}c{column}"


def localized(texts: dict[str, str], language: str | None = None) -> str:
    language = (language or get_language() or "kk")[:2]
    for code in (language, "kk", "ru", "en"):
        if texts.get(code):
            return texts[code]
    return ""


@dataclass(frozen=True)
class ColumnSpec:
    code: str
    label: dict[str, str]
    breakdown: tuple[tuple[str, str], ...] = ()  # ((breakdown code, item code), …)


@dataclass(frozen=True)
class RowSpec:
    code: str
    label: dict[str, str]
    indicator: str  # indicator code
    breakdown: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class SectionSpec:
    code: str
    title: dict[str, str]
    rows: tuple[RowSpec, ...]


@dataclass(frozen=True)
class CellSpec:
    key: str
    row: str
    column: str
    indicator: str
    value_type: str
    aggregation: str = Aggregation.SUM
    weight_indicator: str | None = None  # for a weighted average: the indicator whose value weighs it
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    unit: str = ""
    breakdown: tuple[tuple[str, str], ...] = ()
    weight_cell: str | None = None  # the cell in the same form holding this cell's weight
    id: int = 0  # the database id of the FormCell


@dataclass(frozen=True)
class RuleSpec:
    """A check of the data, kept as data: ``expression`` compares two arithmetic expressions over
    cell keys, e.g. ``r01c3 = r02c3 + r03c3`` or ``r05c3 <= r01c3``; a reference to another form's
    cell in the same campaign period is written ``[FORM-CODE]r01c3``."""

    code: str
    expression: str
    message: dict[str, str]
    severity: str = "error"  # "error" blocks submission; "warning" needs an explanation


@dataclass(frozen=True)
class FormSpec:
    id: int
    code: str
    year: str
    version: int
    title: dict[str, str]
    sections: tuple[SectionSpec, ...]
    columns: tuple[ColumnSpec, ...]
    cells: dict[str, CellSpec] = field(hash=False)
    rules: tuple[RuleSpec, ...] = ()

    @property
    def rows(self) -> list[RowSpec]:
        return [row for section in self.sections for row in section.rows]

    def cell(self, row: str, column: str) -> CellSpec | None:
        return self.cells.get(cell_key(row, column))


class CellError(ValueError):
    """A value that does not fit its cell; ``message`` is in the active language."""

    def __init__(self, key: str, message: str):
        super().__init__(message)
        self.key = key
        self.message = message


def parse_value(cell: CellSpec, raw) -> Decimal | str | bool | None:
    """Turn what a person or a program typed into the cell's value, or raise ``CellError``.

    Empty means "no value". Numbers accept a comma as the decimal mark and spaces between thousands
    (as Kazakh and Russian users type them); integers must be whole; counts are never negative."""
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None
    if cell.value_type == ValueType.TEXT:
        text = str(raw).strip()
        if len(text) > MAX_TEXT:
            raise CellError(cell.key, _("The text is too long (at most %(n)s characters).") % {"n": MAX_TEXT})
        return text
    if cell.value_type == ValueType.BOOLEAN:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in {"1", "true", "yes", "иә", "да", "y"}:
            return True
        if text in {"0", "false", "no", "жоқ", "нет", "n"}:
            return False
        raise CellError(cell.key, _("Enter yes or no."))
    if isinstance(raw, bool):
        raise CellError(cell.key, _("Enter a number."))
    if isinstance(raw, (int, Decimal)):
        number = Decimal(raw)
    elif isinstance(raw, float):
        number = Decimal(repr(raw))
    else:
        text = str(raw).strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise CellError(cell.key, _("Enter a number.")) from None
    if not number.is_finite():
        raise CellError(cell.key, _("Enter a number."))
    if cell.value_type == ValueType.INTEGER and number != number.to_integral_value():
        raise CellError(cell.key, _("Enter a whole number."))
    if cell.value_type == ValueType.INTEGER:
        number = number.quantize(Decimal(1))
    minimum = cell.min_value if cell.min_value is not None else (Decimal(0) if cell.value_type in ValueType.NUMERIC else None)
    if minimum is not None and number < minimum:
        raise CellError(cell.key, _("The value cannot be less than %(min)s.") % {"min": minimum})
    maximum = cell.max_value if cell.max_value is not None else (Decimal(100) if cell.value_type == ValueType.PERCENT else None)
    if maximum is not None and number > maximum:
        raise CellError(cell.key, _("The value cannot be more than %(max)s.") % {"max": maximum})
    if abs(number) >= Decimal(10) ** 15:
        raise CellError(cell.key, _("The number is too large."))
    return number

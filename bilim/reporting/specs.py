"""Build ``FormSpec`` objects from the database. Approved forms never change, so their spec is
kept in memory by form id; a draft's is rebuilt on demand."""

from __future__ import annotations

from decimal import Decimal

from .models import Form, FormCell, FormColumn, FormRow, FormRule, FormSection
from .spec import CellSpec, ColumnSpec, FormSpec, RowSpec, RuleSpec, SectionSpec

_CACHE: dict[int, FormSpec] = {}


def _texts(obj, prefix: str = "name") -> dict[str, str]:
    return {lang: getattr(obj, f"{prefix}_{lang}") for lang in ("kk", "ru", "en")}


def _pairs(breakdown) -> tuple[tuple[str, str], ...]:
    return tuple((str(a), str(b)) for a, b in (breakdown or []))


def spec_for(form_id: int, *, fresh: bool = False) -> FormSpec:
    if not fresh and form_id in _CACHE:
        return _CACHE[form_id]
    form = Form.objects.get(pk=form_id)
    sections = list(FormSection.objects.filter(form=form).order_by("order"))
    rows = list(FormRow.objects.filter(form=form).select_related("indicator").order_by("section__order", "order"))
    columns = list(FormColumn.objects.filter(form=form).order_by("order"))
    cells = list(FormCell.objects.filter(form=form).select_related("indicator", "indicator__weight", "row", "column"))
    rules = list(FormRule.objects.filter(form=form).order_by("pk"))
    by_indicator = {}
    for cell in cells:
        by_indicator[(cell.indicator.code, _pairs(cell.breakdown))] = cell.key
    cell_specs = {}
    for cell in cells:
        indicator = cell.indicator
        weight_cell = None
        if indicator.weight is not None:
            weight_cell = by_indicator.get((indicator.weight.code, _pairs(cell.breakdown)))
        cell_specs[cell.key] = CellSpec(
            key=cell.key, row=cell.row.code, column=cell.column.code, indicator=indicator.code, value_type=indicator.value_type,
            aggregation=indicator.aggregation, weight_indicator=indicator.weight.code if indicator.weight else None,
            min_value=Decimal(indicator.min_value) if indicator.min_value is not None else None,
            max_value=Decimal(indicator.max_value) if indicator.max_value is not None else None,
            unit=indicator.unit_ru, breakdown=_pairs(cell.breakdown), weight_cell=weight_cell, id=cell.pk,
        )
    spec = FormSpec(
        id=form.pk, code=form.code, year=form.year, version=form.version, title=_texts(form),
        sections=tuple(
            SectionSpec(code=section.code, title=_texts(section), rows=tuple(
                RowSpec(code=row.code, label=_texts(row), indicator=row.indicator.code if row.indicator else "", breakdown=_pairs(row.breakdown))
                for row in rows if row.section_id == section.pk
            ))
            for section in sections
        ),
        columns=tuple(ColumnSpec(code=c.code, label=_texts(c), breakdown=_pairs(c.breakdown)) for c in columns),
        cells=cell_specs,
        rules=tuple(RuleSpec(code=r.code, expression=r.expression, message=_texts(r, "message"), severity=r.severity) for r in rules),
    )
    if form.status == Form.Status.APPROVED:
        _CACHE[form_id] = spec
    return spec


def forget(form_id: int) -> None:
    _CACHE.pop(form_id, None)


def forget_all() -> None:
    """Empty the cache (after a restore from backup, and between tests, ids may come again)."""
    _CACHE.clear()

"""Reference data that ships with Bilim: the republic and its 17 regions and 3 cities of republican
significance, with KATO codes and official kk/ru/en names (``data/regions.json``).

``load_regions`` is idempotent (matched by KATO code) and is run by a data migration, so every
database — a school's laptop or the ministry's server — starts with the real first levels."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from . import paths
from .kazakh import fold, plain_key

DATA = Path(__file__).parent / "data" / "regions.json"


def regions_data() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


def search_text_for(name_kk: str, name_ru: str, name_en: str, kato: str) -> str:
    names = [name_kk, name_ru, name_en]
    keys = {fold(n) for n in names if n} | {plain_key(n) for n in names if n}
    return " | ".join(sorted(keys) + ([kato] if kato else []))


def load_regions(OrgUnit) -> tuple[object, int]:
    """Create or update the root and the 20 first-level units with ``OrgUnit`` (a model class,
    historical in migrations). Returns the root and the number of units created."""
    data = regions_data()
    rep = data["republic"]
    created = 0
    root = OrgUnit.objects.filter(parent__isnull=True).first()
    if root is None:
        root = OrgUnit.objects.create(
            level=0, kind="ministry", name_kk=rep["name_kk"], name_ru=rep["name_ru"], name_en=rep["name_en"],
            kato="", path="new-" + secrets.token_hex(8),
            search_text=search_text_for(rep["name_kk"], rep["name_ru"], rep["name_en"], ""),
        )
        root.path = paths.segment(root.pk)
        root.save(update_fields=["path"])
        created += 1
    for region in data["regions"]:
        fields = {
            "name_kk": region["name_kk"], "name_ru": region["name_ru"], "name_en": region["name_en"],
            "region_kind": region["region_kind"], "kind": "region_authority", "level": 1, "area_type": "urban",
            "search_text": search_text_for(region["name_kk"], region["name_ru"], region["name_en"], region["kato"]),
        }
        unit = OrgUnit.objects.filter(kato=region["kato"], level=1).first()
        if unit is None:
            unit = OrgUnit.objects.create(parent=root, kato=region["kato"], path="new-" + secrets.token_hex(8), **fields)
            unit.path = root.path + paths.segment(unit.pk)
            unit.save(update_fields=["path"])
            created += 1
        else:
            for key, value in fields.items():
                setattr(unit, key, value)
            unit.save(update_fields=list(fields))
    return root, created

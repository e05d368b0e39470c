"""Bilim benchmarks: ``python -m bench NAME`` runs ``bench/NAME.py`` and prints one JSON line.

A benchmark is a module of this package exposing ``run(args) -> dict`` (and, optionally,
``add_arguments(parser)`` for options of its own). It imports Django models only inside ``run``,
after ``bench.env.setup_django()``. Modules named in ``HELPER_MODULES`` are shared code, not
benchmarks. See README.md."""

from __future__ import annotations

import pkgutil
from pathlib import Path

HELPER_MODULES = frozenset({"env", "timing"})


def available() -> list[str]:
    """Names of the benchmarks in this package, sorted."""
    here = str(Path(__file__).resolve().parent)
    return sorted(
        info.name for info in pkgutil.iter_modules([here])
        if not info.ispkg and not info.name.startswith("_") and info.name not in HELPER_MODULES
    )

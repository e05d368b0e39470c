"""Timing helpers shared by every benchmark: repeated timing after a warm-up, median and p95.

Nothing here touches Django, so a benchmark module can import it before ``django.setup()``.

    from bench.timing import measure, stopwatch

    result = measure(lambda: list(qs[:50]), repeat=200, warmup=20)
    result.as_dict()   # {"median_ms": 0.41, "p95_ms": 0.52, "min_ms": ..., "max_ms": ..., "n": 200}

    with stopwatch() as sw:
        seed()
    sw.seconds
"""

from __future__ import annotations

import math
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Sequence

DEFAULT_REPEAT = 200
DEFAULT_WARMUP = 20


def median(values: Sequence[float]) -> float:
    """The middle value (mean of the two middle ones for an even count)."""
    if not values:
        raise ValueError("median of no values")
    ordered = sorted(values)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[mid]
    return (ordered[mid - 1] + ordered[mid]) / 2


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile: the smallest value with at least ``pct`` % of the values at or below it."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 < pct <= 100:
        raise ValueError("pct must be in (0, 100]")
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def p95(values: Sequence[float]) -> float:
    return percentile(values, 95)


@dataclass
class Timing:
    """Samples in seconds, summarized in milliseconds."""

    samples: list[float]
    last_result: Any = None

    @property
    def median_ms(self) -> float:
        return median(self.samples) * 1000

    @property
    def p95_ms(self) -> float:
        return p95(self.samples) * 1000

    def as_dict(self, digits: int = 3) -> dict[str, float | int]:
        return {
            "median_ms": round(self.median_ms, digits),
            "p95_ms": round(self.p95_ms, digits),
            "min_ms": round(min(self.samples) * 1000, digits),
            "max_ms": round(max(self.samples) * 1000, digits),
            "n": len(self.samples),
        }


def measure(fn: Callable[[], Any], *, repeat: int = DEFAULT_REPEAT, warmup: int = DEFAULT_WARMUP) -> Timing:
    """Call ``fn`` ``warmup`` times untimed, then ``repeat`` times timed one call at a time.

    ``fn`` takes no arguments; its last return value is kept in ``Timing.last_result`` so the caller
    can check that it did what was meant (row count, exception caught, ...)."""
    if repeat < 1:
        raise ValueError("repeat must be at least 1")
    result = None
    for _ in range(max(0, warmup)):
        result = fn()
    samples: list[float] = []
    clock = time.perf_counter
    for _ in range(repeat):
        started = clock()
        result = fn()
        samples.append(clock() - started)
    return Timing(samples=samples, last_result=result)


def ratio(numerator: Timing, denominator: Timing, digits: int = 2) -> float | None:
    """Ratio of two medians (e.g. ORM / raw SQL); None when the denominator is zero."""
    if denominator.median_ms == 0:
        return None
    return round(numerator.median_ms / denominator.median_ms, digits)


@dataclass
class Stopwatch:
    started: float = 0.0
    seconds: float = 0.0


@contextmanager
def stopwatch() -> Iterator[Stopwatch]:
    """Wall-clock time of one block (for one-off steps such as seeding), in ``.seconds``."""
    sw = Stopwatch(started=time.perf_counter())
    try:
        yield sw
    finally:
        sw.seconds = time.perf_counter() - sw.started

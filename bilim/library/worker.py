"""The library's background work, drained by ``manage.py library_worker`` (started by ``make run``
beside the web server): text extraction of uploaded files, bulk imports in chunks, and pruning of
raw usage events.

Extraction is slow (a large PDF takes seconds), so a task is not held under a database lock while
it runs: a short transaction claims a batch (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL;
SQLite's IMMEDIATE transactions let one writer in at a time) by setting a lease
(``claimed_until``); the text is extracted outside any transaction; a second short transaction
stores the result, deletes the task and re-indexes the record. A worker that dies leaves its lease
to expire and another takes the task again; after ``MAX_ATTEMPTS`` unexpected errors the file is
marked failed."""

from __future__ import annotations

import datetime as dt
import logging
import time

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import files, services
from .models import ExtractionTask, ImportJob, ResourceFile

log = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=10)
RETRY_AFTER = dt.timedelta(minutes=1)
MAX_ATTEMPTS = 3
BATCH = 5


def claim(limit: int = BATCH) -> list[tuple[int, int]]:
    """Claim up to ``limit`` free extraction tasks: ``[(task id, file id)]``."""
    now = timezone.now()
    with transaction.atomic():
        rows = list(ExtractionTask.objects.select_for_update(skip_locked=True)
                    .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)).order_by("pk")
                    .values_list("pk", "file_id", "attempts")[:limit])
        for pk, _file, attempts in rows:
            ExtractionTask.objects.filter(pk=pk).update(claimed_until=now + LEASE, attempts=attempts + 1)
    return [(pk, file_id) for pk, file_id, _attempts in rows]


def run(task_id: int, file_id: int) -> str:
    """Extract one file's text; returns the resulting status."""
    item = ResourceFile.objects.filter(pk=file_id).only("pk", "file", "mime").first()
    if item is None:
        ExtractionTask.objects.filter(pk=task_id).delete()
        return "gone"
    try:
        try:
            handle = item.file.open("rb")
        except (FileNotFoundError, OSError, ValueError):
            raise files.ExtractionFailed("missing") from None
        with handle:
            text, pages = files.extract(handle, item.mime)
    except files.ExtractionFailed as failure:
        services.extraction_finish(file_id=file_id, failure=failure.code)
        return ResourceFile.Status.FAILED
    except Exception:  # noqa: BLE001 — a bug or a resource limit: retry later, then give up
        log.exception("extraction of file %s failed", file_id)
        task = ExtractionTask.objects.filter(pk=task_id).first()
        if task is not None and task.attempts >= MAX_ATTEMPTS:
            services.extraction_finish(file_id=file_id, failure="error")
            return ResourceFile.Status.FAILED
        ExtractionTask.objects.filter(pk=task_id).update(claimed_until=timezone.now() + RETRY_AFTER)
        return ResourceFile.Status.PENDING
    services.extraction_finish(file_id=file_id, text=text, pages=pages)
    return ResourceFile.Status.DONE


def drain_extractions(limit: int = BATCH) -> int:
    claimed = claim(limit)
    for task_id, file_id in claimed:
        run(task_id, file_id)
    return len(claimed)


def drain_imports() -> int:
    """One chunk of every import job that is checking or importing."""
    done = 0
    now = timezone.now()
    for job in ImportJob.objects.filter(status__in=[ImportJob.Status.CHECKING, ImportJob.Status.IMPORTING]) \
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)).order_by("pk")[:20]:
        services.import_step(job=job)
        done += 1
    return done


_last_prune = [0.0]


def drain(*, max_seconds: float | None = None) -> int:
    """Work until nothing is left (or for ``max_seconds``); returns the number of units done."""
    started, total = time.monotonic(), 0
    if time.monotonic() - _last_prune[0] > 3600:
        services.usage_prune()
        _last_prune[0] = time.monotonic()
    while True:
        done = drain_extractions() + drain_imports()
        total += done
        if not done or (max_seconds is not None and time.monotonic() - started >= max_seconds):
            return total

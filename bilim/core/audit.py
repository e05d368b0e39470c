"""The hash-chained audit log (H5): one function appends, one verifies.

Each record's digest is SHA-256 over the previous digest and the record's canonical JSON. Appends
are serialized by locking the single ``AuditHead`` row (SELECT … FOR UPDATE on PostgreSQL; SQLite's
IMMEDIATE transactions already allow one writer), so the chain never forks."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from .models import AuditHead, AuditLog

GENESIS = "0" * 64


def _canonical(value: Any) -> Any:
    """JSON-ready, key-sorted form of ``value`` so that the digest is stable across databases."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, sort_keys=True, ensure_ascii=False))


def _digest(prev: str, fields: dict[str, Any]) -> str:
    body = json.dumps({"prev": prev, **fields}, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _content(row: AuditLog) -> dict[str, Any]:
    at: datetime = row.at
    return {
        "at": at.isoformat(timespec="microseconds"),
        "actor_id": row.actor_id,
        "actor_name": row.actor_name,
        "action": row.action,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "org_unit_path": row.org_unit_path,
        "before": row.before,
        "after": row.after,
        "source_ip": row.source_ip,
    }


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    actor,
    action: str,
    obj: Any = None,
    object_type: str = "",
    object_id: str | int = "",
    org_unit=None,
    before: Any = None,
    after: Any = None,
    request=None,
    source_ip: str | None = None,
) -> AuditLog:
    """Append one record. Call inside the service's transaction so the record and the change it
    describes are committed together or not at all."""
    if obj is not None:
        object_type = object_type or f"{obj._meta.app_label}.{obj._meta.model_name}"
        object_id = object_id or obj.pk
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    # Inside the caller's transaction no savepoint is needed: a failure here fails the caller's write.
    with transaction.atomic(savepoint=False):
        head, _created = AuditHead.objects.select_for_update().get_or_create(id=1)
        from django.utils import timezone

        row = AuditLog(
            at=timezone.now(),
            actor=actor_obj,
            actor_name=actor_obj.get_username() if actor_obj else (str(actor) if actor else "system"),
            action=action,
            object_type=object_type,
            object_id=str(object_id) if object_id != "" else "",
            org_unit_path=getattr(org_unit, "path", "") or "",
            before=_canonical(before),
            after=_canonical(after),
            source_ip=source_ip or client_ip(request),
            prev_digest=head.last_digest,
        )
        row.digest = _digest(row.prev_digest, _content(row))
        row.save()
        head.last_id = row.pk
        head.last_digest = row.digest
        head.save(update_fields=["last_id", "last_digest"])
    return row


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_id: int | None = None
    reason: str = ""


def audit_verify(batch: int = 5000) -> VerifyResult:
    """Walk the chain in id order; report the first row whose link or content does not hold."""
    prev = GENESIS
    checked = 0
    last_id = 0
    queryset = AuditLog.objects.order_by("id")
    cursor_id = 0
    while True:
        rows = list(queryset.filter(id__gt=cursor_id)[:batch])
        if not rows:
            break
        for row in rows:
            if row.prev_digest != prev:
                return VerifyResult(False, checked, row.pk, "link: the previous record was removed or changed")
            if _digest(row.prev_digest, _content(row)) != row.digest:
                return VerifyResult(False, checked, row.pk, "content: this record was changed after it was written")
            prev = row.digest
            last_id = row.pk
            checked += 1
        cursor_id = rows[-1].pk
    head = AuditHead.objects.filter(id=1).first()
    if head is not None and (head.last_id != last_id or head.last_digest != prev):
        return VerifyResult(False, checked, head.last_id, "tail: records after the last one found were removed")
    return VerifyResult(True, checked)

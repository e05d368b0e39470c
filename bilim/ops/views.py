"""/healthz and /metrics for the operators' monitoring (O1)."""

import time

from django.db import connection
from django.db.models import Count
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from . import metrics


def _probe() -> tuple[bool, float, str]:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # the answer to a health probe, whatever went wrong
        return False, time.perf_counter() - started, exc.__class__.__name__
    return True, time.perf_counter() - started, ""


@never_cache
def healthz(request):
    ok, seconds, error = _probe()
    metrics.DB_UP.set(1 if ok else 0)
    metrics.DB_LATENCY.set(seconds)
    body = {"status": "ok" if ok else "unavailable", "database": {"vendor": connection.vendor, "ok": ok, "seconds": round(seconds, 6)}}
    if error:
        body["database"]["error"] = error
    return JsonResponse(body, status=200 if ok else 503)


@never_cache
def metrics_view(request):
    from bilim.core.models import AuditHead, OrgUnit, User

    ok, seconds, _error = _probe()
    metrics.DB_UP.set(1 if ok else 0)
    metrics.DB_LATENCY.set(seconds)
    if ok:
        counts = dict(OrgUnit.objects.filter(is_active=True).values_list("level").annotate(n=Count("id")).order_by())
        for level in range(4):
            metrics.ORG_UNITS.labels(str(level)).set(counts.get(level, 0))
        metrics.USERS.set(User.objects.filter(is_active=True).count())
        head = AuditHead.objects.filter(id=1).first()
        metrics.AUDIT_RECORDS.set(head.last_id if head else 0)
    return HttpResponse(generate_latest(metrics.REGISTRY), content_type=CONTENT_TYPE_LATEST)




"""Prometheus metrics of this process (O1), in their own registry so tests can read them."""

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

REQUESTS = Counter(
    "bilim_http_requests_total", "HTTP requests answered", ["method", "route", "status"], registry=REGISTRY
)
LATENCY = Histogram(
    "bilim_http_request_duration_seconds", "Time to answer an HTTP request", ["method", "route"], registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
DB_UP = Gauge("bilim_database_up", "1 when the database answered the last health probe", registry=REGISTRY)
DB_LATENCY = Gauge("bilim_database_probe_seconds", "Time the last database probe took", registry=REGISTRY)
ORG_UNITS = Gauge("bilim_org_units", "Active org units by level", ["level"], registry=REGISTRY)
USERS = Gauge("bilim_users_active", "Active user accounts", registry=REGISTRY)
AUDIT_RECORDS = Gauge("bilim_audit_records", "Id of the newest audit record", registry=REGISTRY)

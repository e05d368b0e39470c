"""The API against its own OpenAPI document (schemathesis): every operation, as a ministry officer
and as a district officer, answers with a documented status and a body that matches the schema."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from bilim.config.wsgi import application
from bilim.core.models import OrgUnit
from bilim.core.services import token_create

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
CALLER = {}


@schema.auth(refresh_interval=None)
class BearerToken:
    """The caller's real token, so that schemathesis knows the auth is explicit: its ``ignored_auth``
    check then also sends each request without a token and with a wrong one and expects 401."""

    def get(self, case, ctx):
        return CALLER["secret"]

    def set(self, case, data, ctx):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@pytest.fixture
def wsgi_in_test_transaction():
    """Django's WSGI handler closes the connection around each request (``close_old_connections``);
    inside the test's transaction that would roll it back. Django's own test client does the same."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(params=["ministry", "district.esil"])
def caller(request, demo, wsgi_in_test_transaction):
    user = demo.user(request.param)
    _token, CALLER["secret"] = token_create(user=user, name="schemathesis")
    yield list(OrgUnit.objects.order_by("pk").values_list("pk", flat=True))
    CALLER.clear()


@schema.parametrize()
@schema.given(data=st.data())
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_api_conforms_to_its_schema(case, data, caller):
    unit_ids = caller
    if "unit_id" in (case.path_parameters or {}) and data.draw(st.booleans(), label="real unit"):
        case.path_parameters["unit_id"] = data.draw(st.sampled_from(unit_ids), label="unit_id")
    case.call_and_validate()

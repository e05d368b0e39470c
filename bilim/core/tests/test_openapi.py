"""The API against its own OpenAPI document (schemathesis 4): every operation, called with the token
of a ministry officer and of a district officer, answers without a server error, with a documented
status code and content type, and with a body that matches the schema. Schemathesis also sends
schema-violating requests (they must be refused with a 4xx) and repeats authenticated ones without a
token and with a wrong one (they must be refused with 401)."""

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from bilim.config.wsgi import application
from bilim.core.models import OrgUnit
from bilim.core.services import token_create

# The document the API itself serves, and the WSGI application to call (no network).
# Schema-valid data may still be refused by the domain with 400 naming the field (an unknown
# indicator, a rule that does not parse, a deadline before another): a schema cannot say those.
# Schema violations themselves must still be refused (422), which negative_data_rejection checks.
CONFIG = SchemathesisConfig.from_dict(
    {"checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "400", "401", "403", "404", "409"]}}}
)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application, config=CONFIG)
MAX_ID = 2**62
CALLER: dict[str, str] = {}


@schema.auth(refresh_interval=None)
class BearerToken:
    """The caller's real token. Registered as schemathesis auth (not as a plain header) so that it
    knows the credentials are genuine: ``ignored_auth`` then re-sends successful requests without a
    token and with a made-up one and requires 401."""

    def get(self, case, ctx):
        return CALLER["secret"]

    def set(self, case, data, ctx):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@pytest.fixture
def wsgi_inside_test_transaction():
    """Django's WSGI handler closes "old" connections when a request starts and ends; inside the
    test's transaction (pytest-django ``db``) that would roll the demo data back. Django's own test
    client disconnects the same receiver."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(params=["ministry", "district.esil"])
def unit_ids(request, demo, wsgi_inside_test_transaction):
    """Log in as the parametrized user (by token); return every org unit id, in and out of scope."""
    _token, CALLER["secret"] = token_create(user=demo.user(request.param), name="schemathesis")
    yield list(OrgUnit.objects.order_by("pk").values_list("pk", flat=True))
    CALLER.clear()


def _is_valid_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


@schema.parametrize()
@schema.given(data=st.data())
@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_api_conforms_to_its_schema(case, data, unit_ids):
    # Random ids almost never exist: let hypothesis also pick real units (the caller's and others')
    # for ids that are valid, so that the 200 answers and the scope's 404s are exercised too.
    # Ids generated to violate the schema stay as they are.
    path = case.path_parameters or {}
    if _is_valid_id(path.get("unit_id")) and data.draw(st.booleans(), label="use a real unit_id"):
        path["unit_id"] = data.draw(st.sampled_from(unit_ids), label="unit_id")
    query = case.query if isinstance(case.query, dict) else {}
    if _is_valid_id(query.get("parent")) and data.draw(st.booleans(), label="use a real parent"):
        query["parent"] = data.draw(st.sampled_from(unit_ids), label="parent")
    case.call_and_validate()

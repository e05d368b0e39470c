"""The cooperation API against its own OpenAPI document (schemathesis): every operation — part A's
foreigners, office and statistics, part B's trips, agreements, annual report and figures — called
with the token of ENU's international officer, of its head and of a ministry officer, with real
organization, foreigner, trip, agreement, person and subdivision ids and real academic years drawn
alongside random ones, answers with a documented status and a body matching the schema, refuses
schema-violating input with a 4xx and never fails with a 500. And the document defines each
schema once (``status=draft`` of the trips was valid by the document, refused by the endpoint)."""

import re
from datetime import timedelta

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from django.utils import timezone
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig

from bilim.cooperation import mobility_common as common
from bilim.cooperation import agreements_services, mobility_services
from bilim.core.services import token_create

from .conftest import api_mounted, register
from .test_agreements_services import agreement, partner, to_active
from .test_mobility_services import travelled
from .test_mobility_support import World

CONFIG = SchemathesisConfig.from_dict(
    {"checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "400", "401", "403", "404", "409"]}}}
)
CALLER: dict[str, str] = {}
IDS: dict[str, list[int]] = {}
YEARS: list[str] = []
MAX_ID = 2**62


@pytest.fixture
def wsgi_inside_test_transaction():
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


class Handler(WSGIHandler):
    """The project's WSGI application; until the lead mounts the router in ``config/api.py`` its
    requests resolve through the tests' URLs (``api_urls``), which serve it at the same address."""

    def get_response(self, request):
        if not api_mounted():
            request.urlconf = "bilim.cooperation.tests.api_urls"
        return super().get_response(request)


# Every operation of the cooperation router: part A's (foreigners, office, statistics) and part B's
# (trips, agreements, the annual report, the country's figures).
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", Handler(), config=CONFIG).include(tag="cooperation")


@schema.auth(refresh_interval=None)
class BearerToken:
    def get(self, case, ctx):
        return CALLER["secret"]

    def set(self, case, data, ctx):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@pytest.fixture(params=["intl.enu", "head.enu", "ministry"])
def caller(request, coop, wsgi_inside_test_transaction):
    """ENU with a foreigner, a trip abroad, a returned one (report due), an agreement in force and a
    proposal; ids of ENU, KazNU, ENU's region and the republic for the units; academic years."""
    foreigner = register(coop)
    world = World()
    returned = travelled(world)
    mobility_services.trip_return(trip=returned, returned_on=returned.ends_on, by=world.officer)
    abroad = travelled(world, starts_on=returned.ends_on + timedelta(days=60), ends_on=returned.ends_on + timedelta(days=240))
    active = to_active(world, agreement(world))
    proposal = agreements_services.agreement_create(org_unit=world.unit, by=world.officer, data={
        "partner": partner(world, name="KAIST", country="KR").pk, "title": "Қос дипломды бағдарлама туралы келісім",
        "kind": "double_degree"})
    today = timezone.localdate()
    _token, CALLER["secret"] = token_create(user=coop.user(request.param), name="schemathesis")
    IDS.update(unit_id=[coop.enu.pk, coop.kaznu.pk], foreigner_id=[foreigner.pk], trip_id=[returned.pk, abroad.pk],
               agreement_id=[active.pk, proposal.pk], node_id=[coop.enu.pk, coop.enu.parent_id, coop.republic.pk],
               unit=[coop.enu.pk, coop.kaznu.pk, coop.republic.pk], person_id=[world.person.pk],
               subdivision_id=[world.subdivision.pk])
    # the last finished and the current year, and well-formed ones outside the kept range (400, once a 500)
    YEARS[:] = [common.last_finished_year(today), common.year_of(today), "0000-0001", "9998-9999"]
    yield request.param
    CALLER.clear()
    IDS.clear()
    YEARS.clear()


def _is_valid_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


def _often(data, label: str) -> bool:
    """Three times in four: an operation's 200 needs every one of its ids real at once."""
    return data.draw(st.integers(0, 3), label=label) > 0


def _real(values: dict, data) -> None:
    """Random ids almost never exist: let hypothesis also pick real ones (in and out of the caller's
    scope) for ids that are valid, and a real academic year for a well-formed one, so that the 200
    answers and the scope's 404s are exercised too. Values generated to violate the schema stay."""
    for name, ids in IDS.items():
        if _is_valid_id(values.get(name)) and _often(data, f"use a real {name}"):
            values[name] = data.draw(st.sampled_from(ids), label=name)
    if isinstance(values.get("year"), str) and re.fullmatch(r"\d{4}-\d{4}", values["year"]) and _often(data, "use a real year"):
        values["year"] = data.draw(st.sampled_from(YEARS), label="year")


@schema.parametrize()
@schema.given(data=st.data())
@settings(max_examples=15, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_cooperation_api_conforms_to_its_schema(case, data, caller):
    for values in (case.path_parameters, case.query, case.body):
        if isinstance(values, dict):
            _real(values, data)
    case.call_and_validate()


def test_the_document_defines_each_cooperation_schema_once():
    """OpenAPI components are keyed by the class's name: two different classes of one name (the
    models' nested ``Status``, ``Kind``) would leave one definition, and the other operations' valid
    values refused by their own document (a trip's ``status=draft``)."""
    from ninja.openapi.schema import OpenAPISchema

    from bilim.config.api import api as project_api

    if api_mounted():
        api = project_api
    else:
        from .api_urls import api
    seen: dict[str, list[dict]] = {}
    original = OpenAPISchema.add_schema_definitions

    def collect(self, definitions):
        for name, definition in definitions.items():
            if definition not in seen.setdefault(name, []):
                seen[name].append(definition)
        return original(self, definitions)

    OpenAPISchema.add_schema_definitions = collect
    try:
        document = api.get_openapi_schema()
    finally:
        OpenAPISchema.add_schema_definitions = original
    assert {name: found for name, found in seen.items() if len(found) > 1} == {}
    trips = document["paths"]["/api/v1/cooperation/organizations/{unit_id}/trips"]["get"]["parameters"]
    status = next(p for p in trips if p["name"] == "status")["schema"]["anyOf"][0]["$ref"].rsplit("/", 1)[-1]
    assert document["components"]["schemas"][status]["enum"] == ["planned", "abroad", "returned", "reported", "cancelled"]

"""The journal API against its own OpenAPI document, with journal data (core's test_openapi runs on
the demo without a journal, where every journal id is a 404): every journal operation, called with
the token of the teacher, the parent and the school's head, with real class-subject, pupil and link
ids drawn alongside random ones, answers with a documented status and a body matching the schema."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig

from bilim.config.wsgi import application
from bilim.core.services import token_create
from bilim.journal import services
from bilim.journal.models import ParentLink

from .conftest import TERM_DAY

CONFIG = SchemathesisConfig.from_dict(
    {"checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "400", "401", "403", "404", "409"]}}}
)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application, config=CONFIG).include(tag="journal")
CALLER: dict[str, str] = {}
IDS: dict[str, list[int]] = {}
MAX_ID = 2**62


@schema.auth(refresh_interval=None)
class BearerToken:
    def get(self, case, ctx):
        return CALLER["secret"]

    def set(self, case, data, ctx):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@pytest.fixture
def wsgi_inside_test_transaction():
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(params=["teacher", "parent", "head.school"])
def caller(request, parent_link, other_cs, wsgi_inside_test_transaction):
    j = parent_link
    services.lesson_save(class_subject=j.cs, day=TERM_DAY, by=j.teacher, attendance={j.pupils[2].pk: "late"},
                         marks=[{"pupil": j.pupils[0].pk, "kind": "formative", "value": 9},
                                {"pupil": j.pupils[1].pk, "kind": "section_summative", "value": 12.5, "max_points": 20}])
    ParentLink.objects.create(parent=j.user("ministry"), pupil=j.pupils[1])
    _token, CALLER["secret"] = token_create(user=j.user(request.param), name="schemathesis")
    IDS.update(class_subject_id=[j.cs.pk, other_cs.pk], pupil_id=[p.pk for p in j.pupils],
               link_id=list(ParentLink.objects.values_list("pk", flat=True)))
    yield request.param
    CALLER.clear()
    IDS.clear()


def _is_valid_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


@schema.parametrize()
@schema.given(data=st.data())
@settings(max_examples=20, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_journal_api_conforms_to_its_schema(case, data, caller):
    path = case.path_parameters or {}
    for name, ids in IDS.items():
        if _is_valid_id(path.get(name)) and data.draw(st.booleans(), label=f"use a real {name}"):
            path[name] = data.draw(st.sampled_from(ids), label=name)
    case.call_and_validate()

"""Reporting pages at the client level: each page for the right user, 404 on every URL for another
district's officer, 400 with the field's message on bad input, autosave, submission and review,
XLSX round trip, CSV export, drill-down, home widgets, and query counts independent of the rows."""

from __future__ import annotations

import io
import random
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from bilim.core.models import Level, Notification
from bilim.reporting import services, views
from bilim.reporting.demo_forms import school_values
from bilim.reporting.models import Assignment, Campaign, DataValue, Submission
from bilim.reporting.specs import spec_for

HEAD = "head.school"
ESIL = "district.esil"
OTHER = "district.saryarka"
REGION = "region.astana"


@pytest.fixture
def rdemo(demo):
    from bilim.reporting.demo import seed

    seed("small")
    demo.campaign = Campaign.objects.get(form__code="D-1")
    demo.head = demo.user(HEAD)
    demo.school = demo.school_in(demo.esil)
    demo.assignment = Assignment.objects.get(campaign=demo.campaign, org_unit=demo.school)
    demo.district_assignment = Assignment.objects.get(campaign=demo.campaign, org_unit=demo.esil)
    return demo


def valid_values(seed=7):
    return school_values(random.Random(seed))


def kk(message: str) -> str:
    with translation.override("kk"):
        return gettext(message)


def a_url(name, assignment, lang="en"):
    with translation.override(lang):
        return reverse(f"reporting:{name}", args=[assignment.pk])


def c_url(name, campaign, lang="en", **params):
    with translation.override(lang):
        url = reverse(f"reporting:{name}", args=[campaign.pk])
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


def login(client, demo, username):
    client.force_login(demo.user(username))
    return client


def save(demo, values=None, assignment=None):
    services.values_save(assignment=assignment or demo.assignment, values=values or valid_values(), by=demo.head)


def submit(demo, assignment=None):
    return services.submission_submit(assignment=assignment or demo.assignment, by=demo.head, head_name="Ахметова С. Е.", head_confirmed=True)


def autosave(client, demo, data, lang="en"):
    return client.post(a_url("assignment_values", demo.assignment, lang), data, HTTP_ACCEPT="application/json")


# --- pages for the right users ---------------------------------------------------------------------

def test_head_gets_an_editable_grid_laid_out_like_the_form(rdemo, client):
    login(client, rdemo, HEAD)
    save(rdemo, {"r01c1": 1234, "r24c1": True})
    response = client.get(a_url("assignment", rdemo.assignment, "kk"))
    assert response.status_code == 200
    html = response.content.decode()
    spec = spec_for(rdemo.campaign.form_id)
    assert html.count('class="form-control form-control-sm grid-input') == len(spec.cells)
    assert "1-бөлім. Оқушылар контингенті" in html and "оның ішінде қыздар" in html  # Kazakh labels of the form
    assert 'name="r01c1" value="1234"' in html and 'name="r24c1" value="иә"' in html
    assert 'id="submit-form"' in html and 'name="idempotency_key"' in html
    assert 'id="review-card"' not in html  # the head does not review their own report
    assert 'data-save-url="/kk/reporting/assignments/' in html


def test_officers_see_the_school_read_only(rdemo, client):
    save(rdemo, {"r01c1": 1234})
    for username in (ESIL, REGION, "ministry"):
        client.force_login(rdemo.user(username))
        html = client.get(a_url("assignment", rdemo.assignment)).content.decode()
        assert "grid-input" not in html and 'id="submit-form"' not in html, username
        assert "1\u2009234" in html  # thin space between thousands
    client.force_login(rdemo.user(ESIL))
    assert 'id="review-card"' in client.get(a_url("assignment", rdemo.assignment)).content.decode()


def test_district_assignment_shows_consolidated_totals_with_drill_links(rdemo, client):
    save(rdemo)
    submit(rdemo)
    services.submission_accept(assignment=rdemo.assignment, by=rdemo.user(ESIL))
    login(client, rdemo, ESIL)
    response = client.get(a_url("assignment", rdemo.district_assignment))
    html = response.content.decode()
    assert response.status_code == 200 and "grid-input" not in html
    assert 'id="submit-form"' in html  # the district submits its consolidated report upward
    assert f"drill/?unit={rdemo.esil.pk}&amp;cell=r13c1" in html


@pytest.mark.parametrize("username", [HEAD, ESIL, REGION, "ministry"])
def test_campaign_pages_for_each_level(rdemo, client, username):
    login(client, rdemo, username)
    assert client.get("/en/reporting/campaigns/").status_code == 200
    response = client.get(c_url("campaign", rdemo.campaign))
    assert response.status_code == 200
    assert response.context["total"].expected >= 1
    assert client.get(c_url("campaign_items", rdemo.campaign)).status_code == 200


def test_campaign_list(rdemo, client):
    login(client, rdemo, OTHER)
    with translation.override("en"):
        response = client.get(reverse("reporting:campaigns"))
    assert response.status_code == 200 and rdemo.campaign.name_en in response.content.decode()


def test_login_is_required(rdemo, client):
    response = client.get(a_url("assignment", rdemo.assignment))
    assert response.status_code == 302 and "/accounts/login/" in response.url


# --- scope: another district's officer gets 404 on every URL ---------------------------------------

def _every_url(demo):
    a, c, esil = demo.assignment, demo.campaign, demo.esil.pk
    gets = [a_url(name, a) for name in ("assignment", "assignment_check", "assignment_xlsx", "assignment_content")]
    gets += [c_url("campaign", c, unit=esil), c_url("campaign_items", c, unit=esil), c_url("campaign_items", c, unit=esil, format="csv"),
             c_url("campaign_drill", c, unit=esil, cell="r13c1"), c_url("campaign", c, unit=demo.school.pk),
             c_url("campaign_drill", c, unit=demo.esil.parent_id, cell="r13c1")]
    posts = [(a_url("assignment_values", a), {"r01c1": "5"}),
             (a_url("assignment_submit", a), {"head_name": "X", "head_confirmed": "on"}),
             (a_url("assignment_upload", a), {"file": io.BytesIO(b"x")}),
             (a_url("assignment_accept", a), {}), (a_url("assignment_return", a), {"comment": "x"}),
             (a_url("assignment_extend", a), {"until": "2030-01-01", "reason": "x"})]
    return gets, posts


def test_another_districts_officer_gets_404_everywhere(rdemo, client):
    save(rdemo)
    submit(rdemo)
    login(client, rdemo, OTHER)
    gets, posts = _every_url(rdemo)
    for url in gets:
        assert client.get(url).status_code == 404, url
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    assert Submission.objects.get(assignment=rdemo.assignment).status == "submitted"
    assert Assignment.objects.get(pk=rdemo.assignment.pk).extended_to is None


def test_missing_objects_are_404(rdemo, client):
    login(client, rdemo, "ministry")
    assert client.get("/en/reporting/assignments/999999/").status_code == 404
    assert client.get("/en/reporting/campaigns/999999/").status_code == 404
    assert client.get(c_url("campaign_drill", rdemo.campaign, unit=rdemo.esil.pk, cell="r99c9")).status_code == 404


def test_writes_by_in_scope_users_without_the_right_are_404(rdemo, client):
    """The district officer sees the school but cannot enter its data; the head cannot review."""
    login(client, rdemo, ESIL)
    assert autosave(client, rdemo, {"r01c1": "5"}).status_code == 404
    assert client.post(a_url("assignment_submit", rdemo.assignment), {"head_name": "X", "head_confirmed": "on"}).status_code == 404
    assert client.post(a_url("assignment_upload", rdemo.assignment), {"file": io.BytesIO(b"x")}).status_code == 404
    save(rdemo)
    submit(rdemo)
    login(client, rdemo, HEAD)
    assert client.post(a_url("assignment_accept", rdemo.assignment), {}).status_code == 404
    assert client.post(a_url("assignment_return", rdemo.assignment), {"comment": "x"}).status_code == 404
    assert client.post(a_url("assignment_extend", rdemo.assignment), {"until": "2030-01-01", "reason": "x"}).status_code == 404
    assert Submission.objects.get(assignment=rdemo.assignment).status == "submitted"


# --- autosave ---------------------------------------------------------------------------------------

def test_autosave_saves_a_cell_and_answers_its_value(rdemo, client):
    login(client, rdemo, HEAD)
    response = autosave(client, rdemo, {"r01c1": " 1 234 ", "r24c1": "Иә"})
    assert response.status_code == 200, response.content
    assert response.json()["values"] == {"r01c1": "1234", "r24c1": "yes"}
    assert services.current_values(rdemo.assignment)["r01c1"] == 1234


def test_autosave_refuses_bad_values_and_saves_nothing(rdemo, client):
    login(client, rdemo, HEAD)
    response = autosave(client, rdemo, {"r01c1": "12", "r02c1": "abc"}, lang="kk")
    assert response.status_code == 400
    body = response.json()
    assert body["errors"] == {"r02c1": kk("Enter a number.")}
    assert not DataValue.objects.filter(assignment=rdemo.assignment).exists()
    # without the script (a plain form post) the page comes back with the message under the cell
    response = client.post(a_url("assignment_values", rdemo.assignment, "kk"), {"r03c1": "-4"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="err-r03c1"' in html and 'aria-invalid="true"' in html
    assert 'name="r03c1" value="-4"' in html  # what was typed stays in the cell


def test_autosave_saves_explanations(rdemo, client):
    login(client, rdemo, HEAD)
    assert autosave(client, rdemo, {"explain-r13c1": "Жаңа мектеп ашылды"}).status_code == 200
    assert services.explanations_of(rdemo.assignment, spec_for(rdemo.campaign.form_id)) == {"r13c1": "Жаңа мектеп ашылды"}


def test_autosave_refused_while_waiting_for_review(rdemo, client):
    save(rdemo)
    submit(rdemo)
    login(client, rdemo, HEAD)
    response = autosave(client, rdemo, {"r01c1": "1"})
    assert response.status_code == 409 and response.json()["code"] == "not_editable"
    assert "grid-input" not in client.get(a_url("assignment", rdemo.assignment)).content.decode()


# --- check and submission ---------------------------------------------------------------------------

def test_check_lists_rule_errors_linking_to_cells(rdemo, client):
    values = valid_values()
    values["r13c1"] += 1
    save(rdemo, values)
    login(client, rdemo, HEAD)
    response = client.get(a_url("assignment_check", rdemo.assignment), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and 'id="check-panel"' in html and "<html" not in html
    assert 'data-kind="error"' in html and 'data-cell="r13c1"' in html
    full = client.get(a_url("assignment_check", rdemo.assignment))
    assert full.status_code == 200 and 'id="check-panel"' in full.content.decode() and 'id="grid"' in full.content.decode()


def test_check_passes_for_valid_data(rdemo, client):
    save(rdemo)
    login(client, rdemo, HEAD)
    html = client.get(a_url("assignment_check", rdemo.assignment), HTTP_HX_REQUEST="true").content.decode()
    assert 'id="check-ok"' in html


@pytest.mark.parametrize("data, field, message", [
    ({"head_name": "", "head_confirmed": "on"}, "head_name", "Give the name of the head who confirms the data."),
    ({"head_name": "Ахметова С. Е."}, "head_confirmed", "The head must confirm that the data are correct."),
])
def test_submit_errors_next_to_their_field_in_kazakh(rdemo, client, data, field, message):
    save(rdemo)
    login(client, rdemo, HEAD)
    response = client.post(a_url("assignment_submit", rdemo.assignment, "kk"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'data-field="{field}">{kk(message)}</div>' in html
    assert not Submission.objects.filter(assignment=rdemo.assignment).exists()


def test_submit_with_broken_rules_marks_the_cell(rdemo, client):
    values = valid_values()
    values["r13c2"] += 3
    save(rdemo, values)
    login(client, rdemo, HEAD)
    response = client.post(a_url("assignment_submit", rdemo.assignment), {"head_name": "X", "head_confirmed": "on"})
    html = response.content.decode()
    assert response.status_code == 400 and 'id="err-r13c2"' in html and 'id="check-panel"' in html


def test_a_warning_needs_an_explanation_before_submitting(rdemo, client):
    values = valid_values()
    values["r21c1"] = 100  # more than twice as many pupils as seats: the SEATS warning
    save(rdemo, values)
    login(client, rdemo, HEAD)
    html = client.get(a_url("assignment_check", rdemo.assignment), HTTP_HX_REQUEST="true").content.decode()
    assert 'data-kind="warning"' in html and 'data-explain="r13c1"' in html and "is-missing" in html
    response = client.post(a_url("assignment_submit", rdemo.assignment, "kk"), {"head_name": "X", "head_confirmed": "on"})
    html = response.content.decode()
    assert response.status_code == 400 and f'id="err-r13c1">{kk("Explain this value.")}</div>' in html
    assert 'data-explain="r13c1"' in html  # the check panel comes with the refusal
    assert autosave(client, rdemo, {"explain-r13c1": "Екі ауысыммен оқиды"}).status_code == 200
    response = client.post(a_url("assignment_submit", rdemo.assignment), {"head_name": "X", "head_confirmed": "on"})
    assert response.status_code == 302
    html = client.get(a_url("assignment_check", rdemo.assignment), HTTP_HX_REQUEST="true").content.decode()
    assert "Екі ауысыммен оқиды" in html and "is-missing" not in html


def test_empty_report_cannot_be_submitted(rdemo, client):
    login(client, rdemo, HEAD)
    response = client.post(a_url("assignment_submit", rdemo.assignment), {"head_name": "X", "head_confirmed": "on"})
    assert response.status_code == 400 and "The report has no data yet." in response.content.decode()


def test_double_click_creates_one_version(rdemo, client):
    save(rdemo)
    login(client, rdemo, HEAD)
    page = client.get(a_url("assignment", rdemo.assignment)).content.decode()
    key = page.split('name="idempotency_key" value="')[1].split('"')[0]
    data = {"head_name": "Ахметова С. Е.", "head_confirmed": "on", "idempotency_key": key}
    first = client.post(a_url("assignment_submit", rdemo.assignment), data)
    second = client.post(a_url("assignment_submit", rdemo.assignment), data)
    assert first.status_code == second.status_code == 302
    assert Submission.objects.filter(assignment=rdemo.assignment).count() == 1
    html = client.get(first.url).content.decode()
    assert 'data-version="1"' in html and "Ахметова С. Е." in html


def test_signed_submission_shows_the_signer(rdemo, client, settings, tmp_path):
    from cryptography.hazmat.primitives import serialization

    from bilim.reporting import signatures

    pki = signatures.TestPKI()
    (tmp_path / "root.pem").write_bytes(pki.root.certificate.public_bytes(serialization.Encoding.PEM))
    settings.TRUSTED_CA_DIR = str(tmp_path)
    save(rdemo)
    login(client, rdemo, HEAD)
    content = client.get(a_url("assignment_content", rdemo.assignment)).content
    person = pki.issue_signer("АХМЕТОВА СӘУЛЕ", iin="850101400123")
    cms = signatures.sign_detached(content, key=person.key, certificate=person.certificate, extra_certificates=pki.intermediates)
    response = client.post(a_url("assignment_submit", rdemo.assignment),
                           {"head_name": "Ахметова С. Е.", "head_confirmed": "on", "signature_file": io.BytesIO(cms)})
    assert response.status_code == 302, [l for l in response.content.decode().splitlines() if "error" in l or "alert" in l]
    submission = Submission.objects.get(assignment=rdemo.assignment)
    assert submission.signature_info["iin"] == "850101400123"
    html = client.get(response.url).content.decode()
    assert "АХМЕТОВА СӘУЛЕ" in html and "850101400123" in html


def test_bad_signature_is_shown_next_to_the_signature_field(rdemo, client):
    save(rdemo)
    login(client, rdemo, HEAD)
    response = client.post(a_url("assignment_submit", rdemo.assignment),
                           {"head_name": "X", "head_confirmed": "on", "signature_text": "not base64 at all!"})
    assert response.status_code == 400 and 'data-field="signature"' in response.content.decode()
    assert not Submission.objects.filter(assignment=rdemo.assignment).exists()


# --- review -----------------------------------------------------------------------------------------

def test_return_needs_a_comment_then_correct_and_accept(rdemo, client):
    save(rdemo)
    submit(rdemo)
    login(client, rdemo, ESIL)
    response = client.post(a_url("assignment_return", rdemo.assignment, "kk"), {"comment": "  "})
    assert response.status_code == 400
    assert f'data-field="return-comment">{kk("Say what must be corrected.")}</div>' in response.content.decode()
    response = client.post(a_url("assignment_return", rdemo.assignment), {"comment": "5-сынып қыздары тексерілсін"})
    assert response.status_code == 302
    assert Assignment.objects.get(pk=rdemo.assignment.pk).status == "returned"

    login(client, rdemo, HEAD)
    html = client.get(a_url("assignment", rdemo.assignment)).content.decode()
    assert 'id="review-comment"' in html and "5-сынып қыздары тексерілсін" in html and "grid-input" in html
    values = valid_values()
    save(rdemo, values)
    response = client.post(a_url("assignment_submit", rdemo.assignment), {"head_name": "X", "head_confirmed": "on"})
    assert response.status_code == 302

    login(client, rdemo, ESIL)
    response = client.post(a_url("assignment_accept", rdemo.assignment), {"comment": ""})
    assert response.status_code == 302
    assert Assignment.objects.get(pk=rdemo.assignment.pk).status == "accepted"
    # nothing left to review: a second accept is refused with the service's message
    response = client.post(a_url("assignment_accept", rdemo.assignment), {})
    assert response.status_code == 409 and "There is no submitted version to review." in response.content.decode()


def test_correction_after_acceptance_needs_a_reason(rdemo, client):
    save(rdemo)
    submit(rdemo)
    services.submission_accept(assignment=rdemo.assignment, by=rdemo.user(ESIL))
    login(client, rdemo, HEAD)
    html = client.get(a_url("assignment", rdemo.assignment)).content.decode()
    assert 'name="correction_reason"' in html and "grid-input" in html
    response = client.post(a_url("assignment_submit", rdemo.assignment), {"head_name": "X", "head_confirmed": "on"})
    assert response.status_code == 400 and 'data-field="correction_reason"' in response.content.decode()
    response = client.post(a_url("assignment_submit", rdemo.assignment),
                           {"head_name": "X", "head_confirmed": "on", "correction_reason": "Екі оқушы келді"})
    assert response.status_code == 302
    assert "Екі оқушы келді" in client.get(a_url("assignment", rdemo.assignment)).content.decode()


@pytest.mark.parametrize("data, field, message", [
    ({"until": "31.12.2030", "reason": "x"}, "until", "Enter a date as YYYY-MM-DD."),
    ({"until": "2000-01-01", "reason": "x"}, "until", "The new deadline must be after the current one."),
    ({"until": "2099-01-01", "reason": ""}, "reason", "Give the reason for the extension."),
])
def test_extension_errors(rdemo, client, data, field, message):
    login(client, rdemo, ESIL)
    response = client.post(a_url("assignment_extend", rdemo.assignment, "kk"), data)
    assert response.status_code == 400
    assert f'data-field="{field}">{kk(message)}</div>' in response.content.decode()


def test_extension_granted(rdemo, client):
    login(client, rdemo, ESIL)
    until = rdemo.assignment.due_date + timedelta(days=10)
    response = client.post(a_url("assignment_extend", rdemo.assignment), {"until": until.isoformat(), "reason": "Карантин"})
    assert response.status_code == 302
    assert Assignment.objects.get(pk=rdemo.assignment.pk).extended_to == until
    assert "Карантин" in client.get(a_url("assignment", rdemo.assignment)).content.decode()


# --- XLSX -------------------------------------------------------------------------------------------

def _download(client, demo):
    response = client.get(a_url("assignment_xlsx", demo.assignment))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def _upload(client, demo, book):
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "filled.xlsx"
    return client.post(a_url("assignment_upload", demo.assignment), {"file": buffer})


def test_xlsx_round_trip(rdemo, client):
    login(client, rdemo, HEAD)
    book = _download(client, rdemo)
    sheet = book.worksheets[0]
    refs = views.excel_refs(spec_for(rdemo.campaign.form_id))
    values = valid_values()
    for key, value in values.items():
        sheet[refs[key]] = ("Yes" if value else "No") if isinstance(value, bool) else value
    response = _upload(client, rdemo, book)
    assert response.status_code == 302, response.content.decode()[-3000:]
    saved = services.current_values(rdemo.assignment)
    assert {k: (v if isinstance(v, bool) else int(v)) for k, v in saved.items() if v is not None} == values
    # and the download now carries the values
    again = _download(client, rdemo).worksheets[0]
    assert again[refs["r13c1"]].value == values["r13c1"]


def test_xlsx_with_bad_cells_lists_every_one_with_its_reference_and_saves_nothing(rdemo, client):
    login(client, rdemo, HEAD)
    book = _download(client, rdemo)
    sheet = book.worksheets[0]
    refs = views.excel_refs(spec_for(rdemo.campaign.form_id))
    sheet[refs["r01c1"]] = 25
    sheet[refs["r02c1"]] = "жиырма"
    sheet[refs["r03c1"]] = -1
    response = _upload(client, rdemo, book)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="upload-error"' in html
    assert f'data-ref="{refs["r02c1"]}"' in html and f'data-ref="{refs["r03c1"]}"' in html
    assert not DataValue.objects.filter(assignment=rdemo.assignment).exists()


@pytest.mark.parametrize("payload", [b"not a workbook", b""])
def test_xlsx_garbage_is_refused(rdemo, client, payload):
    login(client, rdemo, HEAD)
    upload = io.BytesIO(payload)
    upload.name = "x.xlsx"
    response = client.post(a_url("assignment_upload", rdemo.assignment), {"file": upload})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="upload-error"' in html or 'data-field="file"' in html


def test_xlsx_upload_needs_a_file(rdemo, client):
    login(client, rdemo, HEAD)
    response = client.post(a_url("assignment_upload", rdemo.assignment, "kk"), {})
    assert response.status_code == 400 and 'data-field="file"' in response.content.decode()


# --- campaign: completeness, lists, CSV, drill-down -------------------------------------------------

def test_completeness_links_and_children(rdemo, client):
    login(client, rdemo, REGION)
    response = client.get(c_url("campaign", rdemo.campaign))
    assert response.status_code == 200
    ctx = response.context
    assert ctx["node"].level == Level.REGION
    assert {row["c"].unit.level for row in ctx["rows"]} == {Level.DISTRICT}
    esil_row = next(r for r in ctx["rows"] if r["c"].unit == rdemo.esil)
    assert esil_row["link"].endswith(f"?unit={rdemo.esil.pk}")
    html = response.content.decode()
    assert f"list/?unit={rdemo.esil.pk}&amp;status=missing" in html
    district = client.get(c_url("campaign", rdemo.campaign, unit=rdemo.esil.pk))
    school_rows = district.context["rows"]
    assert all(r["link"].startswith("/en/reporting/assignments/") for r in school_rows) and len(school_rows) == 3


def test_list_filters_and_bad_filters(rdemo, client):
    login(client, rdemo, "ministry")
    total = client.get(c_url("campaign", rdemo.campaign)).context["total"]
    missing = client.get(c_url("campaign_items", rdemo.campaign, status="missing")).context["rows"]
    late = client.get(c_url("campaign_items", rdemo.campaign, late=1)).context["rows"]
    returned = client.get(c_url("campaign_items", rdemo.campaign, status="returned")).context["rows"]
    assert (len(missing), len(late), len(returned)) == (total.missing, total.late, total.returned)
    for params in ({"status": "nope"}, {"late": "maybe"}, {"unit": "abc"}, {"format": "pdf"}):
        response = client.get(c_url("campaign_items", rdemo.campaign, **params))
        assert response.status_code == 400, params
        assert list(params)[0] in response.content.decode()
    assert client.get(c_url("campaign", rdemo.campaign, unit="1x")).status_code == 400
    assert client.get(c_url("campaign_drill", rdemo.campaign, cell="bad")).status_code == 400


def test_overdue_list(rdemo, client):
    Assignment.objects.filter(pk=rdemo.assignment.pk).update(due_date=date(2020, 1, 6))
    login(client, rdemo, ESIL)
    rows = client.get(c_url("campaign_items", rdemo.campaign, status="overdue")).context["rows"]
    assert rdemo.assignment.pk in [r["a"].pk for r in rows]
    assert all(r["overdue"] for r in rows)


def test_csv_export_is_utf8_with_bom_and_kazakh_names(rdemo, client):
    login(client, rdemo, REGION)
    response = client.get(c_url("campaign_items", rdemo.campaign, "kk", status="missing", format="csv"))
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    data = response.content
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert len(lines) == 1 + len(client.get(c_url("campaign_items", rdemo.campaign, status="missing")).context["rows"])
    assert "мектеп" in text and kk("Not submitted") in text


def test_drill_down_from_region_to_school(rdemo, client):
    values = valid_values()
    save(rdemo, values)
    submit(rdemo)
    services.submission_accept(assignment=rdemo.assignment, by=rdemo.user(ESIL))
    login(client, rdemo, REGION)
    region = rdemo.esil.parent
    campaign_page = client.get(c_url("campaign", rdemo.campaign)).content.decode()
    assert f"drill/?unit={region.pk}&amp;cell=r13c1" in campaign_page
    response = client.get(c_url("campaign_drill", rdemo.campaign, unit=region.pk, cell="r13c1"))
    assert response.status_code == 200
    items = response.context["items"]
    esil = next(i for i in items if i["unit"] == rdemo.esil)
    assert esil["link"].endswith(f"?unit={rdemo.esil.pk}&cell=r13c1")
    response = client.get(esil["link"])
    school = next(i for i in response.context["items"] if i["unit"] == rdemo.school)
    assert school["value"] == views.display_value(None, values["r13c1"])
    assert school["link"] == a_url("assignment", rdemo.assignment)


# --- home widgets -----------------------------------------------------------------------------------

def test_home_widgets_for_the_head(rdemo, client):
    Assignment.objects.filter(pk=rdemo.assignment.pk).update(due_date=date(2020, 1, 6))
    login(client, rdemo, HEAD)
    html = client.get("/kk/").content.decode()
    assert 'id="reports-to-submit"' in html and a_url("assignment", rdemo.assignment, "kk") in html
    assert "overdue-mark" in html and "2020-01-06 23:59" in html  # Monday: the deadline ends that day, Kazakhstan time
    assert 'id="notifications"' in html and "notification-unread" in html
    assert not Notification.objects.filter(user=rdemo.head, read_at__isnull=True).exists()  # shown → read
    assert "notification-unread" not in client.get("/kk/").content.decode()


def test_home_widgets_for_reviewers(rdemo, client):
    save(rdemo)
    submit(rdemo)
    login(client, rdemo, ESIL)
    html = client.get("/en/").content.decode()
    assert 'id="review-queue"' in html and a_url("assignment", rdemo.assignment) in html
    assert 'id="campaigns-in-progress"' in html and 'id="reports-to-submit"' in html  # the district's own report
    login(client, rdemo, REGION)
    html = client.get("/en/").content.decode()
    assert 'id="review-queue"' in html and a_url("assignment", rdemo.assignment) not in html


# --- query counts -----------------------------------------------------------------------------------

def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_query_counts_do_not_grow_with_rows(rdemo, client, django_assert_max_num_queries):
    save(rdemo)
    login(client, rdemo, "ministry")
    region, district = rdemo.esil.parent, rdemo.esil
    c = rdemo.campaign
    for name, params in (("campaign", {}), ("campaign_items", {}), ("campaign_items", {"format": "csv"}),
                         ("campaign_drill", {"cell": "r13c1"})):
        big = _count(client, c_url(name, c, unit=rdemo.republic.pk, **params))
        small = _count(client, c_url(name, c, unit=district.pk, **params))
        assert big <= small + 1, (name, big, small)
        with django_assert_max_num_queries(16):
            client.get(c_url(name, c, unit=region.pk, **params))
    with django_assert_max_num_queries(12):
        client.get(a_url("assignment", rdemo.assignment))
    with django_assert_max_num_queries(10):
        client.get(reverse("reporting:campaigns"))
    login(client, rdemo, HEAD)
    with django_assert_max_num_queries(12):
        client.get(a_url("assignment", rdemo.assignment))
    with django_assert_max_num_queries(26):  # the head's home also carries the journal's, library's and international office's widgets
        client.get("/en/")
    # the reviewer's home: as many queries with one report waiting as with several
    login(client, rdemo, ESIL)
    one = _count(client, "/en/")
    submit(rdemo)
    from bilim.reporting.demo import _temporary_head

    others = Assignment.objects.filter(campaign=rdemo.campaign, org_unit__parent=rdemo.esil, status__in=["draft", "returned", "accepted"])
    for other in others.exclude(pk=rdemo.assignment.pk):
        head = _temporary_head(other.org_unit)
        head.is_active = True
        head.save(update_fields=["is_active"])
        services.values_save(assignment=other, values=valid_values(other.pk), by=head)
        services.submission_submit(assignment=other, by=head, head_name="X", head_confirmed=True, correction_reason="x")
    assert len(client.get("/en/").context["review_queue"]) >= 2
    assert _count(client, "/en/") <= one


def test_campaign_list_query_count_independent_of_campaigns(rdemo, client, django_assert_max_num_queries):
    login(client, rdemo, "ministry")
    before = _count(client, "/en/reporting/campaigns/")
    campaign = rdemo.campaign
    for n in range(5):
        Campaign.objects.create(form=campaign.form, owner=campaign.owner, period=f"p{n}", name_kk=f"К{n}", name_ru=f"К{n}",
                                deadline_organization=campaign.deadline_organization)
    assert _count(client, "/en/reporting/campaigns/") == before

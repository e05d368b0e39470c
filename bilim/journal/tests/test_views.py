"""The journal's pages at the client level: the teacher's classes and grid, a whole lesson column
saved in one request (letters of both languages, a change of kind, summative points and missed
works), errors per cell in the user's language with nothing saved, read-only grids for the head and
the district, 404 for everyone else on every page; the parents' pages (confirmed links only, new
since the previous visit, a request for a link) and the head's confirmations; the home widgets."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from bilim.core.models import AuditLog, User
from bilim.journal import services
from bilim.journal.models import Attendance, Enrolment, Lesson, Mark, ParentLink, Pupil, SchoolClass

from .conftest import TERM_DAY, valid_iin

OTHER = "district.saryarka"


def kk(message: str) -> str:
    with translation.override("kk"):
        return gettext(message)


def ru(message: str) -> str:
    with translation.override("ru"):
        return gettext(message)


def url(name: str, *args, lang: str = "en", **params) -> str:
    with translation.override(lang):
        path = reverse(f"journal:{name}", args=args)
    if params:
        path += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return path


def login(client, user):
    client.force_login(user)
    return client


def column(j, day=TERM_DAY, kind="formative", cells=None, lang="en", **extra):
    """The POST body of a lesson column: every pupil's cell as typed."""
    body = {"date": day.isoformat(), "number": 1, "topic": "", "kind": kind, **extra}
    for pupil, text in (cells or {}).items():
        body[f"cell-{pupil.pk}"] = text
    return body


def save_column(client, j, lang="en", **kwargs):
    return client.post(url("lesson_save", j.cs.pk, lang=lang), column(j, **kwargs), HTTP_ACCEPT="application/json")


# --- the teacher ----------------------------------------------------------------------------------

def test_teacher_lists_own_classes_and_opens_the_editable_grid(client, journal, other_cs):
    login(client, journal.teacher)
    page = client.get(url("index")).content.decode()
    assert f'data-class-subject="{journal.cs.pk}"' in page and f'data-class-subject="{other_cs.pk}"' not in page
    services.lesson_save(class_subject=journal.cs, day=TERM_DAY, by=journal.teacher, topic="Бөлшектер",
                         marks=[{"pupil": journal.pupils[0].pk, "kind": "formative", "value": 9}], attendance={journal.pupils[1].pk: "sick"})
    response = client.get(url("grid", journal.cs.pk, lang="kk", term=1))
    page = response.content.decode()
    assert response.status_code == 200 and 'class="table table-sm table-bordered align-middle journal-grid mb-0 is-editable"' in page
    assert f'name="cell-{journal.pupils[0].pk}"' in page and 'value="9"' in page
    assert 'value="А"' in page  # sick, with the Kazakh letter
    assert client.get(url("grid", journal.cs.pk, lang="ru", term=1)).content.decode().count('value="Б"') == 1  # the Russian one
    assert client.get(url("grid", journal.cs.pk, term=9)).status_code == 404
    assert client.get(url("grid", journal.cs.pk, term="x")).status_code == 400


def test_a_column_is_saved_whole_with_letters_of_both_languages(client, journal):
    p0, p1, p2 = journal.pupils
    login(client, journal.teacher)
    response = save_column(client, journal, lang="kk", cells={p0: "8", p1: "н", p2: "10о"})  # Russian letters on a Kazakh page
    data = response.json()
    assert response.status_code == 200, data
    assert data["cells"] == {str(p0.pk): "8", str(p1.pk): "Ж", str(p2.pk): "10К"}
    assert {m.pupil_id: int(m.value) for m in Mark.objects.all()} == {p0.pk: 8, p2.pk: 10}
    assert dict(Attendance.objects.values_list("pupil_id", "status")) == {p1.pk: "absent", p2.pk: "late"}
    assert data["grades"][str(p0.pk)]["text"] == "4" and data["grades"][str(p0.pk)]["explanation"]
    assert AuditLog.objects.filter(action="journal.lesson_save").count() == 1  # one request, one audit record
    # the same column again: Kazakh letters, a cleared cell and a cleared absence
    data = save_column(client, journal, lang="kk", cells={p0: "", p1: "", p2: "ж"}).json()
    assert data["cells"] == {str(p0.pk): "", str(p1.pk): "", str(p2.pk): "Ж"}
    assert not Mark.objects.exists() and dict(Attendance.objects.values_list("pupil_id", "status")) == {p2.pk: "absent"}


def test_summative_points_with_a_maximum_missed_works_and_a_change_of_kind(client, journal):
    p0, p1, p2 = journal.pupils
    login(client, journal.teacher)
    save_column(client, journal, cells={p0: "7", p1: "8", p2: "9"})
    response = save_column(client, journal, kind="section_summative", previous_kind="formative", max_points="20",
                           cells={p0: "17,5", p1: "-", p2: "A"}, lang="en")  # English letters on the English page
    assert response.status_code == 200, response.json()
    marks = {m.pupil_id: (m.kind, m.value, m.max_points, m.missed) for m in Mark.objects.all()}
    assert marks == {p0.pk: ("section_summative", 17.5, 20, False), p1.pk: ("section_summative", None, 20, True),
                     p2.pk: ("section_summative", None, 20, True)}  # absent at a summative work: missed
    assert response.json()["cells"] == {str(p0.pk): "17.5", str(p1.pk): "-", str(p2.pk): "A"}
    assert response.json()["grades"][str(p1.pk)]["kind"] == "not_assessed"
    page = client.get(url("grid", journal.cs.pk, lang="ru", term=1)).content.decode()
    assert 'value="17,5"' in page and 'data-kind="section_summative"' in page and 'value="20"' in page


RANGE = {"low": 1, "high": 10}
RU_LETTERS = {"letters": "Н, Б, У, О"}


@pytest.mark.parametrize("text, kind, extra, where, message, fmt", [
    ("11", "formative", {}, "cell", "A formative mark is a whole number from %(low)s to %(high)s.", RANGE),
    ("7,5", "formative", {}, "cell", "A formative mark is a whole number from %(low)s to %(high)s.", RANGE),
    ("Q", "formative", {}, "cell", "Type one attendance letter: %(letters)s.", RU_LETTERS),
    ("ЖБ", "formative", {}, "cell", "Type one attendance letter: %(letters)s.", RU_LETTERS),
    ("-", "formative", {}, "cell", "Type a mark or an attendance letter.", {}),
    ("12,345", "section_summative", {"max_points": "20"}, "cell", "Use at most two decimal places.", {}),
    ("21", "section_summative", {"max_points": "20"}, "cell", "The points must be from 0 to the maximum (%(max)s).", {"max": 20}),
    ("15", "section_summative", {}, "max_points", "Give the maximum points of the work.", {}),
    ("15", "section_summative", {"max_points": "100000"}, "max_points", "The value is too large.", {}),
    ("8", "grade", {}, "kind", "Choose one of the allowed values.", {}),
])
def test_bad_input_names_the_cell_in_the_users_language_and_saves_nothing(client, journal, text, kind, extra, where, message, fmt):
    login(client, journal.teacher)
    typed = {journal.pupils[0]: text, journal.pupils[1]: "9", journal.pupils[2]: "н"}
    response = save_column(client, journal, lang="ru", kind=kind, cells=typed, **extra)
    data = response.json()
    assert response.status_code == 400
    got = data["cells"].get(str(journal.pupils[0].pk)) if where == "cell" else data["fields"].get(where)
    assert got == (ru(message) % fmt if fmt else ru(message))
    assert data["message"] == ru("The lesson has errors; nothing was saved.")
    assert not Lesson.objects.exists() and not Mark.objects.exists() and not Attendance.objects.exists()


def test_grade_one_keeps_attendance_only(client, journal):
    SchoolClass.objects.filter(pk=journal.klass.pk).update(grade=1)
    p0, p1, p2 = journal.pupils
    login(client, journal.teacher)
    response = save_column(client, journal, lang="kk", cells={p0: "", p1: "ж", p2: ""})
    assert response.status_code == 200 and dict(Attendance.objects.values_list("pupil_id", "status")) == {p1.pk: "absent"}
    data = save_column(client, journal, lang="kk", cells={p0: "8", p1: "ж", p2: ""}).json()
    assert data["cells"] == {str(p0.pk): kk("Pupils of this grade get no marks, only feedback.")} and not Mark.objects.exists()
    page = client.get(url("grid", journal.cs.pk, term=1)).content.decode()
    assert 'id="no-marks-note"' in page and "jr-kind" not in page and 'class="jr-input"' in page


def test_bad_dates_and_a_pupil_outside_the_class(client, journal):
    login(client, journal.teacher)
    for day, message in ((date(2025, 10, 29), "The date is outside the terms of the school year."),
                         (date(1990, 1, 1), "The date is outside the terms of the school year.")):
        data = save_column(client, journal, day=day, lang="kk", cells={journal.pupils[0]: "8"}).json()
        assert data["fields"]["date"] == kk(message)
    stranger = Pupil.objects.create(last_name="Басқа", first_name="Бала")
    Enrolment.objects.create(pupil=stranger, school_class=journal.klass, starts=date(2025, 11, 3))
    data = save_column(client, journal, lang="kk", cells={journal.pupils[0]: "8", stranger: "7"}).json()
    assert data["cells"] == {str(stranger.pk): kk("This pupil is not in the class on this date.")}
    assert not Lesson.objects.exists()


def test_adding_a_lesson_with_the_form(client, journal):
    login(client, journal.teacher)
    response = client.post(url("lesson_save", journal.cs.pk, lang="kk"), {"date": "2025-11-12", "number": "2", "topic": "Проценттер"})
    lesson = Lesson.objects.get()
    assert (lesson.date, lesson.number, lesson.topic) == (date(2025, 11, 12), 2, "Проценттер")
    assert response.status_code == 302 and response.url.endswith(f"?term=2#lesson-{lesson.pk}")
    response = client.post(url("lesson_save", journal.cs.pk, lang="kk"), {"date": "2099-01-10", "number": "1", "term": "1"})
    assert response.status_code == 400 and kk("The date is outside the terms of the school year.") in response.content.decode()
    response = client.post(url("lesson_save", journal.cs.pk, lang="kk"), {"date": "10.10.2025", "number": "13"})
    page = response.content.decode()
    assert response.status_code == 400 and kk("Enter a date as YYYY-MM-DD.") in page and kk("The lesson number is from 1 to 12.") in page
    assert Lesson.objects.count() == 1


def test_another_teachers_class_subject_is_404_to_read_and_to_write(client, journal, other_cs):
    login(client, journal.teacher)
    assert client.get(url("grid", other_cs.pk)).status_code == 404
    response = client.post(url("lesson_save", other_cs.pk), {"date": TERM_DAY.isoformat(), "number": 1,
                                                             f"cell-{journal.pupils[0].pk}": "8"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 404 and not Lesson.objects.exists()


# --- readers: the head and the officers ----------------------------------------------------------

def test_head_and_district_read_the_grid_without_writing(client, journal, other_cs):
    services.lesson_save(class_subject=journal.cs, day=TERM_DAY, by=journal.teacher, marks=[{"pupil": journal.pupils[0].pk, "kind": "formative", "value": 9}])
    for username in ("head.school", "district.esil", "ministry"):
        client.force_login(journal.user(username))
        page = client.get(url("grid", journal.cs.pk, term=1)).content.decode()
        assert 'id="read-only"' in page and "jr-input" not in page and '<span class="jr-value">9</span>' in page
        school = client.get(url("school", journal.klass.school_id)).content.decode()
        assert f'data-class-subject="{journal.cs.pk}"' in school and f'data-class-subject="{other_cs.pk}"' in school
        response = client.post(url("lesson_save", journal.cs.pk), column(journal, cells={journal.pupils[0]: "2"}), HTTP_ACCEPT="application/json")
        assert response.status_code == 404
    assert Mark.objects.get().value == 9


def test_a_district_officer_elsewhere_gets_404_on_every_page(client, parent_link):
    j = parent_link
    ParentLink.objects.create(parent=j.user("ministry"), pupil=j.pupils[2])  # a pending request in the school
    client.force_login(j.user(OTHER))
    for path in (url("grid", j.cs.pk), url("grid", j.cs.pk, term=1), url("school", j.klass.school_id), url("child", j.pupils[0].pk),
                 url("links"), url("links_count"), url("me")):
        assert client.get(path).status_code == 404, path
    for path, body in ((url("lesson_save", j.cs.pk), column(j, cells={j.pupils[0]: "5"})),
                       (url("link_decide", ParentLink.objects.get(confirmed_at__isnull=True).pk), {"decision": "confirm"})):
        assert client.post(path, body).status_code == 404, path
    index = client.get(url("index")).content.decode()
    assert f'data-class-subject="{j.cs.pk}"' not in index
    assert client.get(url("children")).status_code == 200
    assert not Lesson.objects.exists() and ParentLink.objects.filter(confirmed_at__isnull=True).count() == 1


def test_grid_queries_do_not_grow_with_lessons(client, journal):
    login(client, journal.teacher)
    services.lesson_save(class_subject=journal.cs, day=date(2025, 9, 3), by=journal.teacher,
                         marks=[{"pupil": p.pk, "kind": "formative", "value": 7} for p in journal.pupils])
    with CaptureQueriesContext(connection) as few:
        client.get(url("grid", journal.cs.pk, term=1))
    for n, day in enumerate([date(2025, 9, 10), date(2025, 9, 17), date(2025, 9, 24), date(2025, 10, 1)]):
        services.lesson_save(class_subject=journal.cs, day=day, by=journal.teacher, attendance={journal.pupils[n % 3].pk: "late"},
                             marks=[{"pupil": p.pk, "kind": "formative", "value": 8} for p in journal.pupils])
    with CaptureQueriesContext(connection) as many:
        client.get(url("grid", journal.cs.pk, term=1))
    assert len(many) == len(few)


# --- parents -----------------------------------------------------------------------------------------

def _marks_for_the_child(j):
    child = j.pupils[0]
    services.lesson_save(class_subject=j.cs, day=date(2025, 9, 10), by=j.teacher, marks=[{"pupil": child.pk, "kind": "formative", "value": 9}])
    services.lesson_save(class_subject=j.cs, day=date(2025, 10, 1), by=j.teacher,
                         marks=[{"pupil": child.pk, "kind": "section_summative", "value": 16, "max_points": 20}],
                         attendance={j.pupils[1].pk: "absent"})
    return child


def test_parent_sees_the_childs_term_with_new_marks_and_grades(client, parent_link):
    j = parent_link
    child = _marks_for_the_child(j)
    last_visit = j.link.seen_at
    client.force_login(j.parent)
    children = client.get(url("children", lang="kk")).content.decode()
    assert f'data-pupil="{child.pk}"' in children and f'data-pupil="{j.pupils[1].pk}"' not in children
    page = client.get(url("child", child.pk, lang="kk", term=1)).content.decode()
    assert page.count("mark-chip is-new") + page.count("mark-chip is-summative is-new") == 2
    assert 'id="new-since" data-count="2"' in page
    # ФО 9/10 = 90 %, СОр 16/20 = 80 %, no СОч: 50/50 → 85 % → 5; the year (2025-2026 has ended): 5
    assert 'class="grade-pill grade-mark term-grade" data-grade="5"' in page and 'year-grade" data-grade="5"' in page
    assert "85,0" in page  # the explanation, with the Kazakh decimal comma
    j.link.refresh_from_db()
    assert j.link.seen_before == last_visit and j.link.seen_at > last_visit  # the visit was recorded
    # another term a minute later is the same visit: what was new stays new
    page = client.get(url("child", child.pk, lang="kk", term=1)).content.decode()
    assert 'id="new-since" data-count="2"' in page
    # a later visit, after the one that saw them: nothing new any more
    Mark.objects.update(updated_at=timezone.now() - timedelta(hours=3))
    Attendance.objects.update(updated_at=timezone.now() - timedelta(hours=3))
    ParentLink.objects.filter(pk=j.link.pk).update(seen_at=timezone.now() - timedelta(hours=2))
    page = client.get(url("child", child.pk, lang="kk", term=1)).content.decode()
    assert 'id="new-since" data-count="0"' in page and "is-new" not in page


def test_another_familys_child_and_an_unconfirmed_link_are_404(client, parent_link):
    j = parent_link
    _marks_for_the_child(j)
    pending = ParentLink.objects.create(parent=j.parent, pupil=j.pupils[1])
    client.force_login(j.parent)
    assert client.get(url("child", j.pupils[1].pk)).status_code == 404  # pending: nothing shown
    assert client.get(url("child", j.pupils[2].pk)).status_code == 404  # another family's
    assert client.get(url("me")).status_code == 404
    page = client.get(url("children")).content.decode()
    assert f'data-link="{pending.pk}"' in page and j.pupils[1].last_name not in page
    client.force_login(j.user("district.esil"))  # an officer is not a parent either
    assert client.get(url("child", j.pupils[0].pk)).status_code == 404


def test_a_pupil_with_an_account_sees_their_own_page(client, journal):
    _marks = _marks_for_the_child(journal)
    account = User.objects.create_user(username="pupil0", password="x")
    Pupil.objects.filter(pk=journal.pupils[0].pk).update(user=account)
    client.force_login(account)
    response = client.get(url("me"))
    assert response.status_code == 302 and response.url == url("child", journal.pupils[0].pk)
    page = client.get(url("child", journal.pupils[0].pk, term=1)).content.decode()
    assert 'data-grade="5"' in page and 'id="new-since"' not in page
    assert client.get(url("child", journal.pupils[1].pk)).status_code == 404


def test_link_request_confirm_and_reject(client, journal):
    child = journal.pupils[2]
    iin = valid_iin()
    Pupil.objects.filter(pk=child.pk).update(iin=iin, birth_date=date(2015, 1, 1))
    parent = journal.user("parent")
    client.force_login(parent)
    response = client.post(url("link_request", lang="kk"), {"iin": "123", "birth_date": "2015-01-01"})
    assert response.status_code == 400 and kk("The IIN is 12 digits.") in response.content.decode()
    response = client.post(url("link_request", lang="kk"), {"iin": iin, "birth_date": "2015-01-02"})
    assert response.status_code == 400 and kk("No pupil with this IIN and date of birth is enrolled in a school.") in response.content.decode()
    assert not ParentLink.objects.exists()
    assert client.post(url("link_request"), {"iin": iin, "birth_date": "2015-01-01"}).status_code == 302
    link = ParentLink.objects.get()
    assert not link.confirmed and client.get(url("child", child.pk)).status_code == 404
    assert client.post(url("link_request"), {"iin": iin, "birth_date": "2015-01-01"}).status_code == 409

    head = journal.user("head.school")
    client.force_login(head)
    home = client.get("/en/").content.decode()
    assert 'id="journal-pending-links"' in home and url("links_count") in home
    assert 'data-count="1"' in client.get(url("links_count")).content.decode()
    page = client.get(url("links")).content.decode()
    assert f'data-link="{link.pk}"' in page and child.last_name in page
    assert client.post(url("link_decide", link.pk), {"decision": "maybe"}).status_code == 400
    assert client.post(url("link_decide", link.pk), {"decision": "confirm"}).status_code == 302
    link.refresh_from_db()
    assert link.confirmed and link.confirmed_by == head
    client.force_login(parent)
    assert client.get(url("child", child.pk)).status_code == 200

    other = ParentLink.objects.create(parent=journal.user("ministry"), pupil=journal.pupils[1])
    client.force_login(journal.user("district.esil"))  # not the head of the school: no decisions
    assert client.get(url("links")).status_code == 404 and client.get(url("links_count")).status_code == 404
    assert client.post(url("link_decide", other.pk), {"decision": "reject"}).status_code == 404
    client.force_login(head)
    client.post(url("link_decide", other.pk), {"decision": "reject"})
    assert not ParentLink.objects.filter(pk=other.pk).exists()


# --- home widgets --------------------------------------------------------------------------------

def test_home_widgets_of_the_teacher_parent_and_head(client, parent_link):
    j = parent_link
    client.force_login(j.teacher)
    page = client.get("/kk/").content.decode()
    assert 'id="journal-classes"' in page and f'data-class-subject="{j.cs.pk}"' in page
    client.force_login(j.parent)
    page = client.get("/kk/").content.decode()
    assert 'id="journal-children"' in page and f'data-pupil="{j.pupils[0].pk}"' in page
    client.force_login(j.head)
    page = client.get("/kk/").content.decode()
    assert 'id="journal-school"' in page and f"/kk/journal/schools/{j.klass.school_id}/" in page
    client.force_login(j.user("ministry"))
    page = client.get("/kk/").content.decode()
    assert 'id="journal-classes"' not in page and 'id="journal-children"' not in page

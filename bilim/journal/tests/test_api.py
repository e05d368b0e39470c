"""The journal API: a teacher's app writes a whole lesson and reads the grid back; readers read and
never write; a district elsewhere, another teacher and another family get 404 on every endpoint; bad
input is answered with the field and the reason in the caller's language, nothing saved; a parent's
app reads the child's term and asks for a link that the school's head confirms."""

import json
from datetime import date

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from bilim.core.services import token_create
from bilim.journal.models import Attendance, Lesson, Mark, ParentLink, Pupil

from .conftest import TERM_DAY, valid_iin

API = "/api/v1/journal"


def client_for(demo, username, lang="en"):
    _token, secret = token_create(user=demo.user(username), name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE=lang)


def put(client, path, body):
    return client.put(path, json.dumps(body), content_type="application/json")


def post(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


def lesson(j, **extra):
    p0, p1, p2 = j.pupils
    return {"date": TERM_DAY.isoformat(), "number": 1, "topic": "Бөлшектер",
            "marks": [{"pupil": p0.pk, "kind": "formative", "value": 8}, {"pupil": p1.pk, "kind": "formative", "value": 10}],
            "attendance": {str(p2.pk): "sick"}, **extra}


def test_teacher_writes_a_lesson_and_reads_the_grid(journal):
    teacher = client_for(journal, "teacher")
    listed = teacher.get(f"{API}/class-subjects").json()
    assert [cs["id"] for cs in listed["items"]] == [journal.cs.pk] and listed["items"][0]["can_write"] is True
    response = put(teacher, f"{API}/class-subjects/{journal.cs.pk}/lessons", lesson(journal))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["topic"] == "Бөлшектер" and body["attendance"] == {str(journal.pupils[2].pk): "sick"}
    assert [(m["pupil"], m["value"]) for m in body["marks"]] == [(journal.pupils[0].pk, "8"), (journal.pupils[1].pk, "10")]
    # the same lesson again is an update: a summative for the first pupil, the sick pupil present again
    body = put(teacher, f"{API}/class-subjects/{journal.cs.pk}/lessons", lesson(journal, marks=[
        {"pupil": journal.pupils[0].pk, "kind": "section_summative", "value": 17.5, "max_points": 20}],
        attendance={str(journal.pupils[2].pk): "present"})).json()
    assert body["attendance"] == {} and Lesson.objects.count() == 1 and Mark.objects.count() == 3
    grid = teacher.get(f"{API}/class-subjects/{journal.cs.pk}/grid?term=1").json()
    assert grid["term"]["number"] == 1 and [p["id"] for p in grid["pupils"]] == [p.pk for p in journal.pupils]
    marks = {(m["pupil"], m["kind"]): (m["value"], m["max_points"]) for m in grid["lessons"][0]["marks"]}
    assert marks[(journal.pupils[0].pk, "section_summative")] == ("17.5", "20")
    grades = {g["pupil"]: g for g in grid["term_grades"]}
    # ФО 8/10 = 80 %, СОр 17.5/20 = 87.5 %, no СОч: 50/50 → 83.75 → 83.8 % → 4
    assert grades[journal.pupils[0].pk]["mark"] == 4 and grades[journal.pupils[0].pk]["percent"] == "83.8"
    assert grades[journal.pupils[2].pk]["kind"] == "insufficient" and grades[journal.pupils[2].pk]["explanation"]


@pytest.mark.parametrize("change, field", [
    ({"marks": [{"pupil": 0, "kind": "formative", "value": 11}]}, "marks[0].value"),
    ({"marks": [{"pupil": 0, "kind": "section_summative", "value": 5}]}, "marks[0].max_points"),
    ({"marks": [{"pupil": 0, "kind": "section_summative", "value": 5.125, "max_points": 20}]}, "marks[0].value"),
    ({"attendance": {"abc": "absent"}}, "attendance.abc"),
    ({"attendance": {"999999": "absent"}}, "attendance.999999"),
    ({"date": "2025-10-29"}, "date"),
    ({"date": "1990-01-01"}, "date"),
])
def test_bad_input_names_the_field_in_the_callers_language(journal, change, field):
    teacher = client_for(journal, "teacher", lang="ru")
    body = lesson(journal)
    for item in change.get("marks", []):
        item["pupil"] = journal.pupils[0].pk
    body.update(change)
    response = put(teacher, f"{API}/class-subjects/{journal.cs.pk}/lessons", body)
    data = response.json()
    assert response.status_code == 400, data
    assert field in [e["field"] for e in data["errors"]]
    with translation.override("ru"):
        assert data["message"] == gettext("The lesson has errors; nothing was saved.")
    assert not Lesson.objects.exists() and not Mark.objects.exists() and not Attendance.objects.exists()


def test_schema_violations_are_422(journal):
    teacher = client_for(journal, "teacher")
    for bad in ({"number": 13}, {"marks": [{"pupil": 1, "kind": "grade"}]}, {"attendance": {"1": "ill"}}, {"date": "08.10.2025"}):
        response = put(teacher, f"{API}/class-subjects/{journal.cs.pk}/lessons", lesson(journal, **bad))
        assert response.status_code == 422 and response.json()["code"] == "validation_error"
    assert not Lesson.objects.exists()


def test_readers_read_and_never_write(journal):
    put(client_for(journal, "teacher"), f"{API}/class-subjects/{journal.cs.pk}/lessons", lesson(journal))
    for username in ("head.school", "district.esil", "ministry"):
        reader = client_for(journal, username)
        grid = reader.get(f"{API}/class-subjects/{journal.cs.pk}/grid?term=1")
        assert grid.status_code == 200 and grid.json()["class_subject"]["can_write"] is False
        listed = reader.get(f"{API}/class-subjects?school={journal.klass.school_id}&year=2025-2026").json()
        assert [cs["id"] for cs in listed["items"]] == [journal.cs.pk]
        response = put(reader, f"{API}/class-subjects/{journal.cs.pk}/lessons", lesson(journal, marks=[]))
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert Mark.objects.count() == 2


def test_outsiders_get_404_on_every_endpoint(parent_link, other_cs):
    j = parent_link
    pending = ParentLink.objects.create(parent=j.user("ministry"), pupil=j.pupils[2])
    for username, class_subject in (("district.saryarka", j.cs), ("teacher", other_cs)):
        outsider = client_for(j, username)
        assert outsider.get(f"{API}/class-subjects/{class_subject.pk}/grid").status_code == 404
        assert outsider.get(f"{API}/class-subjects/{class_subject.pk}/grid?term=1").status_code == 404
        assert put(outsider, f"{API}/class-subjects/{class_subject.pk}/lessons", lesson(j)).status_code == 404
        assert class_subject.pk not in [cs["id"] for cs in outsider.get(f"{API}/class-subjects").json()["items"]]
        assert outsider.get(f"{API}/children/{j.pupils[0].pk}/report").status_code == 404
        assert post(outsider, f"{API}/links/{pending.pk}/decide", {"approve": True}).status_code == 404
    assert client_for(j, "district.saryarka").get(f"{API}/links/pending").json() == []
    assert not Lesson.objects.exists() and not ParentLink.objects.get(pk=pending.pk).confirmed


def test_parent_reads_the_childs_term_and_only_their_confirmed_children(parent_link):
    j = parent_link
    put(client_for(j, "teacher"), f"{API}/class-subjects/{j.cs.pk}/lessons", lesson(j))
    ParentLink.objects.create(parent=j.parent, pupil=j.pupils[1])  # pending
    parent = client_for(j, "parent", lang="kk")
    children = parent.get(f"{API}/children").json()
    assert [c["pupil_id"] for c in children] == [j.pupils[0].pk] and children[0]["class_name"] == "5 А"
    report = parent.get(f"{API}/children/{j.pupils[0].pk}/report?term=1").json()
    subject = report["subjects"][0]
    assert subject["marks"][0]["value"] == "8" and subject["marks"][0]["new"] is True and report["new_count"] == 1
    assert subject["term_grade"]["mark"] == 4 and any("80,0" in line for line in subject["term_grade"]["explanation"])
    assert subject["year_grade"]["mark"] == 4  # the year 2025-2026 has ended
    assert parent.get(f"{API}/children/{j.pupils[1].pk}/report").status_code == 404  # not confirmed yet
    assert parent.get(f"{API}/children/{j.pupils[2].pk}/report").status_code == 404  # another family's
    assert parent.get(f"{API}/children/{j.pupils[0].pk}/report?term=7").status_code == 404
    assert parent.get(f"{API}/children/{j.pupils[0].pk}/report?year=999").status_code == 404


def test_link_requested_by_a_parent_and_confirmed_by_the_head(journal):
    child = journal.pupils[1]
    iin = valid_iin("14020250034")
    Pupil.objects.filter(pk=child.pk).update(iin=iin, birth_date=date(2014, 2, 2))
    parent = client_for(journal, "parent", lang="ru")
    response = post(parent, f"{API}/children/requests", {"iin": iin, "birth_date": "2014-02-03"})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "iin"
    response = post(parent, f"{API}/children/requests", {"iin": iin, "birth_date": "2014-02-02"})
    assert response.status_code == 201 and response.json()["confirmed"] is False
    link_id = response.json()["id"]
    assert post(parent, f"{API}/children/requests", {"iin": iin, "birth_date": "2014-02-02"}).status_code == 409
    assert parent.get(f"{API}/children/{child.pk}/report").status_code == 404
    head = client_for(journal, "head.school")
    assert [link["id"] for link in head.get(f"{API}/links/pending").json()] == [link_id]
    assert post(head, f"{API}/links/{link_id}/decide", {"approve": True}).json() == {"id": link_id, "confirmed": True}
    assert post(head, f"{API}/links/{link_id}/decide", {"approve": True}).status_code == 409
    assert parent.get(f"{API}/children/{child.pk}/report").status_code == 200

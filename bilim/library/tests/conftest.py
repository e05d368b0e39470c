"""Fixtures of the library's tests: the demo's universities and people, plus a librarian of KazNU
and a student of a university without a subscription, collections, and files made on the fly."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from bilim.core.models import Level, OrgKind, OrgUnit, Role, RoleGrant, User
from bilim.library import samples, services

PASSWORD = "Bilim-demo-2026"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


class Library:
    password = PASSWORD

    def __init__(self, demo):
        self.demo = demo
        universities = OrgUnit.objects.filter(level=Level.ORGANIZATION, kind=OrgKind.UNIVERSITY)
        self.enu = universities.get(kato__startswith="71")
        self.kaznu = universities.get(kato__startswith="75")
        self.yassawi = universities.get(kato__startswith="61")
        self.librarian = demo.user("librarian.enu")
        self.student = demo.user("student.enu")
        self.subscriber = demo.user("subscriber.kaznu")
        self.ministry = demo.user("ministry")
        self.kaznu_librarian = self.person("librarian.kaznu", Role.LIBRARIAN, self.kaznu)
        self.outsider = self.person("student.yassawi", Role.STUDENT, self.yassawi)  # no subscription
        self.teacher = demo.user("teacher")  # a school teacher: no university at all
        self.collection = services.collection_create(university=self.enu, code="textbooks", name_kk="Оқулықтар", name_ru="Учебники",
                                                     name_en="Textbooks", by=self.librarian)
        self.kaznu_collection = services.collection_create(university=self.kaznu, code="monographs", name_kk="Монографиялар",
                                                           name_ru="Монографии", name_en="Monographs", by=self.kaznu_librarian)
        today = timezone.localdate()
        self.subscription = services.subscription_create(institution=self.kaznu, starts=today - dt.timedelta(days=30),
                                                         ends=today + dt.timedelta(days=300), note="test", by=self.ministry)

    def person(self, username: str, role: str, unit: OrgUnit) -> User:
        user = User.objects.create_user(username=username, password=PASSWORD, first_name=username)
        RoleGrant.objects.create(user=user, role=role, org_unit=unit)
        return user

    def record(self, collection=None, **fields) -> "services.Resource":
        values = {"title": "Қазақстан тарихы", "type": "textbook", "language": "kk", "creators": ["Әбенов, Серік Қайратұлы"],
                  "subjects": ["тарих"], "issued": "2021", "access": "open"} | fields
        collection = collection or self.collection
        by = self.librarian if collection.university_id == self.enu.pk else self.kaznu_librarian
        return services.resource_create(collection=collection, by=by, **values)


@pytest.fixture
def lib(demo):
    return Library(demo)


def pdf_upload(name="book.pdf", title="Оқулық", paragraphs=None) -> SimpleUploadedFile:
    paragraphs = paragraphs or ["Қазақстанның тарихы туралы оқулықтарының мазмұны: Ұлы дала, жылқы, көшпелі мәдениет."]
    return SimpleUploadedFile(name, samples.pdf(title, paragraphs), content_type="application/pdf")


def epub_upload(name="book.epub") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, samples.epub("Кітап", [("Абай", "Абай Құнанбайұлының қара сөздері.")]))


def docx_upload(name="doc.docx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, samples.docx("Құжат", ["Экожүйелер және су ресурстары."]))


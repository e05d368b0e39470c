"""Harvests over real HTTP:

* **Sickle** (a client library that is not our code) harvests our ``/oai`` served by
  ``live_server`` and gets every record, deleted ones included, across resumption tokens;
* our harvester (oaipmh-scythe) harvests the same endpoint into another collection, then again
  incrementally after changes;
* our harvester imports from **a second Bilim instance**: another process (Django's threaded WSGI
  server) on a free port, with its own SQLite database migrated and seeded here; records are then
  changed, added and withdrawn there, and the next run brings exactly that."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest
from sickle import Sickle

from bilim.library import harvest, oai, services
from bilim.library.models import HarvestSource, Resource


pytestmark = pytest.mark.urls("bilim.library.tests.test_oai_provider")

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def published(demo):
    """11 records of two universities (one withdrawn) to be harvested."""
    enu = demo.unit(kind="university", name_en__startswith="L.N. Gumilyov")
    kaznu = demo.unit(kind="university", name_en__startswith="Al-Farabi")
    books = services.collection_create(university=enu, code="books", name_kk="Кітаптар", name_ru="Книги", by=None)
    papers = services.collection_create(university=kaznu, code="papers", name_kk="Мақалалар", name_ru="Статьи", by=None)
    records = []
    for number in range(6):
        records.append(services.resource_create(collection=books, title=f"Қазақ әдебиеті, {number + 1}-том", type="textbook", language="kk",
                                                creators=["Әуезов М."], issued=str(2000 + number), by=None))
    for number in range(5):
        records.append(services.resource_create(collection=papers, title=f"Статья о морфологии № {number + 1}", type="article",
                                                language="ru", subjects=["лингвистика"], by=None))
    services.resource_delete(resource=records[3], by=None)
    return {"enu": enu, "kaznu": kaznu, "books": books, "papers": papers, "records": records}


def test_sickle_harvests_every_record_across_resumption_tokens(live_server, published, settings):
    settings.LIBRARY_OAI_PAGE_SIZE = 3
    sickle = Sickle(f"{live_server.url}/oai", max_retries=0)
    identify = sickle.Identify()
    assert identify.protocolVersion == "2.0" and identify.granularity == "YYYY-MM-DDThh:mm:ssZ"
    assert identify.deletedRecord == "persistent" and identify.baseURL == f"{live_server.url}/oai"

    records = list(sickle.ListRecords(metadataPrefix="oai_dc"))
    expected = {oai.oai_identifier(r.pk) for r in published["records"]}
    in_order = [oai.oai_identifier(pk) for pk in Resource.objects.order_by("modified_at", "id").values_list("pk", flat=True)]
    assert [r.header.identifier for r in records] == in_order  # keyed by (datestamp, id), no page repeated or skipped
    assert {r.header.identifier for r in records} == expected and len(records) == 11
    deleted = [r for r in records if r.header.deleted]
    assert [r.header.identifier for r in deleted] == [oai.oai_identifier(published["records"][3].pk)]
    live = next(r for r in records if not r.header.deleted and r.metadata["title"][0].startswith("Қазақ әдебиеті, 1"))
    assert live.metadata["creator"] == ["Әуезов М."] and live.metadata["date"] == ["2000"] and live.metadata["language"] == ["kk"]

    headers = list(sickle.ListIdentifiers(metadataPrefix="oai_dc", set=f"university:{published['kaznu'].pk}"))
    assert {h.identifier for h in headers} == {oai.oai_identifier(r.pk) for r in published["records"][6:]}
    assert {s.setSpec for s in sickle.ListSets()} >= {"university", f"university:{published['enu'].pk}:books", "type:article"}
    assert [f.metadataPrefix for f in sickle.ListMetadataFormats()] == ["oai_dc"]
    one = sickle.GetRecord(identifier=oai.oai_identifier(published["records"][0].pk), metadataPrefix="oai_dc")
    assert one.metadata["title"] == ["Қазақ әдебиеті, 1-том"]
    by_post = Sickle(f"{live_server.url}/oai", http_method="POST", max_retries=0)
    assert len(list(by_post.ListIdentifiers(metadataPrefix="oai_dc"))) == 11


def test_our_harvester_harvests_our_endpoint_incrementally(live_server, published, settings):
    settings.LIBRARY_OAI_PAGE_SIZE = 4
    target = services.collection_create(university=published["enu"], code="mirror", name_kk="Айна", name_ru="Зеркало", by=None)
    source = harvest.harvest_source_create(collection=target, base_url=f"{live_server.url}/oai", default_type="manual", by=None)
    source = harvest.harvest(source=source, retries=0, timeout=20)
    assert source.status == HarvestSource.Status.OK, source.message
    stats = source.last_stats
    assert (stats["created"], stats["unchanged"], stats["rejected"]) == (10, 1, 0)  # the withdrawn one was never imported
    copies = {r.source_identifier: r for r in Resource.objects.filter(harvest_source=source)}
    original = published["records"][0]
    copy = copies[oai.oai_identifier(original.pk)]
    assert (copy.title, copy.creators, copy.issued, copy.type, copy.language) == (original.title, ["Әуезов М."], "2000", "textbook", "kk")
    assert copy.url.startswith(live_server.url) or copy.url == ""

    services.resource_update(resource=original, title="Қазақ әдебиеті, 1-том (толықтырылған)", by=None)
    services.resource_delete(resource=published["records"][7], by=None)
    source = harvest.harvest(source=source, retries=0, timeout=20)
    stats = source.last_stats
    assert (stats["created"], stats["updated"], stats["deleted"], stats["rejected"]) == (0, 1, 1, 0)
    copy.refresh_from_db()
    assert copy.title == "Қазақ әдебиеті, 1-том (толықтырылған)"
    assert Resource.objects.get(harvest_source=source, source_identifier=oai.oai_identifier(published["records"][7].pk)).deleted_at
    source = harvest.harvest(source=source, retries=0, timeout=20)
    assert (source.last_stats["created"], source.last_stats["updated"], source.last_stats["deleted"]) == (0, 0, 0)


def test_sources_that_fail_or_have_nothing(live_server, published):
    target = services.collection_create(university=published["enu"], code="mirror", name_kk="Айна", name_ru="Зеркало", by=None)
    missing = harvest.harvest_source_create(collection=target, base_url=f"{live_server.url}/no-oai-here", by=None)
    missing = harvest.harvest(source=missing, retries=0, timeout=20)
    assert missing.status == HarvestSource.Status.FAILED and "404" in missing.message and missing.last_until is None
    empty = harvest.harvest_source_create(collection=target, base_url=f"{live_server.url}/oai", set_spec="university:999999", by=None)
    empty = harvest.harvest(source=empty, retries=0, timeout=20)  # noRecordsMatch: nothing to import, not a failure
    assert empty.status == HarvestSource.Status.OK and empty.last_stats["created"] == 0 and empty.last_until is not None


# --- a second Bilim instance --------------------------------------------------------------------------

SEED = """
import json
from bilim.core import services as core
from bilim.core.models import OrgUnit
from bilim.library import services
region = OrgUnit.objects.filter(level=1).order_by("pk").first()
district = core.orgunit_create(parent=region, kind="district_authority", name_kk="Серіктес ауданы", name_ru="Партнёрский район")
university = core.orgunit_create(parent=district, kind="university", name_kk="Серіктес университеті", name_ru="Партнёрский университет",
                                 name_en="Partner University")
collection = services.collection_create(university=university, code="library", name_kk="Кітапхана", name_ru="Библиотека", by=None)
ids = []
for number, (title, kind, language) in enumerate([
        ("Информатика негіздері", "textbook", "kk"), ("Основы информатики", "textbook", "ru"), ("Data structures", "manual", "en"),
        ("Алгоритмы на графах", "monograph", "ru"), ("Qazaq tili grammatikasy", "textbook", "kk")]):
    ids.append(services.resource_create(collection=collection, title=title, type=kind, language=language, issued=str(2010 + number),
                                        creators=["Автор " + str(number)], isbn="9780306406157" if number == 0 else "", by=None).pk)
print(json.dumps({"university": university.pk, "ids": ids}))
"""

CHANGE = """
import json, os
from bilim.library import services
from bilim.library.models import Resource
ids = json.loads(os.environ["SEEDED_IDS"])
services.resource_update(resource=Resource.objects.get(pk=ids[0]), title="Информатика негіздері (2-басылым)", issued="2024", by=None)
services.resource_delete(resource=Resource.objects.get(pk=ids[1]), by=None)
first = Resource.objects.get(pk=ids[0])
new = services.resource_create(collection=first.collection, title="Машиналық оқыту", type="textbook", language="kk", by=None)
print(json.dumps({"new": new.pk}))
"""

SERVE = """
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bilim.config.settings")
import django
django.setup()
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import run
settings.ROOT_URLCONF = "bilim.library.tests.test_oai_provider"  # /oai, whether or not the lead has wired it yet
settings.LIBRARY_OAI_PAGE_SIZE = 2
settings.LIBRARY_OAI_REPOSITORY_ID = "partner.example.kz"
run("127.0.0.1", int(sys.argv[1]), WSGIHandler(), threading=True)
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SecondBilim:
    """Another Bilim: its own SQLite database and media, its own server process."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/oai"
        self.env = {**os.environ, "BILIM_DATABASE_URL": f"sqlite:///{directory / 'second.sqlite3'}", "BILIM_VAR_DIR": str(directory),
                    "BILIM_MEDIA_ROOT": str(directory / "media"), "DJANGO_SETTINGS_MODULE": "bilim.config.settings", "PYTHONPATH": str(ROOT)}
        self.env.pop("BILIM_TEST_SQLITE_NAME", None)
        self.server: subprocess.Popen | None = None

    def manage(self, *arguments: str) -> str:
        done = subprocess.run([sys.executable, "manage.py", *arguments], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def script(self, code: str, **variables: str) -> dict:
        done = subprocess.run([sys.executable, "manage.py", "shell", "-c", textwrap.dedent(code)], cwd=ROOT, env={**self.env, **variables},
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout.strip().splitlines()[-1])

    def start(self) -> None:
        log = open(self.directory / "server.log", "w")
        self.server = subprocess.Popen([sys.executable, "-c", SERVE, str(self.port)], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}?verb=Identify", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                if self.server.poll() is not None:
                    break
                time.sleep(0.3)
        raise AssertionError("the second instance did not start: " + (self.directory / "server.log").read_text()[-3000:])

    def stop(self) -> None:
        if self.server is not None and self.server.poll() is None:
            self.server.terminate()
            try:
                self.server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()


def test_harvest_from_a_second_bilim_instance(demo, tmp_path):
    second = SecondBilim(tmp_path)
    second.manage("migrate", "--noinput", "--skip-checks")
    seeded = second.script(SEED)
    second.start()
    try:
        enu = demo.unit(kind="university", name_en__startswith="L.N. Gumilyov")
        partners = services.collection_create(university=enu, code="partners", name_kk="Серіктестер", name_ru="Партнёры", by=None)
        source = harvest.harvest_source_create(collection=partners, base_url=second.url, set_spec=f"university:{seeded['university']}",
                                               name="Partner University", by=demo.user("librarian.enu"))
        source = harvest.harvest(source=source, by=demo.user("librarian.enu"), retries=0, timeout=20)
        assert source.status == HarvestSource.Status.OK, source.message
        assert (source.last_stats["created"], source.last_stats["rejected"]) == (5, 0)  # three pages of two
        imported = {r.source_identifier: r for r in Resource.objects.filter(harvest_source=source)}
        remote = [f"oai:partner.example.kz:{pk}" for pk in seeded["ids"]]
        assert set(imported) == set(remote)
        first = imported[remote[0]]
        assert (first.title, first.type, first.language, first.issued, first.isbn, first.creators) == (
            "Информатика негіздері", "textbook", "kk", "2010", "9780306406157", ["Автор 0"])
        assert imported[remote[2]].type == "manual" and imported[remote[3]].type == "monograph" and imported[remote[4]].language == "kk"
        assert all(r.collection == partners and r.university == enu for r in imported.values())

        changed = second.script(CHANGE, SEEDED_IDS=json.dumps(seeded["ids"]))
        source = harvest.harvest(source=source, retries=0, timeout=20)
        stats = source.last_stats
        assert (stats["created"], stats["updated"], stats["deleted"], stats["rejected"]) == (1, 1, 1, 0), stats
        assert stats["from"] is not None  # incremental
        first.refresh_from_db()
        assert (first.title, first.issued) == ("Информатика негіздері (2-басылым)", "2024")
        assert Resource.objects.get(harvest_source=source, source_identifier=remote[1]).deleted_at is not None
        assert Resource.objects.get(harvest_source=source, source_identifier=f"oai:partner.example.kz:{changed['new']}").title == "Машиналық оқыту"

        source = harvest.harvest(source=source, retries=0, timeout=20)
        assert (source.last_stats["created"], source.last_stats["updated"], source.last_stats["deleted"]) == (0, 0, 0)
    finally:
        second.stop()

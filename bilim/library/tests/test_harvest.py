"""The harvester: Dublin Core → our record (languages, types, dates, identifiers), incremental runs,
updates, deletions, bad remote data reported per record, failures, the source registry and the
command. The source here is a scripted listing; test_harvest_live.py harvests real endpoints."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from lxml import etree

from bilim.core.errors import DomainError
from bilim.core.models import AuditLog
from bilim.library import harvest, services
from bilim.library.harvest import Harvested, Listing, Rejected, map_date, map_identifiers, map_language, map_record, map_type
from bilim.library.models import HarvestSource, Resource


UTC = dt.timezone.utc


def record_xml(oai_id: str = "oai:dspace.kz:1", *, deleted: bool = False, **dc) -> etree._Element:
    """An OAI-PMH <record> with oai_dc metadata; ``dc`` maps element names to a value or a list
    (a value may be ``(text, xml:lang)``)."""
    status = ' status="deleted"' if deleted else ""
    parts = []
    for name, values in dc.items():
        for value in values if isinstance(values, list) else [values]:
            text, lang = value if isinstance(value, tuple) else (value, None)
            attr = f' xml:lang="{lang}"' if lang else ""
            parts.append(f"<dc:{name}{attr}>{text}</dc:{name}>")
    metadata = "" if deleted else (
        '<metadata><oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        + "".join(parts) + "</oai_dc:dc></metadata>")
    return etree.fromstring(
        f'<record xmlns="http://www.openarchives.org/OAI/2.0/"><header{status}><identifier>{oai_id}</identifier>'
        f"<datestamp>2024-01-01T00:00:00Z</datestamp></header>{metadata}</record>")


def item(oai_id: str, *, deleted: bool = False, **dc) -> Harvested:
    return Harvested(identifier=oai_id, deleted=deleted, xml=None if deleted else record_xml(oai_id, **dc))


class Remote:
    """A scripted OAI-PMH source: what ListRecords gives for each run, and the ``from`` it was asked."""

    def __init__(self, granularity="YYYY-MM-DDThh:mm:ssZ"):
        self.granularity = granularity
        self.batches: list[list[Harvested]] = []
        self.asked: list[str | None] = []
        self.clock = dt.datetime(2025, 6, 1, 12, 0, 0, tzinfo=UTC)
        self.fail_after: int | None = None

    def __call__(self, source, *, retries, timeout):
        batch = self.batches.pop(0) if self.batches else []
        response_date = self.clock
        self.clock += dt.timedelta(hours=1)

        def items(since):
            self.asked.append(since)
            for number, entry in enumerate(batch):
                if self.fail_after is not None and number == self.fail_after:
                    raise ConnectionError("the connection was reset")
                yield entry

        return None, Listing(granularity=self.granularity, response_date=response_date, items=items)


@pytest.fixture
def target(demo):
    enu = demo.unit(kind="university", name_en__startswith="L.N. Gumilyov")
    collection = services.collection_create(university=enu, code="partners", name_kk="Серіктестер қоры", name_ru="Фонд партнёров",
                                            name_en="Partners' holdings", by=None)
    source = harvest.harvest_source_create(collection=collection, base_url="https://dspace.example.kz/oai/request", name="DSpace",
                                           default_type="article", default_language="ru", by=None)
    return source


def harvested(source) -> dict[str, Resource]:
    return {r.source_identifier: r for r in Resource.objects.filter(harvest_source=source)}


# --- mapping ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("kk", "kk"), ("kaz", "kk"), ("KAZ", "kk"), ("kk-KZ", "kk"), ("kk_Cyrl_KZ", "kk"), ("Қазақ тілі", "kk"), ("қазақша", "kk"),
    ("Kazakh", "kk"), ("казахский", "kk"), ("qazaq tili", "kk"), ("ru", "ru"), ("rus", "ru"), ("ru_RU", "ru"), ("Русский язык", "ru"),
    ("орыс тілі", "ru"), ("en", "en"), ("eng", "en"), ("en-GB", "en"), ("English", "en"), ("ағылшын тілі", "en"), ("tur", "tr"),
    ("Türkçe", "tr"), ("ger", "de"), ("Deutsch", "de"), ("fre", "fr"), ("zh-Hans", "zh"), ("chi", "zh"), ("uzb", "uz"),
    ("kir", "ky"), ("Kyrgyz", "ky"), ("English (United States)", "en"), ("pol", None), ("Klingon", None), ("", None),
])
def test_languages(value, expected):
    assert map_language(value) == expected


@pytest.mark.parametrize("value, expected", [
    ("Textbook", "textbook"), ("учебник", "textbook"), ("Оқулық", "textbook"), ("Learning Object", "manual"),
    ("Учебное пособие", "manual"), ("оқу құралы", "manual"), ("Book", "monograph"), ("Монография", "monograph"),
    ("Article", "article"), ("info:eu-repo/semantics/article", "article"), ("Статья", "article"), ("Book chapter", "article"),
    ("info:eu-repo/semantics/doctoralThesis", "thesis"), ("Thesis", "thesis"), ("Диссертация", "thesis"), ("Автореферат", "thesis"),
    ("УМК", "tmc"), ("Оқу-әдістемелік кешен", "tmc"), ("Teaching and methodological complex", "tmc"), ("Study guide", "manual"),
    ("Text", None), ("info:eu-repo/semantics/other", None), ("Image", None), ("http://purl.org/coar/resource_type/c_6501", None),
])
def test_types(value, expected):
    assert map_type(value) == expected


@pytest.mark.parametrize("values, issued, problem", [
    (["2014"], "2014", False),
    (["2014-05"], "2014-05", False),
    (["2014-05-12"], "2014-05-12", False),
    (["2015-03-02T10:00:00Z", "2015-03-02T10:00:00Z", "2014"], "2014", False),  # DSpace: accessioned, available, issued
    (["2014-05-12T10:00:00Z"], "2014-05-12", False),
    (["12.05.2014"], "2014-05-12", False),
    (["2014/05/12"], "2014-05-12", False),
    (["[2014]"], "2014", False),
    (["c2014"], "2014", False),
    (["©2014"], "2014", False),
    (["May 2014"], "", True),
    (["2014-02-30"], "", True),
    (["0999"], "", True),
    (["spring", "2010"], "2010", False),
    ([], "", False),
])
def test_dates(values, issued, problem):
    found, reason = map_date(values)
    assert found == issued
    assert bool(reason) is problem


def test_identifiers():
    found, problems = map_identifiers([
        "https://repository.kaznu.kz/handle/123/456", "urn:isbn:978-0-306-40615-7", "doi:10.1000/xyz.123", "ISBN 123",
        "https://doi.org/10.5555/other", "local-call-number 45", "http://not a url", "doi:nonsense",
    ])
    assert found == {"url": "https://repository.kaznu.kz/handle/123/456", "isbn": "9780306406157", "doi": "10.1000/xyz.123"}
    assert len(problems) == 3  # the bad ISBN, the bad address and the bad DOI, each named
    assert map_identifiers(["0306406152", "10.1234/abc"])[0] == {"isbn": "0306406152", "doi": "10.1234/abc"}


def test_map_record(target):
    mapped = map_record(record_xml(
        title=("Қазақ тілінің морфологиясы", "kk"), creator=["Байтұрсынұлы А.", "Байтұрсынұлы А.", "Жұбанов Қ."],
        subject=["тіл білімі; морфология", "грамматика"], description=["Бірінші абзац.", "Екінші абзац."], publisher="Ғылым",
        date=["2016-01-01T00:00:00Z", "1929"], type=["Text", "Монография"], language="kaz",
        identifier=["urn:isbn:9780306406157", "https://dspace.example.kz/handle/1/2"], rights=["info:eu-repo/semantics/openAccess", "CC BY-SA 4.0"],
    ), target)
    assert mapped.values == {
        "title": "Қазақ тілінің морфологиясы", "creators": ["Байтұрсынұлы А.", "Жұбанов Қ."],
        "subjects": ["тіл білімі", "морфология", "грамматика"], "description": "Бірінші абзац.\n\nЕкінші абзац.", "publisher": "Ғылым",
        "issued": "1929", "language": "kk", "type": "monograph", "isbn": "9780306406157", "doi": "",
        "url": "https://dspace.example.kz/handle/1/2", "rights": "CC BY-SA 4.0",
    }
    assert mapped.warnings == []
    assert {"type", "language"} <= mapped.given


def test_map_record_defaults_and_warnings(target):
    mapped = map_record(record_xml(title="Без языка", language="Klingon", date="весна 2010", type="Image"), target)
    assert mapped.values["language"] == "ru" and mapped.values["type"] == "article"  # the source's defaults
    assert "type" not in mapped.given and "language" not in mapped.given
    assert [field for field, _message in mapped.warnings] == ["issued", "language"]
    assert mapped.values["issued"] == ""
    long = map_record(record_xml(title="T" * 1200, creator=[f"Author {n}" for n in range(60)]), target)
    assert len(long.values["title"]) == 1000 and long.values["title"].endswith("…")
    assert len(long.values["creators"]) == 50
    assert {field for field, _message in long.warnings} == {"title", "creators"}
    by_lang = map_record(record_xml(title=("Title", "en-US")), target)
    assert by_lang.values["language"] == "en" and "language" in by_lang.given


@pytest.mark.parametrize("xml, field", [
    (record_xml(description="no title"), "title"),
    (record_xml(title="   "), "title"),
    (etree.fromstring('<record xmlns="http://www.openarchives.org/OAI/2.0/"><header><identifier>x</identifier></header>'
                      '<metadata><mods xmlns="http://www.loc.gov/mods/v3"/></metadata></record>'), "metadata"),
    (etree.fromstring('<record xmlns="http://www.openarchives.org/OAI/2.0/"><header><identifier>x</identifier></header></record>'), "metadata"),
])
def test_records_that_cannot_be_imported(target, xml, field):
    with pytest.raises(Rejected) as rejected:
        map_record(xml, target)
    assert rejected.value.field == field


# --- runs ----------------------------------------------------------------------------------------------

def test_first_run_imports_and_reports_bad_records(target):
    remote = Remote()
    remote.batches.append([
        item("oai:dspace.kz:1", title="Алгебра", creator="Иванов И.И.", language="rus", type="Учебник", date="2012"),
        item("oai:dspace.kz:2", title=("Geometry", "en"), date="May 2014", identifier="urn:isbn:978-0-306-40615-7"),
        item("oai:dspace.kz:3", description="Нет заглавия"),
        item("oai:dspace.kz:4", title="Мақала", language="kaz", identifier="doi:not-a-doi"),
        item("oai:dspace.kz:9", deleted=True),  # deleted before we ever saw it
    ])
    source = harvest.harvest(source=target, open_source=remote)
    assert source.status == HarvestSource.Status.PARTIAL
    stats = source.last_stats
    assert (stats["created"], stats["updated"], stats["deleted"], stats["rejected"], stats["unchanged"]) == (3, 0, 0, 1, 1)
    assert stats["warnings"] == 2
    problems = {(p["identifier"], p["field"], p["kind"]) for p in stats["errors"]}
    assert problems == {("oai:dspace.kz:2", "issued", "warning"), ("oai:dspace.kz:3", "title", "rejected"),
                        ("oai:dspace.kz:4", "identifiers", "warning")}
    assert remote.asked == [None]  # the first run asks from the beginning
    assert source.last_until == dt.datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
    records = harvested(source)
    assert set(records) == {"oai:dspace.kz:1", "oai:dspace.kz:2", "oai:dspace.kz:4"}
    algebra = records["oai:dspace.kz:1"]
    assert (algebra.title, algebra.language, algebra.type, algebra.year, algebra.creators) == ("Алгебра", "ru", "textbook", 2012, ["Иванов И.И."])
    assert algebra.collection == target.collection and algebra.university == target.collection.university
    assert algebra.access == "open" and algebra.created_by is None
    geometry = records["oai:dspace.kz:2"]
    assert (geometry.language, geometry.type, geometry.issued, geometry.isbn) == ("en", "article", "", "9780306406157")
    assert AuditLog.objects.filter(action="library.resource.create", object_id=str(algebra.pk)).exists()
    from bilim.search import engine  # indexed by the library's services, found by the one search box

    assert [hit.key for hit in engine.search("library", "алгебра").hits] == [str(algebra.pk)]
    assert AuditLog.objects.filter(action="library.harvest.run", object_id=str(source.pk)).exists()


def test_incremental_runs_update_delete_and_are_idempotent(target):
    remote = Remote()
    remote.batches.append([item("oai:dspace.kz:1", title="Алгебра", language="ru"), item("oai:dspace.kz:2", title="Геометрия", language="ru")])
    source = harvest.harvest(source=target, open_source=remote)
    first = harvested(source)
    stamp = first["oai:dspace.kz:2"].modified_at
    # the second run: one changed, one deleted, one new; the overlap brings an unchanged one again
    remote.batches.append([
        item("oai:dspace.kz:2", title="Геометрия", language="ru"),
        item("oai:dspace.kz:1", title="Алгебра, 2-е издание", language="ru", date="2020"),
        item("oai:dspace.kz:3", title="Физика", language="ru"),
        item("oai:dspace.kz:2", deleted=True),
    ])
    source = harvest.harvest(source=source, open_source=remote)
    stats = source.last_stats
    assert (stats["created"], stats["updated"], stats["deleted"], stats["unchanged"], stats["rejected"]) == (1, 1, 1, 1, 0)
    assert remote.asked[1] == "2025-06-01T11:55:00Z"  # the last run's responseDate less the overlap
    assert source.status == HarvestSource.Status.OK
    records = harvested(source)
    assert records["oai:dspace.kz:1"].title == "Алгебра, 2-е издание" and records["oai:dspace.kz:1"].issued == "2020"
    assert records["oai:dspace.kz:2"].deleted_at is not None and records["oai:dspace.kz:2"].modified_at > stamp
    from bilim.search import engine

    assert engine.search("library", "геометрия").total == 0  # withdrawn: gone from search
    assert [hit.key for hit in engine.search("library", "издание").hits] == [str(records["oai:dspace.kz:1"].pk)]
    # a third run that brings the same again imports nothing
    remote.batches.append([item("oai:dspace.kz:1", title="Алгебра, 2-е издание", language="ru", date="2020"),
                           item("oai:dspace.kz:2", deleted=True), item("oai:dspace.kz:3", title="Физика", language="ru")])
    before = {r.pk: r.modified_at for r in Resource.objects.all()}
    source = harvest.harvest(source=source, open_source=remote)
    stats = source.last_stats
    assert (stats["created"], stats["updated"], stats["deleted"], stats["unchanged"]) == (0, 0, 0, 3)
    assert {r.pk: r.modified_at for r in Resource.objects.all()} == before


def test_day_granularity_sources_are_asked_by_day(target):
    remote = Remote(granularity="YYYY-MM-DD")
    remote.batches += [[item("oai:x:1", title="A")], []]
    source = harvest.harvest(source=target, open_source=remote)
    harvest.harvest(source=source, open_source=remote)
    assert remote.asked == [None, "2025-06-01"]
    full = Remote()
    harvest.harvest(source=source, open_source=full, full=True)
    assert full.asked == [None]


def test_local_corrections_of_type_and_language_survive(target):
    remote = Remote()
    remote.batches.append([item("oai:x:1", title="Оқу құралы")])  # no type, no language: the defaults
    source = harvest.harvest(source=target, open_source=remote)
    record = harvested(source)["oai:x:1"]
    services.resource_update(resource=record, type="manual", language="kk", by=None)
    remote.batches.append([item("oai:x:1", title="Оқу құралы (2)")])
    harvest.harvest(source=source, open_source=remote)
    record.refresh_from_db()
    assert (record.title, record.type, record.language) == ("Оқу құралы (2)", "manual", "kk")


def test_a_record_withdrawn_here_is_not_restored(target):
    remote = Remote()
    remote.batches.append([item("oai:x:1", title="A")])
    source = harvest.harvest(source=target, open_source=remote)
    services.resource_delete(resource=harvested(source)["oai:x:1"], by=None)
    remote.batches.append([item("oai:x:1", title="A, corrected")])
    source = harvest.harvest(source=source, open_source=remote)
    assert source.last_stats["rejected"] == 1 and source.last_stats["errors"][0]["field"] == "record"
    assert harvested(source)["oai:x:1"].deleted_at is not None


def test_a_failed_run_keeps_what_it_imported_and_its_mark(target):
    remote = Remote()
    remote.batches.append([item("oai:x:1", title="A")])
    source = harvest.harvest(source=target, open_source=remote)
    mark = source.last_until
    remote.batches.append([item("oai:x:2", title="B"), item("oai:x:3", title="C"), item("oai:x:4", title="D")])
    remote.fail_after = 2
    source = harvest.harvest(source=source, open_source=remote)
    assert source.status == HarvestSource.Status.FAILED
    assert "ConnectionError" in source.message and "reset" in source.message
    assert source.last_until == mark  # the next run starts from the same place
    assert source.last_stats["created"] == 2 and source.last_stats["until"] is None
    remote.fail_after = None
    remote.batches.append([item("oai:x:2", title="B"), item("oai:x:3", title="C"), item("oai:x:4", title="D")])
    source = harvest.harvest(source=source, open_source=remote)
    assert source.status == HarvestSource.Status.OK
    assert (source.last_stats["created"], source.last_stats["unchanged"]) == (1, 2)
    assert remote.asked[-1] == (mark - harvest.OVERLAP).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_an_unreachable_source_fails_cleanly(target):
    def unreachable(source, *, retries, timeout):
        raise OSError("connection refused")

    source = harvest.harvest(source=target, open_source=unreachable)
    assert source.status == HarvestSource.Status.FAILED and "connection refused" in source.message
    assert source.last_until is None


def test_one_run_at_a_time(target):
    HarvestSource.objects.filter(pk=target.pk).update(status=HarvestSource.Status.RUNNING, last_run_at=dt.datetime.now(UTC))
    with pytest.raises(DomainError) as refused:
        harvest.harvest(source=target, open_source=Remote())
    assert refused.value.code == "harvest_running"
    # a run that crashed long ago does not block forever
    HarvestSource.objects.filter(pk=target.pk).update(last_run_at=dt.datetime.now(UTC) - dt.timedelta(days=1))
    assert harvest.harvest(source=target, open_source=Remote()).status == HarvestSource.Status.OK


def test_only_the_universitys_librarian_may_harvest(target, demo):
    with pytest.raises(DomainError) as refused:
        harvest.harvest(source=target, by=demo.user("subscriber.kaznu"), open_source=Remote())
    assert refused.value.status == 404
    source = harvest.harvest(source=target, by=demo.user("librarian.enu"), open_source=Remote())
    assert source.status == HarvestSource.Status.OK


# --- sources ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("changes, field", [
    ({"base_url": "ftp://example.kz/oai"}, "base_url"),
    ({"base_url": ""}, "base_url"),
    ({"set_spec": "com 1"}, "set_spec"),
    ({"metadata_prefix": "marc21"}, "metadata_prefix"),
    ({"default_type": "poem"}, "default_type"),
    ({"default_language": "xx"}, "default_language"),
    ({"default_access": "all"}, "default_access"),
    ({"base_url": "https://dspace.example.kz/oai/request"}, "base_url"),  # already registered
])
def test_harvest_source_create_refuses_bad_input(target, changes, field):
    arguments = {"collection": target.collection, "base_url": "https://other.example.kz/oai", "by": None, **changes}
    with pytest.raises(DomainError) as refused:
        harvest.harvest_source_create(**arguments)
    assert field in refused.value.fields
    assert HarvestSource.objects.count() == 1


def test_harvest_source_create_needs_the_universitys_librarian(target, demo):
    with pytest.raises(DomainError) as refused:
        harvest.harvest_source_create(collection=target.collection, base_url="https://x.example.kz/oai", by=demo.user("student.enu"))
    assert refused.value.status == 404
    source = harvest.harvest_source_create(collection=target.collection, base_url="https://x.example.kz/oai", set_spec="col_1",
                                           by=demo.user("librarian.enu"))
    assert source.created_by == demo.user("librarian.enu")
    assert AuditLog.objects.filter(action="library.harvest_source.create", object_id=str(source.pk)).exists()


# --- the command ----------------------------------------------------------------------------------------

def test_command(target, monkeypatch):
    remote = Remote()
    remote.batches += [[item("oai:x:1", title="A"), item("oai:x:2")], [item("oai:y:1", title="B")]]
    monkeypatch.setattr(harvest, "scythe_listing", remote)
    out = StringIO()
    call_command("oai_harvest", str(target.pk), stdout=out)
    text = out.getvalue()
    assert "1 new" in text and "rejected: oai:x:2 [title]" in text
    out = StringIO()
    call_command("oai_harvest", "--url", "https://other.example.kz/oai", "--collection",
                 f"{target.collection.university_id}:{target.collection.code}", "--type", "thesis", "--language", "en", stdout=out)
    other = HarvestSource.objects.get(base_url="https://other.example.kz/oai")
    assert (other.default_type, other.default_language, other.collection) == ("thesis", "en", target.collection)
    assert harvested(other)["oai:y:1"].type == "thesis"
    # the same --url again reuses the source (incremental)
    call_command("oai_harvest", "--url", "https://other.example.kz/oai", "--collection", str(target.collection.pk), stdout=StringIO())
    assert HarvestSource.objects.filter(base_url="https://other.example.kz/oai").count() == 1
    assert remote.asked[-1] is not None


@pytest.mark.parametrize("arguments, message", [
    ([], "give the ids"),
    (["999"], "no harvest source with id 999"),
    (["--url", "https://x.example.kz/oai"], "--url needs --collection"),
    (["--url", "https://x.example.kz/oai", "--collection", "nope"], "UNIVERSITY_ID:CODE"),
    (["--url", "https://x.example.kz/oai", "--collection", "99999"], "no collection"),
    (["--url", "ftp://x.example.kz/oai", "--collection", "{collection}"], "OAI-PMH address"),
])
def test_command_refuses_bad_arguments(target, arguments, message):
    arguments = [a.format(collection=target.collection.pk) for a in arguments]
    with pytest.raises(CommandError) as refused:
        call_command("oai_harvest", *arguments, stdout=StringIO())
    assert message in str(refused.value)


def test_command_fails_when_a_run_fails(target, monkeypatch):
    def unreachable(source, *, retries, timeout):
        raise OSError("connection refused")

    monkeypatch.setattr(harvest, "scythe_listing", unreachable)
    with pytest.raises(CommandError, match="1 of 1 harvests failed"):
        call_command("oai_harvest", "--all", stdout=StringIO(), stderr=StringIO())

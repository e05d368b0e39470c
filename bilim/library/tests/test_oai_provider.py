"""The OAI-PMH provider at /oai: every verb, every error code, resumption, from/until, sets, deleted
records, tokens that were tampered with. Every answer goes through the strict structure check."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import pytest
from django.conf.urls.i18n import i18n_patterns
from django.test import Client
from django.urls import include, path
from lxml import etree

from bilim.library import oai, services
from bilim.library.models import Collection, Resource

from .test_oai_schema import NS_DC, NS_OAI, NS_OAI_DC, NS_OAI_ID, XML_LANG, assert_valid

# /oai is wired in the root URLconf by the lead; the tests bring their own (the provider and the
# library's pages it links to) so they pass either way, and whatever other apps are doing.
urlpatterns = [
    path("oai", oai.endpoint, name="oai"),
    *i18n_patterns(path("library/", include("bilim.library.urls")), prefix_default_language=True),
]
pytestmark = [pytest.mark.urls(__name__), pytest.mark.django_db]

NS = {"o": NS_OAI, "dc": NS_DC, "oai_dc": NS_OAI_DC, "id": NS_OAI_ID}
UTC = dt.timezone.utc


def oai_get(client: Client, method: str = "get", **params) -> etree._Element:
    """One request; the answer is checked against the protocol's structure and parsed."""
    response = client.post("/oai", params) if method == "post" else client.get("/oai?" + urlencode(params))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    body = b"".join(response.streaming_content) if response.streaming else response.content
    # compact: the OAI namespace is declared once, on the root, and never given a made-up prefix
    assert body.count(b'xmlns="http://www.openarchives.org/OAI/2.0/"') == 1 and b"ns0:" not in body
    return assert_valid(body)


def errors_of(root) -> list[str]:
    return [e.get("code") for e in root.findall("o:error", NS)]


def identifiers(root) -> list[str]:
    return [e.text for e in root.iterfind(".//o:header/o:identifier", NS)]


def token_of(root):
    return root.find(".//o:resumptionToken", NS)


@pytest.fixture
def holdings(demo):
    """Two universities' collections and records in kk (both scripts), ru and en."""
    enu = demo.unit(kind="university", name_en__startswith="L.N. Gumilyov")
    kaznu = demo.unit(kind="university", name_en__startswith="Al-Farabi")
    textbooks = services.collection_create(university=enu, code="textbooks", name_kk="Оқулықтар", name_ru="Учебники",
                                           name_en="Textbooks", by=None)
    theses = services.collection_create(university=enu, code="theses", name_kk="Диссертациялар", name_ru="Диссертации",
                                        name_en="Theses", description="Doctoral theses defended at ENU", by=None)
    articles = services.collection_create(university=kaznu, code="articles", name_kk="Мақалалар", name_ru="Статьи",
                                          name_en="Articles", by=None)

    def make(collection, title, **fields):
        fields.setdefault("type", "textbook")
        fields.setdefault("language", "kk")
        return services.resource_create(collection=collection, title=title, by=None, **fields)

    class Holdings:
        pass

    holdings = Holdings()
    holdings.enu, holdings.kaznu, holdings.textbooks, holdings.theses, holdings.articles, holdings.make = enu, kaznu, textbooks, theses, articles, make
    holdings.algebra = make(textbooks, "Алгебра және анализ бастамалары", creators=["Әбілқасымова А.Е.", "Жұмағұлова З.Ә."],
                       subjects=["математика", "алгебра"], description="10-сыныпқа арналған оқулық.", publisher="Мектеп",
                       issued="2019", isbn="9780306406157", rights="CC BY 4.0")
    holdings.history = make(textbooks, "Qazaqstan tarihy", language="kk", issued="2021-08", access="subscribers")
    holdings.thesis = make(theses, "Исследование казахской морфологии", type="thesis", language="ru", issued="2015-06-01",
                      doi="10.1234/enu.2015.77", embargo_until=dt.date.today() + dt.timedelta(days=365), access="university")
    holdings.article = make(articles, "Kazakh suffix stripping for retrieval", type="article", language="en",
                       url="https://journal.kaznu.kz/article/77")
    holdings.gone = make(articles, "Withdrawn article", type="article", language="en")
    services.resource_delete(resource=holdings.gone, by=None)
    return holdings


def all_ids(holdings) -> set[str]:
    return {oai.oai_identifier(r.pk) for r in (holdings.algebra, holdings.history, holdings.thesis, holdings.article, holdings.gone)}


def set_stamp(resource, when: dt.datetime) -> None:
    Resource.objects.filter(pk=resource.pk).update(modified_at=when)


# --- Identify, ListMetadataFormats ------------------------------------------------------------------------

def test_identify(client, holdings, settings):
    settings.LIBRARY_OAI_REPOSITORY_ID = "library.bilim.kz"
    settings.LIBRARY_OAI_ADMIN_EMAILS = ["oai@bilim.kz", "library@bilim.kz"]
    set_stamp(holdings.article, dt.datetime(2010, 1, 2, 3, 4, 5, 678, tzinfo=UTC))
    root = oai_get(client, verb="Identify")
    identify = root.find("o:Identify", NS)
    assert identify.findtext("o:baseURL", namespaces=NS) == "http://testserver/oai"
    assert identify.findtext("o:protocolVersion", namespaces=NS) == "2.0"
    assert [e.text for e in identify.findall("o:adminEmail", NS)] == ["oai@bilim.kz", "library@bilim.kz"]
    assert identify.findtext("o:earliestDatestamp", namespaces=NS) == "2009-04-22T00:00:00Z"  # the floor comes first
    assert identify.findtext("o:deletedRecord", namespaces=NS) == "persistent"
    assert identify.findtext("o:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    assert identify.findtext("o:repositoryName", namespaces=NS)
    described = identify.find("o:description/id:oai-identifier", NS)
    assert described.findtext("id:scheme", namespaces=NS) == "oai"
    assert described.findtext("id:repositoryIdentifier", namespaces=NS) == "library.bilim.kz"
    assert described.findtext("id:delimiter", namespaces=NS) == ":"
    assert described.findtext("id:sampleIdentifier", namespaces=NS) == "oai:library.bilim.kz:1"
    request = root.find("o:request", NS)
    assert dict(request.attrib) == {"verb": "Identify"} and request.text == "http://testserver/oai"
    set_stamp(holdings.article, dt.datetime(2008, 1, 2, 3, 4, 5, 678, tzinfo=UTC))
    assert oai_get(client, verb="Identify").findtext(".//o:earliestDatestamp", namespaces=NS) == "2008-01-02T03:04:05Z"


def test_post_is_answered_like_get(client, holdings):
    by_get = oai_get(client, verb="GetRecord", identifier=oai.oai_identifier(holdings.algebra.pk), metadataPrefix="oai_dc")
    by_post = oai_get(client, "post", verb="GetRecord", identifier=oai.oai_identifier(holdings.algebra.pk), metadataPrefix="oai_dc")
    assert etree.tostring(by_get.find("o:GetRecord", NS)) == etree.tostring(by_post.find("o:GetRecord", NS))


def test_other_methods_are_refused(client):
    assert client.put("/oai?verb=Identify").status_code == 405
    assert client.delete("/oai?verb=Identify").status_code == 405


def test_list_metadata_formats(client, holdings):
    for params in ({}, {"identifier": oai.oai_identifier(holdings.algebra.pk)}, {"identifier": oai.oai_identifier(holdings.gone.pk)}):
        root = oai_get(client, verb="ListMetadataFormats", **params)
        formats = root.findall(".//o:metadataFormat", NS)
        assert [(f.findtext("o:metadataPrefix", namespaces=NS), f.findtext("o:schema", namespaces=NS),
                 f.findtext("o:metadataNamespace", namespaces=NS)) for f in formats] == [
            ("oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd", "http://www.openarchives.org/OAI/2.0/oai_dc/")]


def test_no_metadata_formats_when_no_format_takes_the_item(client, holdings, monkeypatch):
    declining = oai.MetadataFormat("oai_dc", oai.SCHEMA_OAI_DC, oai.NS_OAI_DC, oai.write_oai_dc, available=lambda row: row["id"] != holdings.algebra.pk)
    monkeypatch.setitem(oai.FORMATS, "oai_dc", declining)
    root = oai_get(client, verb="ListMetadataFormats", identifier=oai.oai_identifier(holdings.algebra.pk))
    assert errors_of(root) == ["noMetadataFormats"]
    root = oai_get(client, verb="GetRecord", identifier=oai.oai_identifier(holdings.algebra.pk), metadataPrefix="oai_dc")
    assert errors_of(root) == ["cannotDisseminateFormat"]
    listed = identifiers(oai_get(client, verb="ListIdentifiers", metadataPrefix="oai_dc"))
    assert oai.oai_identifier(holdings.algebra.pk) not in listed and oai.oai_identifier(holdings.history.pk) in listed


# --- GetRecord and the oai_dc record ----------------------------------------------------------------------

def test_get_record_in_oai_dc(client, holdings):
    root = oai_get(client, verb="GetRecord", identifier=oai.oai_identifier(holdings.algebra.pk), metadataPrefix="oai_dc")
    record = root.find("o:GetRecord/o:record", NS)
    header = record.find("o:header", NS)
    assert header.get("status") is None
    assert header.findtext("o:identifier", namespaces=NS) == f"oai:bilim.edu.kz:{holdings.algebra.pk}"
    holdings.algebra.refresh_from_db()
    assert header.findtext("o:datestamp", namespaces=NS) == holdings.algebra.modified_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert [s.text for s in header.findall("o:setSpec", NS)] == [f"university:{holdings.enu.pk}:textbooks", "type:textbook"]
    dc = record.find("o:metadata/oai_dc:dc", NS)
    values = [(etree.QName(e).localname, e.text) for e in dc]
    assert values[:3] == [("title", "Алгебра және анализ бастамалары"), ("creator", "Әбілқасымова А.Е."), ("creator", "Жұмағұлова З.Ә.")]
    assert ("subject", "математика") in values and ("subject", "алгебра") in values
    assert ("description", "10-сыныпқа арналған оқулық.") in values
    assert ("publisher", "Мектеп") in values and ("date", "2019") in values
    assert ("type", "Text") in values and ("type", "Textbook") in values
    assert ("identifier", f"http://testserver/kk/library/records/{holdings.algebra.pk}/") in values  # the public record page
    assert ("identifier", "urn:isbn:9780306406157") in values
    assert ("language", "kk") in values
    assert ("rights", "CC BY 4.0") in values and ("rights", "info:eu-repo/semantics/openAccess") in values
    assert dc.find("dc:title", NS).get(XML_LANG) == "kk"


def test_access_and_embargo_in_rights(client, holdings):
    def rights(resource):
        root = oai_get(client, verb="GetRecord", identifier=oai.oai_identifier(resource.pk), metadataPrefix="oai_dc")
        return [e.text for e in root.iterfind(".//dc:rights", NS)], [e.text for e in root.iterfind(".//dc:identifier", NS)]

    assert rights(holdings.history)[0] == ["info:eu-repo/semantics/restrictedAccess"]
    embargo = (dt.date.today() + dt.timedelta(days=365)).isoformat()
    thesis_rights, thesis_ids = rights(holdings.thesis)
    assert thesis_rights == ["info:eu-repo/semantics/embargoedAccess", f"info:eu-repo/date/embargoEnd/{embargo}"]
    assert "https://doi.org/10.1234/enu.2015.77" in thesis_ids
    assert "https://journal.kaznu.kz/article/77" in rights(holdings.article)[1]


def test_deleted_record_is_a_tombstone(client, holdings):
    root = oai_get(client, verb="GetRecord", identifier=oai.oai_identifier(holdings.gone.pk), metadataPrefix="oai_dc")
    record = root.find("o:GetRecord/o:record", NS)
    assert record.find("o:header", NS).get("status") == "deleted"
    assert record.find("o:metadata", NS) is None
    listed = oai_get(client, verb="ListRecords", metadataPrefix="oai_dc")
    headers = {h.findtext("o:identifier", namespaces=NS): h.get("status") for h in listed.iterfind(".//o:header", NS)}
    assert headers[oai.oai_identifier(holdings.gone.pk)] == "deleted"
    assert headers[oai.oai_identifier(holdings.algebra.pk)] is None


@pytest.mark.parametrize("identifier", ["oai:bilim.edu.kz:999999", "oai:other.kz:1", "oai:bilim.edu.kz:abc", "oai:bilim.edu.kz:01",
                                        "urn:nbn:kz:1", "oai:bilim.edu.kz:-1", "oai:bilim.edu.kz:١"])
def test_id_does_not_exist(client, holdings, identifier):
    assert errors_of(oai_get(client, verb="GetRecord", identifier=identifier, metadataPrefix="oai_dc")) == ["idDoesNotExist"]
    assert errors_of(oai_get(client, verb="ListMetadataFormats", identifier=identifier)) == ["idDoesNotExist"]


def test_characters_xml_cannot_carry_are_not_echoed(client, holdings):
    root = assert_valid(client.get("/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:bilim.edu.kz:%01%0B7").content)
    assert errors_of(root) == ["idDoesNotExist"]
    assert root.find("o:request", NS).get("identifier") == "oai:bilim.edu.kz:7"
    root = assert_valid(client.get("/oai?verb=ListRecords&resumptionToken=%01%02").content)
    assert errors_of(root) == ["badResumptionToken"]


def test_harvested_records_are_not_exposed_again(client, holdings):
    from bilim.library.harvest import harvest_source_create

    source = harvest_source_create(collection=holdings.articles, base_url="https://dspace.example.kz/oai", by=None)
    harvested = services.resource_create(collection=holdings.articles, title="From a DSpace", type="article", language="ru",
                                         harvest_source=source, source_identifier="oai:dspace.example.kz:123/4", by=None)
    root = oai_get(client, verb="GetRecord", identifier=oai.oai_identifier(harvested.pk), metadataPrefix="oai_dc")
    assert errors_of(root) == ["idDoesNotExist"]
    assert set(identifiers(oai_get(client, verb="ListIdentifiers", metadataPrefix="oai_dc"))) == all_ids(holdings)


# --- protocol errors --------------------------------------------------------------------------------------

@pytest.mark.parametrize("query", ["", "verb=Dance", "verb=Identify&verb=Identify", "verb=listrecords&metadataPrefix=oai_dc",
                                   "Verb=Identify"])
def test_bad_verb(client, query):
    root = assert_valid(client.get("/oai?" + query).content)
    assert errors_of(root) == ["badVerb"]
    assert not root.find("o:request", NS).attrib


@pytest.mark.parametrize("query", [
    "verb=Identify&set=x",  # an argument the verb does not take
    "verb=ListRecords",  # a required argument missing
    "verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc",  # repeated
    "verb=ListRecords&metadataPrefix=",  # empty
    "verb=ListRecords&metadataPrefix=oai_dc&resumptionToken=abc",  # the token is exclusive
    "verb=ListIdentifiers&metadataPrefix=oai_dc&from=2024-13-01",
    "verb=ListIdentifiers&metadataPrefix=oai_dc&from=2024-02-30",
    "verb=ListIdentifiers&metadataPrefix=oai_dc&from=2024-01-01T10:00:00",  # no Z
    "verb=ListIdentifiers&metadataPrefix=oai_dc&from=2024-01-01T10:00:00.5Z",  # finer than seconds
    "verb=ListIdentifiers&metadataPrefix=oai_dc&from=2024-01-01T10:00:00%2B05:00",  # not UTC
    "verb=ListIdentifiers&metadataPrefix=oai_dc&from=2024-01-01&until=2024-02-01T00:00:00Z",  # granularities differ
    "verb=ListIdentifiers&metadataPrefix=oai_dc&from=2024-02-02&until=2024-02-01",  # from after until
    "verb=ListIdentifiers&metadataPrefix=oai_dc&set=university 1",  # not a setSpec
    "verb=ListIdentifiers&metadataPrefix=oai dc",  # not a metadata prefix
    "verb=GetRecord&identifier=oai:bilim.edu.kz:1",
    "verb=ListSets&resumptionToken=abc&set=university",
])
def test_bad_argument(client, holdings, query):
    root = assert_valid(client.get("/oai?" + query).content)
    assert set(errors_of(root)) == {"badArgument"}
    assert not root.find("o:request", NS).attrib


def test_several_bad_arguments_are_all_reported(client):
    root = assert_valid(client.get("/oai?verb=GetRecord&foo=1&bar=2").content)
    assert errors_of(root) == ["badArgument"] * 4  # foo, bar, identifier, metadataPrefix
    text = " ".join(e.text for e in root.findall("o:error", NS))
    assert "foo" in text and "bar" in text and "identifier" in text and "metadataPrefix" in text


def test_errors_are_in_english_unless_asked(client):
    root = assert_valid(client.get("/oai?verb=Dance").content)
    assert "is not an OAI-PMH verb" in root.findtext("o:error", namespaces=NS)


def test_cannot_disseminate_format(client, holdings):
    assert errors_of(oai_get(client, verb="ListRecords", metadataPrefix="marc21")) == ["cannotDisseminateFormat"]
    assert errors_of(oai_get(client, verb="ListIdentifiers", metadataPrefix="mods")) == ["cannotDisseminateFormat"]
    root = oai_get(client, verb="GetRecord", identifier=oai.oai_identifier(holdings.algebra.pk), metadataPrefix="marc21")
    assert errors_of(root) == ["cannotDisseminateFormat"]
    # the request's arguments are echoed for errors other than badVerb / badArgument
    assert root.find("o:request", NS).get("metadataPrefix") == "marc21"


def test_no_records_match(client, holdings):
    future = (dt.datetime.now(UTC) + dt.timedelta(days=2)).strftime("%Y-%m-%d")
    assert errors_of(oai_get(client, verb="ListRecords", metadataPrefix="oai_dc", **{"from": future})) == ["noRecordsMatch"]
    assert errors_of(oai_get(client, verb="ListIdentifiers", metadataPrefix="oai_dc", until="2000-01-01")) == ["noRecordsMatch"]
    for unknown in ("university:999999", f"university:{holdings.enu.pk}:nothing", "type:poem", "language:kk", "university:x",
                    "university:99999999999999999999999", f"university:{holdings.enu.pk}:textbooks:more", "type:textbook:x"):
        assert errors_of(oai_get(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set=unknown)) == ["noRecordsMatch"], unknown


def test_no_set_hierarchy_in_an_empty_repository(client, db):
    assert errors_of(oai_get(client, verb="ListSets")) == ["noSetHierarchy"]
    assert errors_of(oai_get(client, verb="ListRecords", metadataPrefix="oai_dc", set="university")) == ["noSetHierarchy"]
    assert errors_of(oai_get(client, verb="ListRecords", metadataPrefix="oai_dc")) == ["noRecordsMatch"]
    assert oai_get(client, verb="Identify").findtext(".//o:earliestDatestamp", namespaces=NS) == "2009-04-22T00:00:00Z"


# --- sets -------------------------------------------------------------------------------------------------

def test_list_sets(client, holdings):
    root = oai_get(client, verb="ListSets")
    sets = {s.findtext("o:setSpec", namespaces=NS): s for s in root.iterfind(".//o:set", NS)}
    assert list(sets) == [
        "university", f"university:{holdings.enu.pk}", f"university:{holdings.enu.pk}:textbooks", f"university:{holdings.enu.pk}:theses",
        f"university:{holdings.kaznu.pk}", f"university:{holdings.kaznu.pk}:articles", "type", "type:textbook", "type:article", "type:thesis",
    ]
    assert sets[f"university:{holdings.enu.pk}"].findtext("o:setName", namespaces=NS) == "L.N. Gumilyov Eurasian National University"
    titles = {t.get(XML_LANG): t.text for t in sets[f"university:{holdings.enu.pk}:theses"].iterfind(".//dc:title", NS)}
    assert titles == {"kk": "Диссертациялар", "ru": "Диссертации", "en": "Theses"}
    assert sets[f"university:{holdings.enu.pk}:theses"].findtext(".//dc:description", namespaces=NS) == "Doctoral theses defended at ENU"
    assert token_of(root) is None


def test_list_sets_in_pages(client, holdings, settings):
    settings.LIBRARY_OAI_PAGE_SIZE = 4
    specs, params, cursors = [], {"verb": "ListSets"}, []
    while True:
        root = oai_get(client, **params)
        specs += [s.text for s in root.iterfind(".//o:setSpec", NS)]
        token = token_of(root)
        cursors.append(token.get("cursor"))
        assert token.get("completeListSize") == "10"
        if not token.text:
            break
        params = {"verb": "ListSets", "resumptionToken": token.text}
    assert cursors == ["0", "4", "8"] and len(specs) == len(set(specs)) == 10
    # a collection added between two pages would shift them: the token says so instead
    token = token_of(oai_get(client, verb="ListSets")).text
    services.collection_create(university=holdings.kaznu, code="new", name_kk="Жаңа", name_ru="Новая", by=None)
    holdings.make(Collection.objects.get(code="new"), "Жаңа кітап")
    assert errors_of(oai_get(client, verb="ListSets", resumptionToken=token)) == ["badResumptionToken"]


@pytest.mark.parametrize("spec, expected", [
    ("university", ["algebra", "history", "thesis", "article", "gone"]),
    ("university:{enu}", ["algebra", "history", "thesis"]),
    ("university:{enu}:textbooks", ["algebra", "history"]),
    ("university:{kaznu}", ["article", "gone"]),
    ("type", ["algebra", "history", "thesis", "article", "gone"]),
    ("type:textbook", ["algebra", "history"]),
    ("type:thesis", ["thesis"]),
    ("type:article", ["article", "gone"]),
])
def test_selective_harvesting_by_set(client, holdings, spec, expected):
    spec = spec.format(enu=holdings.enu.pk, kaznu=holdings.kaznu.pk)
    root = oai_get(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set=spec)
    assert set(identifiers(root)) == {oai.oai_identifier(getattr(holdings, name).pk) for name in expected}


# --- from / until -----------------------------------------------------------------------------------------

def test_from_and_until_are_inclusive_at_both_granularities(client, holdings):
    set_stamp(holdings.algebra, dt.datetime(2024, 3, 1, 23, 59, 59, 900000, tzinfo=UTC))
    set_stamp(holdings.history, dt.datetime(2024, 3, 2, 0, 0, 0, tzinfo=UTC))
    set_stamp(holdings.thesis, dt.datetime(2024, 3, 2, 10, 30, 15, 500000, tzinfo=UTC))
    set_stamp(holdings.article, dt.datetime(2024, 3, 3, 0, 0, 0, 1, tzinfo=UTC))
    ids = {name: oai.oai_identifier(getattr(holdings, name).pk) for name in ("algebra", "history", "thesis", "article", "gone")}

    def listed(**params):
        root = oai_get(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **params)
        return set() if errors_of(root) == ["noRecordsMatch"] else set(identifiers(root))

    assert listed(**{"from": "2024-03-02", "until": "2024-03-02"}) == {ids["history"], ids["thesis"]}
    assert listed(until="2024-03-01") == {ids["algebra"]}
    assert listed(until="2024-03-01T23:59:59Z") == {ids["algebra"]}
    assert listed(until="2024-03-01T23:59:58Z") == set()
    assert listed(**{"from": "2024-03-02T10:30:15Z", "until": "2024-03-02T10:30:15Z"}) == {ids["thesis"]}
    assert listed(**{"from": "2024-03-02T10:30:16Z", "until": "2024-03-03T00:00:00Z"}) == {ids["article"]}
    assert listed(**{"from": "2024-03-03"}) == {ids["article"], ids["gone"]}
    assert listed(**{"from": "0001-01-01", "until": "9999-12-31"}) == set(ids.values())  # the extremes of the calendar
    assert listed(**{"from": "2024-03-03T00:00:00Z", "until": "9999-12-31T23:59:59Z"}) == {ids["article"], ids["gone"]}
    header = oai_get(client, verb="GetRecord", identifier=ids["thesis"], metadataPrefix="oai_dc").find(".//o:header", NS)
    assert header.findtext("o:datestamp", namespaces=NS) == "2024-03-02T10:30:15Z"


# --- resumption tokens ------------------------------------------------------------------------------------

def _harvest(client, verb, **params):
    """Every page of a list: (identifiers in order, the cursors and list sizes of the tokens)."""
    seen, tokens = [], []
    root = oai_get(client, verb=verb, metadataPrefix="oai_dc", **params)
    while True:
        seen += identifiers(root)
        token = token_of(root)
        if token is None:
            return seen, tokens
        tokens.append((token.get("cursor"), token.get("completeListSize"), bool(token.text)))
        if not token.text:
            return seen, tokens
        root = oai_get(client, verb=verb, resumptionToken=token.text)


@pytest.mark.parametrize("verb", ["ListIdentifiers", "ListRecords"])
def test_resumption_across_pages(client, holdings, settings, verb):
    settings.LIBRARY_OAI_PAGE_SIZE = 2
    for number in range(4):
        holdings.make(holdings.textbooks, f"Оқулық {number}")
    seen, tokens = _harvest(client, verb)
    assert len(seen) == len(set(seen)) == 9
    assert set(seen) >= all_ids(holdings)
    assert tokens == [("0", "9", True), ("2", "9", True), ("4", "9", True), ("6", "9", True), ("8", "9", False)]
    stamps = [Resource.objects.get(pk=int(i.rsplit(":", 1)[1])).modified_at for i in seen]
    assert stamps == sorted(stamps)  # keyed by (datestamp, id)


def test_a_list_that_fits_in_one_page_has_no_token(client, holdings):
    seen, tokens = _harvest(client, "ListRecords")
    assert set(seen) == all_ids(holdings) and tokens == []


def test_pages_are_stable_while_records_change(client, holdings, settings):
    """Inserts, changes and deletions during a harvest neither repeat nor skip the others; what
    changed comes with the next incremental harvest (from = this harvest's responseDate)."""
    settings.LIBRARY_OAI_PAGE_SIZE = 2
    same = dt.datetime(2024, 5, 5, 5, 5, 5, tzinfo=UTC)  # many records in one second: the id breaks ties
    for resource in (holdings.algebra, holdings.history, holdings.thesis, holdings.article, holdings.gone):
        set_stamp(resource, same)
    first = oai_get(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    started = dt.datetime.strptime(first.findtext("o:responseDate", namespaces=NS), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    page_one = identifiers(first)
    assert len(page_one) == 2
    newcomer = holdings.make(holdings.textbooks, "Жаңа оқулық")  # inserted meanwhile
    remaining = [r for r in (holdings.algebra, holdings.history, holdings.thesis, holdings.article) if oai.oai_identifier(r.pk) not in page_one]
    changed = remaining[-1]
    services.resource_update(resource=changed, title="Changed while harvesting", by=None)
    token = token_of(first).text
    seen = list(page_one)
    while token:
        root = oai_get(client, verb="ListIdentifiers", resumptionToken=token)
        seen += identifiers(root)
        token = token_of(root).text
    assert len(seen) == len(set(seen)) == 4
    assert oai.oai_identifier(changed.pk) not in seen and oai.oai_identifier(newcomer.pk) not in seen
    later = oai_get(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": started.strftime("%Y-%m-%dT%H:%M:%SZ")})
    assert set(identifiers(later)) == {oai.oai_identifier(changed.pk), oai.oai_identifier(newcomer.pk)}


def test_a_list_whose_rest_changed_ends_with_no_records_match(client, holdings, settings):
    settings.LIBRARY_OAI_PAGE_SIZE = 4
    first = oai_get(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    rest = all_ids(holdings) - set(identifiers(first))
    for identifier in rest:
        resource = Resource.objects.get(pk=oai.resource_id_of(identifier))
        if resource.deleted_at is None:
            services.resource_update(resource=resource, title=resource.title + " (2)", by=None)
        else:
            set_stamp(resource, dt.datetime.now(UTC) + dt.timedelta(seconds=5))
    assert errors_of(oai_get(client, verb="ListIdentifiers", resumptionToken=token_of(first).text)) == ["noRecordsMatch"]


def test_tampered_tokens_are_bad_resumption_tokens(client, holdings, settings):
    settings.LIBRARY_OAI_PAGE_SIZE = 2
    token = token_of(oai_get(client, verb="ListRecords", metadataPrefix="oai_dc")).text
    assert oai_get(client, verb="ListRecords", resumptionToken=token).find("o:ListRecords", NS) is not None
    flipped = token[:10] + ("A" if token[10] != "A" else "B") + token[11:]
    payload, signature = token.rsplit(":", 1)
    from django.core import signing

    forged_payload = signing.dumps({"v": "ListRecords", "p": "oai_dc", "s": "", "f": None, "u": None, "c": "2030-01-01T00:00:00+00:00",
                                    "k": ["2000-01-01T00:00:00+00:00", 0], "n": 0, "t": 1}, salt="another salt", compress=True)
    for bad in (flipped, payload + ":" + signature[::-1], "garbage", token + "x", forged_payload, "%00"):
        assert errors_of(oai_get(client, verb="ListRecords", resumptionToken=bad)) == ["badResumptionToken"], bad
    # a token of one verb is not accepted by another
    assert errors_of(oai_get(client, verb="ListIdentifiers", resumptionToken=token)) == ["badResumptionToken"]
    set_token = oai_get(client, verb="ListSets")
    assert errors_of(oai_get(client, verb="ListSets", resumptionToken=token)) == ["badResumptionToken"]
    assert set_token is not None


def test_a_page_costs_the_same_queries_whatever_its_size(client, holdings, settings, django_assert_max_num_queries):
    settings.LIBRARY_OAI_PAGE_SIZE = 50
    for number in range(30):
        holdings.make(holdings.textbooks, f"Кітап {number}", creators=[f"Автор {number}"], subjects=["тарих"])
    with django_assert_max_num_queries(3):  # the count, the page (and nothing per record)
        root = oai_get(client, verb="ListRecords", metadataPrefix="oai_dc")
    assert len(root.findall(".//o:record", NS)) == 35


def test_large_pages_are_streamed(client, holdings, settings):
    settings.LIBRARY_OAI_PAGE_SIZE = 500
    for number in range(60):
        holdings.make(holdings.textbooks, f"Үлкен кітап {number}", description="Сипаттама. " * 400)
    response = client.get("/oai?verb=ListRecords&metadataPrefix=oai_dc")
    assert response.streaming
    chunks = list(response.streaming_content)
    assert len(chunks) > 1
    root = assert_valid(b"".join(chunks))
    assert len(root.findall(".//o:record", NS)) == 65

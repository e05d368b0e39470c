"""The library's OAI-PMH harvester (L4, D2): imports the ``oai_dc`` records of another repository —
a university's DSpace, a partner state's library, another Bilim — into one of our collections.

* The client is **oaipmh-scythe** (the maintained successor of Sickle): paging through resumption
  tokens, retries on 503 and on broken connections.
* **Incremental**: a run asks for ``from`` = the ``responseDate`` the source gave at the start of
  the last successful run, minus a small overlap (a record whose transaction committed a moment
  after its datestamp is not lost), written at the source's granularity. The overlap's records come
  again and are recognized as unchanged. A failed run keeps the previous mark: the next one starts
  from there again, and what was already imported is again unchanged (idempotent).
* Each record is one transaction through the library's services (``resource_create`` /
  ``resource_update`` / ``resource_delete``): checked by ``library.metadata`` like every other
  write, audited, and (re)indexed in ``bilim.search`` with the record. A record already imported
  (the same ``source_identifier`` from the same source) is updated — only when something changed,
  so its datestamp here does not move for nothing; a deleted header withdraws the local record (a
  tombstone).
* **Mapping** Dublin Core → our record: languages by code or name in any form (``kaz``, ``kk-KZ``,
  ``қазақ тілі``, ``Kazakh``…), types by our words and the usual vocabularies (DSpace's, the
  OpenAIRE ``info:eu-repo`` terms, Russian and Kazakh names) or else the source's default type,
  dates from the usual forms (``2014``, ``2014-05``, ``2014-05-12T10:00:00Z``, ``12.05.2014``,
  ``[2014]``, ``c2014``), identifiers sorted into ISBN (check digit verified), DOI and web address.
  Type, language and access of an already imported record are not overwritten by defaults: a
  librarian's correction here stays until the source itself says otherwise.
* **Bad remote data never stops a run**: a record without a title is rejected, a date, language or
  identifier that cannot be read is left out with a warning — each reported with the record's
  identifier, the field and the reason. The run's counts, its warnings and rejections (the first
  ``MAX_REPORTED``) and its status are kept on the ``HarvestSource``."""

from __future__ import annotations

import datetime as dt
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from bilim.core.audit import audit_record
from bilim.core.errors import DomainError

from . import metadata, services
from .models import Access, Collection, HarvestSource, Language, Resource, ResourceType

log = logging.getLogger(__name__)

NS_OAI = "http://www.openarchives.org/OAI/2.0/"
NS_OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC_NAMESPACES = ("http://purl.org/dc/elements/1.1/", "http://purl.org/dc/terms/")
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

OVERLAP = dt.timedelta(minutes=5)
STALE_RUN = dt.timedelta(hours=6)  # a "running" mark older than this is a crashed run
MAX_REPORTED = 200
USER_AGENT = "Bilim library harvester (OAI-PMH 2.0; oaipmh-scythe)"
SET_SPEC = re.compile(r"^[A-Za-z0-9\-_.!~*'()]+(?::[A-Za-z0-9\-_.!~*'()]+)*$")

# --- mapping tables (keys folded: lower case, single spaces) -------------------------------------------
# Our own words and the codes are resolved by ``metadata.resolve``; these are the other vocabularies.
TYPE_VOCABULARY = {
    ResourceType.TEXTBOOK: ["textbook", "учебник", "оқулық", "learning object textbook"],
    ResourceType.MANUAL: ["study guide", "learning object", "lecture", "lecture notes", "tutorial", "учебное пособие",
                          "методическое пособие", "методические указания", "оқу құралы", "әдістемелік нұсқау", "lecture notes"],
    ResourceType.MONOGRAPH: ["book", "monograph", "монография", "книга", "кітап"],
    ResourceType.ARTICLE: ["article", "journal article", "research article", "conference paper", "conference object", "book chapter",
                           "book part", "preprint", "review", "статья", "мақала", "тезисы", "conferenceobject", "bookpart",
                           "contributiontoperiodical"],
    ResourceType.TMC: ["teaching and methodological complex", "учебно-методический комплекс", "умкд", "умк",
                       "оқу-әдістемелік кешен", "пәннің оқу-әдістемелік кешені", "оәк"],
    ResourceType.THESIS: ["thesis", "dissertation", "doctoral thesis", "master thesis", "master's thesis", "bachelor thesis",
                          "doctoralthesis", "masterthesis", "bachelorthesis", "диссертация", "автореферат",
                          "автореферат диссертации", "дипломная работа", "магистерская диссертация", "дипломдық жұмыс"],
}
# words that say nothing about our type (DCMI types): skipped, never a reason to fall back
TYPE_NEUTRAL = {"text", "info:eu-repo/semantics/other", "other", "electronic resource", "электронный ресурс"}
LANGUAGE_VOCABULARY = {
    Language.KK: ["kk", "kaz", "kazakh", "қазақ", "қазақша", "қазақ тілі", "қаз", "каз", "казахский", "казахский язык", "qazaq",
                  "qazaqsha", "qazaq tili", "kz"],
    Language.RU: ["ru", "rus", "russian", "русский", "русский язык", "рус", "орыс", "орыс тілі", "orys"],
    Language.EN: ["en", "eng", "english", "английский", "английский язык", "англ", "ағылшын", "ағылшын тілі", "agylshyn"],
    Language.TR: ["tr", "tur", "turkish", "türkçe", "turkce", "турецкий", "түрік", "түрік тілі"],
    Language.DE: ["de", "deu", "ger", "german", "deutsch", "немецкий", "неміс", "неміс тілі"],
    Language.FR: ["fr", "fra", "fre", "french", "français", "francais", "французский", "француз", "француз тілі"],
    Language.ZH: ["zh", "zho", "chi", "chinese", "中文", "汉语", "китайский", "қытай", "қытай тілі"],
    Language.UZ: ["uz", "uzb", "uzbek", "o'zbek", "oʻzbek", "ўзбек", "узбекский", "өзбек", "өзбек тілі"],
    Language.KY: ["ky", "kir", "kyrgyz", "kirghiz", "кыргыз", "кыргызский", "киргизский", "қырғыз", "қырғыз тілі"],
}


def _fold(value: str) -> str:
    return " ".join(unicodedata.normalize("NFC", value).casefold().replace("ё", "е").split())


def _table(vocabulary: dict[str, list[str]]) -> dict[str, str]:
    return {_fold(word): code for code, words in vocabulary.items() for word in words}


_TYPE_WORDS = _table(TYPE_VOCABULARY)
_LANGUAGE_WORDS = _table(LANGUAGE_VOCABULARY)


def map_type(value: str) -> str | None:
    """Our type for a dc:type value, or None if it says nothing we know."""
    key = _fold(value)
    if not key or key in TYPE_NEUTRAL:
        return None
    if key.startswith("info:eu-repo/semantics/"):
        key = key.rsplit("/", 1)[1]
    elif key.startswith(("http://purl.org/coar/resource_type/", "https://purl.org/coar/resource_type/")):
        return None  # COAR ids are opaque: their labels come as separate words
    return _TYPE_WORDS.get(key) or metadata.resolve("type", value)


def map_language(value: str) -> str | None:
    """Our language code for a dc:language value (a code of ISO 639-1/2/3, a BCP 47 tag, a name)."""
    key = _fold(value)
    if not key:
        return None
    found = _LANGUAGE_WORDS.get(key) or metadata.resolve("language", value)
    if found:
        return found
    for cut in (re.split(r"[-_]", key, maxsplit=1)[0], re.sub(r"\s*\(.*\)$", "", key)):
        found = _LANGUAGE_WORDS.get(cut) or metadata.resolve("language", cut)
        if found:
            return found
    return None


_DATE_FORMS = (
    (re.compile(r"^(\d{4})(-\d{2})?(-\d{2})?$"), lambda m: m.group(0)),
    (re.compile(r"^(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$"), lambda m: m.group(1)),
    (re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$"), lambda m: f"{m.group(3)}-{int(m.group(2)):02d}-{int(m.group(1)):02d}"),
    (re.compile(r"^(\d{4})/(\d{2})/(\d{2})$"), lambda m: f"{m.group(1)}-{m.group(2)}-{m.group(3)}"),
    (re.compile(r"^[\[(]?(?:c|©|cop\.|ca\.)?\s?(\d{4})[\])]?\.?$", re.IGNORECASE), lambda m: m.group(1)),
)


def map_date(values: list[str]) -> tuple[str, str | None]:
    """``(issued, problem)``: the publication date among a record's dc:date values (a plain date is
    preferred to a timestamp, which repositories add for accession), or the reason none is usable."""
    plain, stamped, bad = [], [], []
    for value in values:
        text = value.strip()
        for pattern, normalize in _DATE_FORMS:
            match = pattern.match(text)
            if match:
                candidate = normalize(match)
                parsed = metadata.parse_issued(candidate)
                if isinstance(parsed, str):
                    bad.append((text, parsed))
                else:
                    (stamped if ("T" in text or " " in text.strip("[]()")) and len(text) > 10 else plain).append(parsed[0])
                break
        else:
            if text:
                bad.append((text, _("Enter the date as YYYY, YYYY-MM or YYYY-MM-DD.")))
    if plain or stamped:
        return (plain or stamped)[0], None
    if bad:
        value, reason = bad[0]
        return "", _("The date «%(value)s» cannot be read (%(reason)s); the record is imported without it.") % {
            "value": value[:40], "reason": str(reason).rstrip(".")}
    return "", None


_DOI = re.compile(r"(10\.\d{4,9}/\S+)")
_URL = URLValidator(schemes=["http", "https"])


def map_identifiers(values: list[str]) -> tuple[dict[str, str], list[str]]:
    """ISBN, DOI and a web address among dc:identifier values, and what could not be used."""
    found: dict[str, str] = {}
    problems: list[str] = []
    for value in values:
        text = value.strip()
        low = text.lower()
        if low.startswith(("urn:isbn:", "isbn")) or re.fullmatch(r"[\d\-\s]{9,17}[\dXx]", text):
            candidate = metadata.isbn_normalize(re.sub(r"^urn:isbn:", "", text, flags=re.IGNORECASE))
            if metadata.isbn_error(candidate) is None:
                found.setdefault("isbn", candidate)
            elif low.startswith(("urn:isbn:", "isbn")):
                problems.append(_("The ISBN «%(value)s» is not valid; it is left out.") % {"value": text[:40]})
            continue
        if low.startswith(("doi:", "10.")) or "doi.org/" in low:
            match = _DOI.search(text)
            doi = match.group(1).rstrip(".,;") if match else ""
            if doi and metadata.DOI.fullmatch(doi) and len(doi) <= 255:
                found.setdefault("doi", doi)
            elif not low.startswith("10."):
                problems.append(_("The DOI «%(value)s» is not valid; it is left out.") % {"value": text[:60]})
            continue
        if low.startswith(("http://", "https://")):
            try:
                _URL(text)
            except ValidationError:
                problems.append(_("The address «%(value)s» is not a web address; it is left out.") % {"value": text[:60]})
                continue
            if len(text) <= metadata.MAX_LENGTH["url"]:
                found.setdefault("url", text)
    return found, problems


# --- one record ----------------------------------------------------------------------------------------

class Rejected(Exception):
    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name
        self.message = str(message)


@dataclass
class Mapped:
    values: dict[str, Any]
    # the fields that came from the record itself, not from the source's defaults
    given: set[str] = field(default_factory=set)
    warnings: list[tuple[str, str]] = field(default_factory=list)


def dc_values(record_xml: etree._Element) -> dict[str, list[tuple[str, str]]]:
    """``{element name: [(text, xml:lang)]}`` of the oai_dc metadata of a record element."""
    container = record_xml.find(f"{{{NS_OAI}}}metadata")
    if container is None:
        container = record_xml.find(f".//{{{NS_OAI}}}metadata")
    if container is None or len(container) == 0:
        raise Rejected("metadata", _("The record has no metadata."))
    dc = container[0]
    if etree.QName(dc).namespace != NS_OAI_DC:
        raise Rejected("metadata", _("The record is not in oai_dc (Dublin Core)."))
    values: dict[str, list[tuple[str, str]]] = {}
    for element in dc:
        if not isinstance(element.tag, str):
            continue  # comments, processing instructions
        qname = etree.QName(element)
        if qname.namespace not in DC_NAMESPACES:
            continue
        text = unicodedata.normalize("NFC", "".join(element.itertext())).replace("\x00", "").strip()
        if text:
            values.setdefault(qname.localname, []).append((text, element.get(XML_LANG, "")))
    return values


def _clip(name: str, text: str, limit: int, warnings: list) -> str:
    if len(text) <= limit:
        return text
    warnings.append((name, _("Longer than %(max)s characters; shortened.") % {"max": limit}))
    return text[: limit - 1].rstrip() + "…"


def _items(name: str, texts: Iterable[str], warnings: list, *, split: bool) -> list[str]:
    items: list[str] = []
    for text in texts:
        items.extend(re.split(r"\s*;\s*", text) if split else [text])
    items = metadata.split_list(items)
    clipped = [_clip(name, item, metadata.MAX_ITEM_LENGTH, warnings) for item in items]
    if len(clipped) > metadata.MAX_ITEMS:
        warnings.append((name, _("More than %(max)s entries; the rest are left out.") % {"max": metadata.MAX_ITEMS}))
        clipped = clipped[: metadata.MAX_ITEMS]
    return clipped


def map_record(record_xml: etree._Element, source: HarvestSource) -> Mapped:
    """Our record's fields from a harvested oai_dc record. Raises ``Rejected`` when it cannot be one."""
    dc = dc_values(record_xml)
    texts = {name: [text for text, _lang in items] for name, items in dc.items()}
    warnings: list[tuple[str, str]] = []
    given: set[str] = set()

    titles = [" ".join(t.split()) for t in texts.get("title", []) if t.split()]
    if not titles:
        raise Rejected("title", _("The record has no title."))
    values: dict[str, Any] = {"title": _clip("title", titles[0], metadata.MAX_LENGTH["title"], warnings)}

    values["creators"] = _items("creators", texts.get("creator", []), warnings, split=False)
    values["subjects"] = _items("subjects", texts.get("subject", []), warnings, split=True)
    description = "\n\n".join(texts.get("description", []))
    values["description"] = _clip("description", description, metadata.MAX_LENGTH["description"], warnings)
    values["publisher"] = _clip("publisher", " ".join((texts.get("publisher") or [""])[0].split()), metadata.MAX_LENGTH["publisher"], warnings)

    issued, problem = map_date(texts.get("date", []))
    values["issued"] = issued
    if problem:
        warnings.append(("issued", problem))

    language = None
    for text in texts.get("language", []):
        language = map_language(text)
        if language:
            break
    if language is None:
        for _text, lang in dc.get("title", []):
            language = map_language(lang) if lang else None
            if language:
                break
    if language:
        given.add("language")
    elif texts.get("language"):
        warnings.append(("language", _("The language «%(value)s» is not one of ours; %(default)s is used.")
                         % {"value": texts["language"][0][:40], "default": source.default_language}))
    values["language"] = language or source.default_language

    kind = None
    for text in texts.get("type", []):
        kind = map_type(text)
        if kind:
            break
    if kind:
        given.add("type")
    values["type"] = kind or source.default_type

    identifiers, problems = map_identifiers(texts.get("identifier", []))
    values.update({"isbn": "", "doi": "", "url": ""})
    values.update(identifiers)
    warnings.extend(("identifiers", problem) for problem in problems)

    rights = [" ".join(t.split()) for t in texts.get("rights", []) if not t.lower().startswith("info:eu-repo/")]
    values["rights"] = _clip("rights", rights[0], metadata.MAX_LENGTH["rights"], warnings) if rights else ""
    given.update({"title", "creators", "subjects", "description", "publisher", "issued", "isbn", "doi", "url", "rights"})
    return Mapped(values=values, given=given, warnings=warnings)


# --- a run -----------------------------------------------------------------------------------------------

@dataclass
class Run:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    rejected: int = 0
    warnings: int = 0
    problems: list[dict[str, str]] = field(default_factory=list)

    def report(self, identifier: str, field_name: str, message: str, *, rejected: bool) -> None:
        if rejected:
            self.rejected += 1
        else:
            self.warnings += 1
        if len(self.problems) < MAX_REPORTED:
            self.problems.append({"identifier": identifier, "field": field_name, "message": str(message),
                                  "kind": "rejected" if rejected else "warning"})

    def reject(self, identifier: str, fields: dict[str, str]) -> None:
        """One rejected record, with every field that made it so."""
        self.rejected += 1
        for field_name, message in fields.items():
            if len(self.problems) < MAX_REPORTED:
                self.problems.append({"identifier": identifier, "field": field_name, "message": str(message), "kind": "rejected"})

    def as_dict(self) -> dict[str, Any]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged, "deleted": self.deleted,
                "rejected": self.rejected, "warnings": self.warnings, "errors": self.problems}


@dataclass(frozen=True)
class Harvested:
    """One item of a ListRecords answer, as the importer needs it (independent of the client)."""

    identifier: str
    deleted: bool
    xml: etree._Element | None


def _editable(resource: Resource, mapped: Mapped) -> dict[str, Any]:
    """The changes to send to ``resource_update``: what the source says; type and language only
    when the record itself names them (not the source's defaults)."""
    return {name: value for name, value in mapped.values.items() if name in mapped.given}


def import_item(source: HarvestSource, item: Harvested, run: Run) -> None:
    """Apply one harvested item to the collection (its own transaction, through the services)."""
    identifier = item.identifier.strip()
    if not identifier:
        run.report("", "identifier", _("A record without an identifier was skipped."), rejected=True)
        return
    existing = Resource.objects.filter(harvest_source=source, source_identifier=identifier).first()
    if item.deleted:
        if existing is not None and existing.deleted_at is None:
            services.resource_delete(resource=existing, by=None)
            run.deleted += 1
        else:
            run.unchanged += 1
        return
    try:
        mapped = map_record(item.xml, source)
    except Rejected as problem:
        run.report(identifier, problem.field, problem.message, rejected=True)
        return
    for field_name, message in mapped.warnings:
        run.report(identifier, field_name, message, rejected=False)
    try:
        if existing is None:
            services.resource_create(collection=source.collection, harvest_source=source, source_identifier=identifier,
                                     access=source.default_access, by=None, **mapped.values)
            run.created += 1
        elif existing.deleted_at is not None:
            run.report(identifier, "record", _("The record was withdrawn in this library; it is not restored."), rejected=True)
        else:
            stamp = existing.modified_at
            updated = services.resource_update(resource=existing, by=None, **_editable(existing, mapped))
            if updated.modified_at != stamp:
                run.updated += 1
            else:
                run.unchanged += 1
    except DomainError as error:
        run.reject(identifier, error.fields or {"record": error.message})


# --- the client -------------------------------------------------------------------------------------------

@dataclass
class Listing:
    """What a run needs from the source: the granularity, the response date and the records."""

    granularity: str
    response_date: dt.datetime
    items: Callable[[str | None], Iterator[Harvested]]


def _utc(text: str) -> dt.datetime:
    text = text.strip()
    if len(text) == 10:
        return dt.datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=dt.timezone.utc)
    return dt.datetime.strptime(text.replace("Z", "").split(".")[0], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=dt.timezone.utc)


RETRY_STATUS = (429, 502, 503, 504)


class HarvestFailure(Exception):
    """The source cannot be harvested (its answer, not one record, is wrong)."""


def _refuse_http_errors(response) -> None:
    # An HTML error page is no OAI-PMH answer: say what the server said (retried statuses excepted).
    if response.status_code >= 400 and response.status_code not in RETRY_STATUS:
        raise HarvestFailure(_("The source answered HTTP %(status)s to %(url)s.") % {"status": response.status_code, "url": str(response.url)[:300]})


def scythe_listing(source: HarvestSource, *, retries: int = 3, timeout: float = 60) -> tuple[Any, Listing]:
    """Open the source with oaipmh-scythe: Identify (granularity, the source's clock), then a
    ListRecords iterator that follows the resumption tokens."""
    from oaipmh_scythe import Scythe
    from oaipmh_scythe.config import HTTPConfig, RetryConfig
    from oaipmh_scythe.exceptions import NoRecordsMatch

    client = Scythe(source.base_url, http_config=HTTPConfig(timeout=timeout, user_agent=USER_AGENT),
                    retry_config=RetryConfig(max_retries=retries, retry_on_transport_error=retries > 0, default_retry_after=30,
                                             retry_status_codes=RETRY_STATUS))
    hooks = client.client.event_hooks
    client.client.event_hooks = {**hooks, "response": [*hooks.get("response", []), _refuse_http_errors]}
    identify = client.identify()
    root = identify.xml.getparent()
    stamp = root.find(f"{{{NS_OAI}}}responseDate") if root is not None else None
    response_date = _utc(stamp.text) if stamp is not None and stamp.text else timezone.now()
    granularity = (getattr(identify, "granularity", None) or "YYYY-MM-DD").strip()

    def items(since: str | None) -> Iterator[Harvested]:
        try:
            for record in client.list_records(from_=since, metadata_prefix=source.metadata_prefix or "oai_dc",
                                              set_=source.set_spec or None):
                yield Harvested(identifier=record.header.identifier or "", deleted=bool(record.deleted), xml=record.xml)
        except NoRecordsMatch:
            return

    return client, Listing(granularity=granularity, response_date=response_date, items=items)


def _since(source: HarvestSource, granularity: str, full: bool, overlap: dt.timedelta) -> str | None:
    if full or source.last_until is None:
        return None
    since = (source.last_until - overlap).astimezone(dt.timezone.utc)
    if granularity.startswith("YYYY-MM-DDThh:mm:ss"):
        return since.strftime("%Y-%m-%dT%H:%M:%SZ")
    return since.strftime("%Y-%m-%d")


# --- services ---------------------------------------------------------------------------------------------

def _check_source(base_url: str, set_spec: str, metadata_prefix: str, default_type: str, default_access: str,
                  default_language: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    try:
        _URL(base_url)
    except ValidationError:
        errors["base_url"] = _("Enter the repository's OAI-PMH address, starting with http:// or https://.")
    if len(base_url) > 500:
        errors["base_url"] = _("At most %(max)s characters.") % {"max": 500}
    if set_spec and (len(set_spec) > 200 or not SET_SPEC.match(set_spec)):
        errors["set_spec"] = _("A set is written like «university:12» (Latin letters, digits and - _ . ! ~ * ' ( ), parts joined by colons).")
    if metadata_prefix != "oai_dc":
        errors["metadata_prefix"] = _("Only oai_dc (Dublin Core) records can be imported.")
    if default_type not in ResourceType.values:
        errors["default_type"] = _("Choose the type.")
    if default_access not in Access.values:
        errors["default_access"] = _("Choose the access level.")
    if default_language not in Language.values:
        errors["default_language"] = _("Choose the language.")
    return errors


@transaction.atomic
def harvest_source_create(*, collection: Collection, base_url: str, set_spec: str = "", name: str = "", metadata_prefix: str = "oai_dc",
                          default_type: str = ResourceType.ARTICLE, default_access: str = Access.OPEN,
                          default_language: str = Language.KK, by, request=None) -> HarvestSource:
    """Register another repository's OAI-PMH endpoint to harvest into ``collection`` (a librarian of
    the collection's university, or the system with ``by=None``)."""
    services._require_librarian(by, collection.university)
    base_url, set_spec, name = (base_url or "").strip(), (set_spec or "").strip(), " ".join((name or "").split())
    errors = _check_source(base_url, set_spec, metadata_prefix, default_type, default_access, default_language)
    if len(name) > 300:
        errors["name"] = _("At most %(max)s characters.") % {"max": 300}
    if not errors and HarvestSource.objects.filter(collection=collection, base_url=base_url, set_spec=set_spec).exists():
        errors["base_url"] = _("This collection already harvests this repository (and set).")
    if errors:
        raise DomainError("invalid_harvest_source", _("The harvest source has errors; nothing was saved."), fields=errors)
    source = HarvestSource.objects.create(collection=collection, base_url=base_url, set_spec=set_spec, name=name,
                                          metadata_prefix=metadata_prefix, default_type=default_type, default_access=default_access,
                                          default_language=default_language, created_by=by)
    audit_record(actor=by, action="library.harvest_source.create", obj=source, org_unit=collection.university,
                 after={"collection": collection.pk, "base_url": base_url, "set": set_spec, "name": name, "default_type": default_type,
                        "default_access": default_access, "default_language": default_language}, request=request)
    return source


def _claim(source: HarvestSource, by) -> HarvestSource:
    with transaction.atomic():
        source = HarvestSource.objects.select_for_update().select_related("collection__university").get(pk=source.pk)
        services._require_librarian(by, source.collection.university)
        now = timezone.now()
        if source.status == HarvestSource.Status.RUNNING and source.last_run_at and source.last_run_at > now - STALE_RUN:
            raise DomainError("harvest_running", _("This source is being harvested right now; wait for that run to finish."), status=409)
        source.status, source.last_run_at, source.message = HarvestSource.Status.RUNNING, now, ""
        source.save(update_fields=["status", "last_run_at", "message"])
    return source


def _finish(source: HarvestSource, run: Run, *, by, until: dt.datetime | None, failure: str = "", since: str | None) -> HarvestSource:
    with transaction.atomic():
        source = HarvestSource.objects.select_for_update().select_related("collection__university").get(pk=source.pk)
        stats = run.as_dict()
        stats["from"] = since
        if failure:
            source.status = HarvestSource.Status.FAILED
            source.message = failure[:2000]
        else:
            source.status = HarvestSource.Status.PARTIAL if run.rejected else HarvestSource.Status.OK
            source.last_until = until
            source.message = _("%(created)s new, %(updated)s changed, %(deleted)s withdrawn, %(unchanged)s unchanged, "
                               "%(rejected)s rejected, %(warnings)s warnings.") % stats
        stats["until"] = until.isoformat() if until and not failure else None
        source.last_stats = stats
        source.save(update_fields=["status", "message", "last_until", "last_stats"])
        audit_record(actor=by, action="library.harvest.run", obj=source, org_unit=source.collection.university,
                     after={"status": source.status, "message": source.message, **{k: v for k, v in stats.items() if k != "errors"}})
    return source


def harvest(*, source: HarvestSource, by=None, full: bool = False, overlap: dt.timedelta = OVERLAP, retries: int = 3,
            timeout: float = 60, open_source: Callable[..., tuple[Any, Listing]] | None = None) -> HarvestSource:
    """Harvest ``source`` once, incrementally (``full``: from the beginning). Returns the source with
    the run's status, message and counts (``last_stats``). Refuses a source already being harvested."""
    source = _claim(source, by)
    run = Run()
    since: str | None = None
    client = None
    try:
        client, listing = (open_source or scythe_listing)(source, retries=retries, timeout=timeout)
        since = _since(source, listing.granularity, full, overlap)
        for item in listing.items(since):
            try:
                import_item(source, item, run)
            except (DomainError, Rejected, ValueError, TypeError, etree.LxmlError) as error:  # one record, never the run
                run.report(item.identifier, "record", getattr(error, "message", None) or str(error), rejected=True)
    except Exception as error:  # the source itself failed: network, HTTP, a protocol error, broken XML
        log.warning("harvest of %s failed: %s", source.base_url, error, exc_info=True)
        message = _("The harvest stopped: %(error)s") % {"error": _describe(error)}
        return _finish(source, run, by=by, until=None, failure=message, since=since)
    finally:
        if client is not None and hasattr(client, "close"):
            client.close()
    return _finish(source, run, by=by, until=listing.response_date, since=since)


def _describe(error: Exception) -> str:
    if isinstance(error, HarvestFailure):
        return str(error)[:500]
    if isinstance(error, (AttributeError, etree.XMLSyntaxError)):
        return _("the source's answer is not OAI-PMH XML.")
    name = type(error).__name__
    text = str(error).strip()
    return f"{name}: {text}"[:500] if text else name

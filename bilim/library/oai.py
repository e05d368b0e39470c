"""The library's OAI-PMH 2.0 data provider at ``/oai`` (L4, D2): how partner repositories — another
university's DSpace, a partner state's library, an aggregator — harvest our catalogue.

* All six verbs, by GET or POST (``application/x-www-form-urlencoded``); every protocol error code.
* One metadata format, ``oai_dc`` (unqualified Dublin Core). The registry ``FORMATS`` is where a
  second one would go; a format may decline an item (then ``noMetadataFormats`` /
  ``cannotDisseminateFormat`` for it).
* Identifiers ``oai:<repository id>:<record id>`` (the oai-identifier scheme; the repository id is
  ``settings.LIBRARY_OAI_REPOSITORY_ID``).
* Datestamps are ``Resource.modified_at`` at seconds granularity (``YYYY-MM-DDThh:mm:ssZ``);
  ``from`` / ``until`` are accepted at day or seconds granularity and are inclusive.
* Sets: ``university`` ⊃ ``university:<org unit id>`` ⊃ ``university:<org unit id>:<collection
  code>``, and ``type`` ⊃ ``type:<type>``. A header names only its leaf sets (the spec's "minimum
  number"); a set selects its whole subtree. Only sets with records are listed; a repository with
  none answers ``noSetHierarchy``.
* Deleted records are kept for ever as tombstones (``deletedRecord`` = persistent): their header
  carries ``status="deleted"`` and no metadata.
* Resumption tokens are stateless and signed (HMAC with the project's secret: any change is
  ``badResumptionToken``). A list is keyed by (datestamp, id): each token holds the key of the last
  item sent, so inserts and changes while a harvester pages never shift or repeat the pages; the
  list is also capped at the moment of its first request, so it ends, and ``completeListSize``
  counted then stays true. What changes meanwhile has a later datestamp and comes with the next
  incremental harvest (``from`` = this harvest's ``responseDate``).

What is exposed: the metadata of every record our universities contribute (metadata are public,
L3; an embargo closes the files, not the description — ``dc:rights`` says so in the OpenAIRE
vocabulary). Records this library itself harvested from elsewhere are not re-exposed: their source
is the authoritative provider, and re-exposing them would hand aggregators duplicates and make
partner repositories that harvest each other loop.

Fast: a page is one indexed keyset query of plain values (no model instances, no N+1), read before
the response starts; the XML is then streamed record by record with lxml's incremental writer."""

from __future__ import annotations

import copy
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.db.models import Exists, Min, OuterRef, Q
from django.http import HttpResponse, HttpResponseNotAllowed, StreamingHttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from lxml import etree

from bilim.core.models import OrgUnit

from .models import Access, Collection, Resource, ResourceType

# --- namespaces and schemas ------------------------------------------------------------------------
NS_OAI = "http://www.openarchives.org/OAI/2.0/"
NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"
NS_XML = "http://www.w3.org/XML/1998/namespace"
NS_OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
NS_DC = "http://purl.org/dc/elements/1.1/"
NS_OAI_ID = "http://www.openarchives.org/OAI/2.0/oai-identifier"
SCHEMA_OAI = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
SCHEMA_OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
SCHEMA_OAI_ID = "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"
XSI_LOCATION = f"{{{NS_XSI}}}schemaLocation"
XML_LANG = f"{{{NS_XML}}}lang"

GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
DEFAULT_PAGE_SIZE = 100
DEFAULT_REPOSITORY_ID = "bilim.edu.kz"
DEFAULT_ADMIN_EMAILS = ("library@bilim.edu.kz",)
# The memorandum that founded the library (seed 003) — the floor of datestamps of an empty repository.
FLOOR_DATESTAMP = dt.datetime(2009, 4, 22, tzinfo=dt.timezone.utc)
TOKEN_SALT = "bilim.library.oai.resumption"

# The spec's grammars: setSpec and metadataPrefix (unreserved URI characters), repository ids (domains).
SPEC_PART = r"[A-Za-z0-9\-_.!~*'()]+"
SET_SPEC = re.compile(rf"^{SPEC_PART}(?::{SPEC_PART})*$")
PREFIX = re.compile(rf"^{SPEC_PART}$")
REPOSITORY_ID = re.compile(r"^[a-zA-Z][a-zA-Z0-9\-]*(\.[a-zA-Z][a-zA-Z0-9\-]*)+$")
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SECONDS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")

# dc:type: the DCMI Type of every record, then our type in words other repositories use (DSpace's
# dc.type values are English words like these). Not translated: they are vocabulary, not prose.
DCMI_TYPE = "Text"
DC_TYPE = {
    ResourceType.TEXTBOOK: "Textbook",
    ResourceType.MANUAL: "Study guide",
    ResourceType.MONOGRAPH: "Monograph",
    ResourceType.ARTICLE: "Article",
    ResourceType.TMC: "Teaching and methodological complex",
    ResourceType.THESIS: "Thesis",
}
# dc:rights: the access to the files in the OpenAIRE (info:eu-repo) vocabulary aggregators read.
EU_OPEN = "info:eu-repo/semantics/openAccess"
EU_RESTRICTED = "info:eu-repo/semantics/restrictedAccess"
EU_EMBARGOED = "info:eu-repo/semantics/embargoedAccess"
EU_EMBARGO_END = "info:eu-repo/date/embargoEnd/"

# The plain values a page needs; read with .values(), never as model instances.
ROW_FIELDS = ("id", "modified_at", "deleted_at", "university_id", "collection__code", "type")
METADATA_FIELDS = ("title", "creators", "subjects", "description", "publisher", "issued", "format", "isbn", "doi", "url",
                   "language", "rights", "access", "embargo_until")

VERBS: dict[str, tuple[frozenset[str], frozenset[str], bool]] = {
    # verb: (required arguments, optional arguments, whether resumptionToken is allowed (exclusive))
    "Identify": (frozenset(), frozenset(), False),
    "ListMetadataFormats": (frozenset(), frozenset({"identifier"}), False),
    "ListSets": (frozenset(), frozenset(), True),
    "ListIdentifiers": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"}), True),
    "ListRecords": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"}), True),
    "GetRecord": (frozenset({"identifier", "metadataPrefix"}), frozenset(), False),
}


def q(name: str, ns: str = NS_OAI) -> str:
    return f"{{{ns}}}{name}"


class OAIError(Exception):
    """One protocol error: a code of the spec and a message for the harvester's operator."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = str(message)


class OAIErrors(Exception):
    """Several protocol errors answered together (e.g. every bad argument of a request)."""

    def __init__(self, errors: list[OAIError]):
        super().__init__(", ".join(e.code for e in errors))
        self.errors = errors


# --- configuration -----------------------------------------------------------------------------------

def repository_id() -> str:
    value = getattr(settings, "LIBRARY_OAI_REPOSITORY_ID", "") or DEFAULT_REPOSITORY_ID
    if not REPOSITORY_ID.match(value):
        raise ValueError(f"LIBRARY_OAI_REPOSITORY_ID must be a domain name, not {value!r}")
    return value


def page_size() -> int:
    return max(1, int(getattr(settings, "LIBRARY_OAI_PAGE_SIZE", DEFAULT_PAGE_SIZE)))


def admin_emails() -> list[str]:
    emails = getattr(settings, "LIBRARY_OAI_ADMIN_EMAILS", None) or DEFAULT_ADMIN_EMAILS
    return [emails] if isinstance(emails, str) else list(emails)


def oai_identifier(resource_id: int) -> str:
    return f"oai:{repository_id()}:{resource_id}"


def resource_id_of(identifier: str) -> int | None:
    """Our record id in an OAI identifier, or None if it is not one of ours."""
    prefix = f"oai:{repository_id()}:"
    if not identifier.startswith(prefix):
        return None
    local = identifier[len(prefix):]
    if not local.isascii() or not local.isdigit() or local != str(int(local)) or int(local) > 2**62:
        return None
    return int(local)


def datestamp(value: dt.datetime) -> str:
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- selectors: what the provider may read -----------------------------------------------------------

def exposed_resources(user=None):
    """Every record the provider exposes, to anyone (``user`` may be anonymous: metadata are public).
    Deleted records stay in as tombstones; records harvested from elsewhere stay out (a harvested
    record always has its identifier at the source — and only by that test, which no index serves,
    do the databases keep scanning the datestamp index in order)."""
    return Resource.objects.filter(source_identifier="")


def exposed_sets(user=None) -> list[tuple[str, dict[str, str], dict[str, str]]]:
    """``(setSpec, names by language, descriptions by language)`` of the sets that hold records, in
    the order ListSets gives them: each university, then its collections; then the types."""
    records = exposed_resources(user)
    # one indexed EXISTS per collection (there are hundreds), not a scan of the records
    collections = list(
        Collection.objects.filter(Exists(records.filter(collection_id=OuterRef("pk"))))
        .select_related("university").order_by("university_id", "code")
    )
    if not collections:
        return []
    result: list[tuple[str, dict[str, str], dict[str, str]]] = [
        ("university", _names(_("Universities")), {}),
    ]
    universities: dict[int, OrgUnit] = {}
    for collection in collections:
        universities.setdefault(collection.university_id, collection.university)
    for university_id, university in universities.items():
        result.append((f"university:{university_id}", _multilingual(university, "name"), {}))
        for collection in collections:
            if collection.university_id == university_id:
                descriptions = {"": collection.description} if collection.description else {}
                result.append((f"university:{university_id}:{collection.code}", _multilingual(collection, "name"), descriptions))
    types = [code for code in ResourceType.values if records.filter(type=code).exists()]
    if types:
        result.append(("type", _names(_("Types of resources")), {}))
        labels = dict(ResourceType.choices)
        for code in types:
            result.append((f"type:{code}", _names(labels[code]), {}))
    return result


def _names(label) -> dict[str, str]:
    names = {}
    for language in ("kk", "ru", "en"):
        with translation.override(language):
            names[language] = str(label)
    return names


def _multilingual(obj, field_name: str) -> dict[str, str]:
    return {language: getattr(obj, f"{field_name}_{language}", "") for language in ("kk", "ru", "en")
            if getattr(obj, f"{field_name}_{language}", "")}


def set_filter(spec: str) -> Q | None:
    """The records of set ``spec`` and its subsets; None for a set that does not exist."""
    parts = spec.split(":")
    if parts[0] == "university":
        if len(parts) == 1:
            return Q()
        if not parts[1].isascii() or not parts[1].isdigit() or len(parts[1]) > 18 or len(parts) > 3:
            return None
        condition = Q(university_id=int(parts[1]))
        if len(parts) == 3:
            condition &= Q(collection__code=parts[2])
        return condition
    if parts[0] == "type":
        if len(parts) == 1:
            return Q()
        if len(parts) == 2 and parts[1] in ResourceType.values:
            return Q(type=parts[1])
    return None


def set_specs(row: Mapping) -> list[str]:
    """The leaf sets of a record (its ancestors are implied)."""
    return [f"university:{row['university_id']}:{row['collection__code']}", f"type:{row['type']}"]


# --- metadata formats --------------------------------------------------------------------------------

@dataclass(frozen=True)
class MetadataFormat:
    prefix: str
    schema: str
    namespace: str
    write: Callable[[Mapping], etree._Element]
    # whether an item can be disseminated in this format (all can in oai_dc)
    available: Callable[[Mapping], bool] = field(default=lambda row: True)


def _dc(parent: etree._Element, name: str, value, lang: str | None = None) -> None:
    text = "" if value is None else str(value).strip()
    if text:
        element = etree.SubElement(parent, q(name, NS_DC))
        element.text = _xml_safe(text)
        if lang:
            element.set(XML_LANG, lang)


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_safe(text: str) -> str:
    """Text XML 1.0 can carry (control characters pasted from PDFs are dropped)."""
    return _XML_ILLEGAL.sub("", text)


def access_rights(row: Mapping, today: dt.date | None = None) -> list[str]:
    today = today or timezone.localdate()
    embargo = row.get("embargo_until")
    if embargo and today < embargo:
        return [EU_EMBARGOED, f"{EU_EMBARGO_END}{embargo.isoformat()}"]
    return [EU_OPEN if row.get("access") == Access.OPEN else EU_RESTRICTED]


def write_oai_dc(row: Mapping) -> etree._Element:
    """A record as unqualified Dublin Core (oai_dc), in the order of the fifteen elements."""
    dc = etree.Element(q("dc", NS_OAI_DC), nsmap={"oai_dc": NS_OAI_DC, "dc": NS_DC, "xsi": NS_XSI})
    dc.set(XSI_LOCATION, f"{NS_OAI_DC} {SCHEMA_OAI_DC}")
    lang = row.get("language") or None
    _dc(dc, "title", row.get("title"), lang)
    for creator in row.get("creators") or []:
        _dc(dc, "creator", _name(creator))
    for subject in row.get("subjects") or []:
        _dc(dc, "subject", subject, lang)
    _dc(dc, "description", row.get("description"), lang)
    _dc(dc, "publisher", row.get("publisher"))
    _dc(dc, "date", row.get("issued"))
    _dc(dc, "type", DCMI_TYPE)
    _dc(dc, "type", DC_TYPE.get(row.get("type"), ""))
    _dc(dc, "format", row.get("format"))
    _dc(dc, "identifier", row.get("landing_url"))
    if row.get("isbn"):
        _dc(dc, "identifier", f"urn:isbn:{row['isbn']}")
    if row.get("doi"):
        _dc(dc, "identifier", f"https://doi.org/{row['doi']}")
    _dc(dc, "identifier", row.get("url"))
    _dc(dc, "language", row.get("language"))
    _dc(dc, "rights", row.get("rights"))
    for statement in access_rights(row):
        _dc(dc, "rights", statement)
    return dc


def _name(creator) -> str:
    if isinstance(creator, Mapping):  # tolerate {"name": …} entries
        return str(creator.get("name") or "")
    return str(creator)


FORMATS: dict[str, MetadataFormat] = {
    "oai_dc": MetadataFormat("oai_dc", SCHEMA_OAI_DC, NS_OAI_DC, write_oai_dc),
}


# --- resumption tokens -------------------------------------------------------------------------------

def _sign(payload: dict) -> str:
    return signing.dumps(payload, salt=TOKEN_SALT, compress=True)


def _unsign(token: str, verb: str) -> dict:
    try:
        payload = signing.loads(token, salt=TOKEN_SALT)
    except (signing.BadSignature, ValueError, TypeError, UnicodeError, OverflowError):
        raise OAIError("badResumptionToken", _("The resumption token is not one this repository issued, or it was altered."))
    if not isinstance(payload, dict) or payload.get("v") != verb:
        raise OAIError("badResumptionToken", _("The resumption token belongs to another request (verb %(verb)s).") % {"verb": verb})
    return payload


def _parse_stamp(value) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("naive")
    return parsed


# --- the request -------------------------------------------------------------------------------------

@dataclass
class ListQuery:
    """A list request (ListIdentifiers / ListRecords), fresh or resumed."""

    verb: str
    prefix: str
    set_spec: str = ""
    since: dt.datetime | None = None  # inclusive
    before: dt.datetime | None = None  # exclusive (until + 1 granule)
    cap: dt.datetime | None = None  # the moment of the first request: the list ends there
    after: tuple[dt.datetime, int] | None = None  # the (datestamp, id) key of the last item sent
    cursor: int = 0
    total: int | None = None

    def token(self, last: tuple[dt.datetime, int], cursor: int) -> str:
        return _sign({
            "v": self.verb, "p": self.prefix, "s": self.set_spec,
            "f": self.since.isoformat() if self.since else None,
            "u": self.before.isoformat() if self.before else None,
            "c": self.cap.isoformat(), "k": [last[0].isoformat(), last[1]], "n": cursor, "t": self.total,
        })

    @classmethod
    def resume(cls, verb: str, token: str) -> "ListQuery":
        payload = _unsign(token, verb)
        try:
            key = payload["k"]
            return cls(
                verb=verb, prefix=str(payload["p"]), set_spec=str(payload["s"] or ""),
                since=_parse_stamp(payload["f"]) if payload["f"] else None,
                before=_parse_stamp(payload["u"]) if payload["u"] else None,
                cap=_parse_stamp(payload["c"]), after=(_parse_stamp(key[0]), int(key[1])),
                cursor=int(payload["n"]), total=int(payload["t"]),
            )
        except (KeyError, TypeError, ValueError, IndexError):
            raise OAIError("badResumptionToken", _("The resumption token is incomplete."))


def _arguments(request) -> dict[str, list[str]]:
    data = request.POST if request.method == "POST" else request.GET
    return {key: data.getlist(key) for key in data.keys()}


def _check_arguments(args: dict[str, list[str]]) -> tuple[str, dict[str, str]]:
    """The verb and its arguments, or the protocol errors of a malformed request."""
    verbs = args.get("verb", [])
    if not verbs:
        raise OAIErrors([OAIError("badVerb", _("The verb argument is missing."))])
    if len(verbs) > 1:
        raise OAIErrors([OAIError("badVerb", _("The verb argument is repeated."))])
    verb = verbs[0]
    if verb not in VERBS:
        raise OAIErrors([OAIError("badVerb", _("«%(verb)s» is not an OAI-PMH verb.") % {"verb": verb[:100]})])
    required, optional, resumable = VERBS[verb]
    errors: list[OAIError] = []
    values: dict[str, str] = {}
    allowed = required | optional | ({"resumptionToken"} if resumable else set())
    for name, given in args.items():
        if name == "verb":
            continue
        if name not in allowed:
            errors.append(OAIError("badArgument", _("%(verb)s does not take the argument «%(name)s».") % {"verb": verb, "name": name[:100]}))
        elif len(given) > 1:
            errors.append(OAIError("badArgument", _("The argument «%(name)s» is repeated.") % {"name": name}))
        elif not given[0]:
            errors.append(OAIError("badArgument", _("The argument «%(name)s» is empty.") % {"name": name}))
        else:
            values[name] = given[0]
    if "resumptionToken" in values:
        others = sorted(set(values) - {"resumptionToken"})
        if others:
            errors.append(OAIError("badArgument", _("The resumption token is an exclusive argument; remove %(names)s.") % {"names": ", ".join(others)}))
    else:
        for name in sorted(required - set(args)):
            errors.append(OAIError("badArgument", _("%(verb)s requires the argument «%(name)s».") % {"verb": verb, "name": name}))
    if errors:
        raise OAIErrors(errors)
    return verb, values


def _parse_date(name: str, value: str) -> tuple[dt.datetime, str]:
    """A UTC datetime and its granularity ("day" / "seconds")."""
    try:
        if DAY.match(value):
            return dt.datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=dt.timezone.utc), "day"
        if SECONDS.match(value):
            return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc), "seconds"
    except ValueError:
        raise OAIError("badArgument", _("«%(name)s» is not a real date: %(value)s.") % {"name": name, "value": value[:40]})
    raise OAIError("badArgument", _("«%(name)s» must be YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ (UTC), not %(value)s.")
                   % {"name": name, "value": value[:40]})


def _list_query(verb: str, values: dict[str, str]) -> ListQuery:
    if "resumptionToken" in values:
        return ListQuery.resume(verb, values["resumptionToken"])
    query = ListQuery(verb=verb, prefix=values["metadataPrefix"], set_spec=values.get("set", ""))
    granularities = set()
    if "from" in values:
        query.since, granularity = _parse_date("from", values["from"])
        granularities.add(granularity)
    if "until" in values:
        until, granularity = _parse_date("until", values["until"])
        granularities.add(granularity)
        try:
            query.before = until + (dt.timedelta(days=1) if granularity == "day" else dt.timedelta(seconds=1))
        except OverflowError:  # until the end of year 9999: no upper bound
            query.before = None
    if len(granularities) > 1:
        raise OAIError("badArgument", _("«from» and «until» must have the same granularity."))
    if query.since and query.before and query.since >= query.before:
        raise OAIError("badArgument", _("«from» is later than «until»."))
    if query.set_spec and not SET_SPEC.match(query.set_spec):
        raise OAIError("badArgument", _("«%(set)s» is not a setSpec.") % {"set": query.set_spec[:100]})
    return query


def _check_prefix(prefix: str) -> MetadataFormat:
    if not PREFIX.match(prefix):
        raise OAIError("badArgument", _("«%(prefix)s» is not a metadata prefix.") % {"prefix": prefix[:100]})
    fmt = FORMATS.get(prefix)
    if fmt is None:
        raise OAIError("cannotDisseminateFormat", _("This repository does not disseminate «%(prefix)s»; ask ListMetadataFormats.")
                       % {"prefix": prefix[:100]})
    return fmt


def _resource_row(identifier: str, user, fields: Iterable[str]) -> dict:
    pk = resource_id_of(identifier)
    row = exposed_resources(user).filter(pk=pk).values(*fields).first() if pk is not None else None
    if row is None:
        raise OAIError("idDoesNotExist", _("No record has the identifier «%(identifier)s» in this repository.")
                       % {"identifier": identifier[:200]})
    return row


# --- the verbs ---------------------------------------------------------------------------------------

class Context:
    def __init__(self, request, verb: str, values: dict[str, str]):
        self.request = request
        self.verb = verb
        self.values = values
        self.user = getattr(request, "user", None)
        self.base_url = request.build_absolute_uri(request.path)
        self.now = timezone.now()


def _identify(ctx: Context) -> list[etree._Element]:
    identify = etree.Element(q("Identify"))
    etree.SubElement(identify, q("repositoryName")).text = getattr(settings, "LIBRARY_OAI_REPOSITORY_NAME", "") or _(
        "Republican inter-university electronic library (Bilim)")
    etree.SubElement(identify, q("baseURL")).text = ctx.base_url
    etree.SubElement(identify, q("protocolVersion")).text = "2.0"
    for email in admin_emails():
        etree.SubElement(identify, q("adminEmail")).text = email
    earliest = exposed_resources(ctx.user).aggregate(earliest=Min("modified_at"))["earliest"]
    etree.SubElement(identify, q("earliestDatestamp")).text = datestamp(min(earliest or FLOOR_DATESTAMP, FLOOR_DATESTAMP))
    etree.SubElement(identify, q("deletedRecord")).text = "persistent"
    etree.SubElement(identify, q("granularity")).text = GRANULARITY
    description = etree.SubElement(identify, q("description"))
    ident = etree.SubElement(description, q("oai-identifier", NS_OAI_ID), nsmap={None: NS_OAI_ID, "xsi": NS_XSI})
    ident.set(XSI_LOCATION, f"{NS_OAI_ID} {SCHEMA_OAI_ID}")
    etree.SubElement(ident, q("scheme", NS_OAI_ID)).text = "oai"
    etree.SubElement(ident, q("repositoryIdentifier", NS_OAI_ID)).text = repository_id()
    etree.SubElement(ident, q("delimiter", NS_OAI_ID)).text = ":"
    etree.SubElement(ident, q("sampleIdentifier", NS_OAI_ID)).text = oai_identifier(1)
    return [identify]


def _list_metadata_formats(ctx: Context) -> list[etree._Element]:
    formats = list(FORMATS.values())
    if "identifier" in ctx.values:
        row = _resource_row(ctx.values["identifier"], ctx.user, ROW_FIELDS + METADATA_FIELDS)
        formats = [fmt for fmt in formats if fmt.available(row)]
        if not formats:
            raise OAIError("noMetadataFormats", _("No metadata format is available for this item."))
    container = etree.Element(q("ListMetadataFormats"))
    for fmt in formats:
        element = etree.SubElement(container, q("metadataFormat"))
        etree.SubElement(element, q("metadataPrefix")).text = fmt.prefix
        etree.SubElement(element, q("schema")).text = fmt.schema
        etree.SubElement(element, q("metadataNamespace")).text = fmt.namespace
    return [container]


def _list_sets(ctx: Context) -> list[etree._Element]:
    sets = exposed_sets(ctx.user)
    if not sets:
        raise OAIError("noSetHierarchy", _("This repository has no sets yet."))
    offset, total = 0, len(sets)
    if "resumptionToken" in ctx.values:
        payload = _unsign(ctx.values["resumptionToken"], "ListSets")
        try:
            offset, total = int(payload["o"]), int(payload["t"])
        except (KeyError, TypeError, ValueError):
            raise OAIError("badResumptionToken", _("The resumption token is incomplete."))
        if total != len(sets) or not 0 < offset < len(sets):
            raise OAIError("badResumptionToken", _("The list of sets has changed since this token was issued; start again."))
    size = page_size()
    page = sets[offset:offset + size]
    container = etree.Element(q("ListSets"))
    language = (translation.get_language() or "en")[:2]
    for spec, names, descriptions in page:
        element = etree.SubElement(container, q("set"))
        etree.SubElement(element, q("setSpec")).text = spec
        etree.SubElement(element, q("setName")).text = _xml_safe(names.get(language) or next(iter(names.values()), spec))
        if len(names) > 1 or descriptions:
            description = etree.SubElement(element, q("setDescription"))
            dc = etree.SubElement(description, q("dc", NS_OAI_DC), nsmap={"oai_dc": NS_OAI_DC, "dc": NS_DC, "xsi": NS_XSI})
            dc.set(XSI_LOCATION, f"{NS_OAI_DC} {SCHEMA_OAI_DC}")
            for lang, name in names.items():
                _dc(dc, "title", name, lang)
            for lang, text in descriptions.items():
                _dc(dc, "description", text, lang or None)
    if offset or offset + size < len(sets):
        token = etree.SubElement(container, q("resumptionToken"))
        token.set("cursor", str(offset))
        token.set("completeListSize", str(len(sets)))
        if offset + size < len(sets):
            token.text = _sign({"v": "ListSets", "o": offset + size, "t": len(sets)})
    return [container]


LANDING_PAGES = ("library:resource", "library:record", "library:resource_detail")
_PLACEHOLDER = 987654321987


def _landing_url(ctx: Context, pk: int) -> str:
    """The record's public page (in the default language), reversed once per request."""
    if not hasattr(ctx, "_landing"):
        ctx._landing = ""
        with translation.override(settings.LANGUAGE_CODE):
            for name in LANDING_PAGES:
                try:
                    ctx._landing = ctx.request.build_absolute_uri(reverse(name, args=[_PLACEHOLDER]))
                    break
                except NoReverseMatch:
                    continue
    return ctx._landing.replace(str(_PLACEHOLDER), str(pk)) if ctx._landing else ""


def _header(row: Mapping) -> etree._Element:
    header = etree.Element(q("header"))
    if row["deleted_at"] is not None:
        header.set("status", "deleted")
    etree.SubElement(header, q("identifier")).text = oai_identifier(row["id"])
    etree.SubElement(header, q("datestamp")).text = datestamp(row["modified_at"])
    for spec in set_specs(row):
        etree.SubElement(header, q("setSpec")).text = spec
    return header


def _record(row: Mapping, fmt: MetadataFormat) -> etree._Element:
    record = etree.Element(q("record"))
    record.append(_header(row))
    if row["deleted_at"] is None:
        metadata = etree.SubElement(record, q("metadata"))
        metadata.append(fmt.write(row))
    return record


def _get_record(ctx: Context) -> list[etree._Element]:
    fmt = _check_prefix(ctx.values["metadataPrefix"])
    row = _resource_row(ctx.values["identifier"], ctx.user, ROW_FIELDS + METADATA_FIELDS)
    if not fmt.available(row):
        raise OAIError("cannotDisseminateFormat", _("This item is not available as «%(prefix)s».") % {"prefix": fmt.prefix})
    row["landing_url"] = _landing_url(ctx, row["id"])
    container = etree.Element(q("GetRecord"))
    container.append(_record(row, fmt))
    return [container]


def _list(ctx: Context) -> tuple[str, Iterator[etree._Element]]:
    """ListIdentifiers / ListRecords: the page is read here; the elements are made while streaming."""
    query = _list_query(ctx.verb, ctx.values)
    fmt = _check_prefix(query.prefix)
    records = exposed_resources(ctx.user)
    if query.set_spec:
        if not records.exists():  # sets are made of records: none, no set hierarchy
            raise OAIError("noSetHierarchy", _("This repository has no sets yet."))
        condition = set_filter(query.set_spec)
        if condition is None:
            raise OAIError("noRecordsMatch", _("There is no set «%(set)s» in this repository.") % {"set": query.set_spec[:100]})
        records = records.filter(condition)
    if query.since:
        records = records.filter(modified_at__gte=query.since)
    if query.before:
        records = records.filter(modified_at__lt=query.before)
    if query.cap is None:
        query.cap = ctx.now
    records = records.filter(modified_at__lte=query.cap)
    if query.total is None:
        query.total = records.count()
    if query.after is not None:
        stamp, last_id = query.after
        # (modified_at, id) > key, written so that an index on modified_at bounds the scan
        records = records.filter(modified_at__gte=stamp).filter(Q(modified_at__gt=stamp) | Q(id__gt=last_id))
    size = page_size()
    fields = ROW_FIELDS + (METADATA_FIELDS if ctx.verb == "ListRecords" else ())
    page = list(records.order_by("modified_at", "id").values(*fields)[: size + 1])
    more = len(page) > size
    page = page[:size]
    # A format may decline an item (oai_dc takes every one); a tombstone is in every format.
    rows = [row for row in page if row["deleted_at"] is not None or fmt.available(row)]
    if not rows:
        # Nothing left: the list was empty, or every record after the token's key has changed
        # since (and moved past the list's end, to come with the next incremental harvest).
        raise OAIError("noRecordsMatch", _("No record matches these arguments."))
    if ctx.verb == "ListRecords":
        for row in rows:
            row["landing_url"] = _landing_url(ctx, row["id"])
    token = None
    if more or query.after is not None:
        token = etree.Element(q("resumptionToken"))
        token.set("cursor", str(query.cursor))
        token.set("completeListSize", str(max(query.total, query.cursor + len(page) + (1 if more else 0))))
        if more:
            token.text = query.token((page[-1]["modified_at"], page[-1]["id"]), query.cursor + len(page))

    def elements() -> Iterator[etree._Element]:
        for row in rows:
            yield _record(row, fmt) if ctx.verb == "ListRecords" else _header(row)
        if token is not None:
            yield token

    return ctx.verb, elements()


HANDLERS = {
    "Identify": _identify,
    "ListMetadataFormats": _list_metadata_formats,
    "ListSets": _list_sets,
    "GetRecord": _get_record,
}


# --- the response ------------------------------------------------------------------------------------

def _request_element(base_url: str, values: Mapping[str, str] | None, verb: str | None) -> etree._Element:
    element = etree.Element(q("request"))
    if verb is not None:
        element.set("verb", verb)
        for name, value in (values or {}).items():
            element.set(name, _xml_safe(value))  # echoed as given, less what XML cannot carry
    element.text = base_url
    return element


def _emit(xf, element: etree._Element) -> None:
    """Write ``element`` inside the document: OAI elements through the writer, so that they use the
    default namespace declared once on the root; a foreign subtree (oai_dc, oai-identifier) as it
    is, with only the namespaces it uses declared on it."""
    if etree.QName(element).namespace != NS_OAI:
        detached = copy.deepcopy(element)
        etree.cleanup_namespaces(detached)
        xf.write(detached)
        return
    with xf.element(element.tag, dict(element.attrib)):
        if element.text:
            xf.write(element.text)
        for child in element:
            _emit(xf, child)


def _stream(base_url: str, now: dt.datetime, request_el: etree._Element, container: str | None,
            children: Iterable[etree._Element]) -> Iterator[bytes]:
    """The response document, written incrementally: flushed every ~64 KiB."""
    buffer = io.BytesIO()
    with etree.xmlfile(buffer, encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element(q("OAI-PMH"), nsmap={None: NS_OAI, "xsi": NS_XSI}, attrib={XSI_LOCATION: f"{NS_OAI} {SCHEMA_OAI}"}):
            with xf.element(q("responseDate")):
                xf.write(datestamp(now))
            _emit(xf, request_el)
            if container is None:
                for child in children:
                    _emit(xf, child)
            else:
                with xf.element(q(container)):
                    for child in children:
                        _emit(xf, child)
                        if buffer.tell() > 65536:
                            xf.flush()
                            yield buffer.getvalue()
                            buffer.seek(0)
                            buffer.truncate()
    yield buffer.getvalue()


def _errors_response(ctx_base: str, now: dt.datetime, errors: list[OAIError], request_el: etree._Element) -> HttpResponse:
    children = []
    for error in errors:
        element = etree.Element(q("error"))
        element.set("code", error.code)
        element.text = _xml_safe(error.message)
        children.append(element)
    return HttpResponse(b"".join(_stream(ctx_base, now, request_el, None, children)), content_type="text/xml; charset=utf-8")


@csrf_exempt
def endpoint(request):
    """``/oai``: one OAI-PMH request, answered in XML (protocol errors are 200 with ``<error>``)."""
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    # A harvester is a program: English unless it asks for a language.
    explicit = "HTTP_ACCEPT_LANGUAGE" in request.META or settings.LANGUAGE_COOKIE_NAME in request.COOKIES
    with translation.override(translation.get_language() if explicit else "en"):
        return _answer(request)


def _answer(request):
    base_url = request.build_absolute_uri(request.path)
    now = timezone.now()
    try:
        verb, values = _check_arguments(_arguments(request))
    except OAIErrors as failure:
        return _errors_response(base_url, now, failure.errors, _request_element(base_url, None, None))
    ctx = Context(request, verb, values)
    request_el = _request_element(base_url, values, verb)
    try:
        if verb in ("ListIdentifiers", "ListRecords"):
            container, elements = _list(ctx)
            response = StreamingHttpResponse(_stream(base_url, ctx.now, request_el, container, elements),
                                             content_type="text/xml; charset=utf-8")
            return response
        children = HANDLERS[verb](ctx)
    except OAIError as error:
        if error.code in ("badArgument", "badVerb"):  # the spec: then the request's arguments are not echoed
            request_el = _request_element(base_url, None, None)
        return _errors_response(base_url, now, [error], request_el)
    return HttpResponse(b"".join(_stream(base_url, ctx.now, request_el, None, children)), content_type="text/xml; charset=utf-8")

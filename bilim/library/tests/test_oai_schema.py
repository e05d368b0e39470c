"""A strict structural check of OAI-PMH 2.0 responses and of oai_dc records, written from the
protocol's XML schema (OAI-PMH.xsd) and the oai_dc schema: namespaces, elements and their order,
attributes and the lexical forms of datestamps, identifiers, setSpecs and tokens. Every provider
test runs its answers through ``assert_valid``.

The official XSDs cannot be downloaded here and are not vendored. When a directory holding
``OAI-PMH.xsd`` (and optionally ``oai_dc.xsd`` with ``simpledc20021212.xsd`` beside it) is named
by ``BILIM_OAI_XSD_DIR``, the answers are validated against them as well."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from lxml import etree

NS_OAI = "http://www.openarchives.org/OAI/2.0/"
NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"
NS_OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
NS_DC = "http://purl.org/dc/elements/1.1/"
NS_OAI_ID = "http://www.openarchives.org/OAI/2.0/oai-identifier"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
LOCATION = f"{{{NS_XSI}}}schemaLocation"

UTC_SECONDS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
UTC_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SPEC = r"[A-Za-z0-9\-_.!~*'()]+"
SET_SPEC = re.compile(rf"^{SPEC}(:{SPEC})*$")
PREFIX = re.compile(rf"^{SPEC}$")
IDENTIFIER = re.compile(r"^oai:[a-zA-Z][a-zA-Z0-9\-]*(\.[a-zA-Z][a-zA-Z0-9\-]*)+:[a-zA-Z0-9\-_.!~*'();/?:@&=+$,%]+$")
EMAIL = re.compile(r"^\S+@(\S+\.)+\S+$")
VERBS = {"Identify", "ListMetadataFormats", "ListSets", "GetRecord", "ListIdentifiers", "ListRecords"}
ERRORS = {"cannotDisseminateFormat", "idDoesNotExist", "badArgument", "badVerb", "noMetadataFormats", "noRecordsMatch",
          "badResumptionToken", "noSetHierarchy"}
REQUEST_ATTRIBUTES = {"verb", "identifier", "metadataPrefix", "from", "until", "set", "resumptionToken"}
DC_ELEMENTS = {"title", "creator", "subject", "description", "publisher", "contributor", "date", "type", "format", "identifier",
               "source", "language", "relation", "coverage", "rights"}


def o(name: str) -> str:
    return f"{{{NS_OAI}}}{name}"


class Invalid(AssertionError):
    pass


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise Invalid(message)


def _children(element) -> list:
    return [child for child in element if isinstance(child.tag, str)]


def _text_only(element, what: str) -> str:
    _check(not _children(element), f"{what} has child elements")
    return element.text or ""


def _sequence(element, spec: list[tuple[str, int, float]], what: str) -> dict[str, list]:
    """Check that the children of ``element`` follow ``spec`` = [(tag, min, max)] in order."""
    children = _children(element)
    found: dict[str, list] = {}
    index = 0
    for tag, low, high in spec:
        matched = []
        while index < len(children) and children[index].tag == tag and len(matched) < high:
            matched.append(children[index])
            index += 1
        _check(len(matched) >= low, f"{what}: expected at least {low} {tag}, found {len(matched)}")
        found[tag] = matched
    _check(index == len(children), f"{what}: unexpected element {children[index].tag if index < len(children) else ''}")
    return found


def _no_attributes(element, what: str, allowed: set[str] = frozenset()) -> None:
    extra = set(element.attrib) - set(allowed)
    _check(not extra, f"{what} has unexpected attributes {extra}")


def check_oai_dc(dc) -> None:
    _check(dc.tag == f"{{{NS_OAI_DC}}}dc", f"metadata holds {dc.tag}, not oai_dc:dc")
    _check(dc.get(LOCATION, "").split() == [NS_OAI_DC, "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"], "oai_dc:dc schemaLocation")
    _no_attributes(dc, "oai_dc:dc", {LOCATION})
    for child in _children(dc):
        qname = etree.QName(child)
        _check(qname.namespace == NS_DC and qname.localname in DC_ELEMENTS, f"oai_dc:dc holds {child.tag}")
        _no_attributes(child, child.tag, {XML_LANG})
        _text_only(child, child.tag)
        _check(bool((child.text or "").strip()), f"empty {child.tag}")


def check_header(header, what="header") -> bool:
    _no_attributes(header, what, {"status"})
    _check(header.get("status") in (None, "deleted"), f"{what} status {header.get('status')}")
    parts = _sequence(header, [(o("identifier"), 1, 1), (o("datestamp"), 1, 1), (o("setSpec"), 0, float("inf"))], what)
    _check(bool(IDENTIFIER.match(_text_only(parts[o("identifier")][0], "identifier"))), "identifier syntax")
    stamp = _text_only(parts[o("datestamp")][0], "datestamp")
    _check(bool(UTC_SECONDS.match(stamp) or UTC_DAY.match(stamp)), f"datestamp {stamp}")
    for spec in parts[o("setSpec")]:
        _check(bool(SET_SPEC.match(_text_only(spec, "setSpec"))), f"setSpec {spec.text}")
    return header.get("status") == "deleted"


def check_record(record) -> None:
    _no_attributes(record, "record")
    parts = _sequence(record, [(o("header"), 1, 1), (o("metadata"), 0, 1), (o("about"), 0, float("inf"))], "record")
    deleted = check_header(parts[o("header")][0])
    _check(deleted == (not parts[o("metadata")]), "a record has metadata exactly when it is not deleted")
    for metadata in parts[o("metadata")]:
        inner = _children(metadata)
        _check(len(inner) == 1, "metadata holds exactly one element")
        _check(etree.QName(inner[0]).namespace != NS_OAI, "metadata is in another namespace")
        if etree.QName(inner[0]).namespace == NS_OAI_DC:
            check_oai_dc(inner[0])


def check_token(token) -> None:
    _no_attributes(token, "resumptionToken", {"cursor", "completeListSize", "expirationDate"})
    _text_only(token, "resumptionToken")
    if "cursor" in token.attrib:
        _check(token.get("cursor").isdigit(), "cursor is a non-negative integer")
    if "completeListSize" in token.attrib:
        _check(token.get("completeListSize").isdigit() and int(token.get("completeListSize")) > 0, "completeListSize is positive")


def assert_valid(document: bytes) -> etree._Element:
    """Parse an answer and check it against the structure of OAI-PMH.xsd; return the root."""
    _check(document.startswith(b"<?xml version='1.0' encoding='utf-8'?>") or document.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
           or document.lower().startswith(b"<?xml version='1.0' encoding='utf-8'?>"), "XML declaration with UTF-8")
    root = etree.fromstring(document)
    _check(root.tag == o("OAI-PMH"), f"root is {root.tag}")
    _check(root.nsmap.get(None) == NS_OAI, "the OAI namespace is the default namespace")
    _check(root.get(LOCATION, "").split() == [NS_OAI, "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"], "OAI-PMH schemaLocation")
    children = _children(root)
    _check(len(children) >= 3, "responseDate, request and a body")
    _check(children[0].tag == o("responseDate") and bool(UTC_SECONDS.match(children[0].text or "")), "responseDate")
    request = children[1]
    _check(request.tag == o("request"), "request")
    _check(set(request.attrib) <= REQUEST_ATTRIBUTES, f"request attributes {set(request.attrib)}")
    _check((request.text or "").startswith(("http://", "https://")), "request holds the base URL")
    body = children[2:]
    if body[0].tag == o("error"):
        for error in body:
            _check(error.tag == o("error"), "only errors after an error")
            _check(error.get("code") in ERRORS, f"error code {error.get('code')}")
            _no_attributes(error, "error", {"code"})
            _check(bool((_text_only(error, "error") or "").strip()), "an error explains itself")
        if any(error.get("code") in ("badVerb", "badArgument") for error in body):
            _check(not request.attrib, "request has no attributes after badVerb / badArgument")
        return root
    _check(len(body) == 1, "one verb element")
    verb = etree.QName(body[0]).localname
    _check(verb in VERBS and body[0].tag == o(verb), f"body {body[0].tag}")
    _check(request.get("verb") == verb, "the body matches the request's verb")
    element = body[0]
    _no_attributes(element, verb)
    infinity = float("inf")
    if verb == "Identify":
        parts = _sequence(element, [(o("repositoryName"), 1, 1), (o("baseURL"), 1, 1), (o("protocolVersion"), 1, 1), (o("adminEmail"), 1, infinity),
                                    (o("earliestDatestamp"), 1, 1), (o("deletedRecord"), 1, 1), (o("granularity"), 1, 1),
                                    (o("compression"), 0, infinity), (o("description"), 0, infinity)], "Identify")
        _check(parts[o("protocolVersion")][0].text == "2.0", "protocolVersion 2.0")
        for email in parts[o("adminEmail")]:
            _check(bool(EMAIL.match(email.text or "")), "adminEmail")
        _check(parts[o("deletedRecord")][0].text in ("no", "persistent", "transient"), "deletedRecord")
        _check(parts[o("granularity")][0].text in ("YYYY-MM-DD", "YYYY-MM-DDThh:mm:ssZ"), "granularity")
        granularity = parts[o("granularity")][0].text
        stamp = parts[o("earliestDatestamp")][0].text or ""
        _check(bool((UTC_SECONDS if granularity.endswith("Z") else UTC_DAY).match(stamp)), "earliestDatestamp at the granularity")
        for description in parts[o("description")]:
            inner = _children(description)
            _check(len(inner) == 1 and etree.QName(inner[0]).namespace != NS_OAI, "description holds one foreign element")
    elif verb == "ListMetadataFormats":
        parts = _sequence(element, [(o("metadataFormat"), 1, infinity)], verb)
        for fmt in parts[o("metadataFormat")]:
            inner = _sequence(fmt, [(o("metadataPrefix"), 1, 1), (o("schema"), 1, 1), (o("metadataNamespace"), 1, 1)], "metadataFormat")
            _check(bool(PREFIX.match(inner[o("metadataPrefix")][0].text or "")), "metadataPrefix")
    elif verb == "ListSets":
        parts = _sequence(element, [(o("set"), 1, infinity), (o("resumptionToken"), 0, 1)], verb)
        for item in parts[o("set")]:
            inner = _sequence(item, [(o("setSpec"), 1, 1), (o("setName"), 1, 1), (o("setDescription"), 0, infinity)], "set")
            _check(bool(SET_SPEC.match(inner[o("setSpec")][0].text or "")), "setSpec")
            for description in inner[o("setDescription")]:
                described = _children(description)
                _check(len(described) == 1, "setDescription holds one element")
                if described[0].tag == f"{{{NS_OAI_DC}}}dc":
                    check_oai_dc(described[0])
        for token in parts[o("resumptionToken")]:
            check_token(token)
    elif verb == "GetRecord":
        parts = _sequence(element, [(o("record"), 1, 1)], verb)
        check_record(parts[o("record")][0])
    elif verb == "ListIdentifiers":
        parts = _sequence(element, [(o("header"), 1, infinity), (o("resumptionToken"), 0, 1)], verb)
        for header in parts[o("header")]:
            check_header(header)
        for token in parts[o("resumptionToken")]:
            check_token(token)
    elif verb == "ListRecords":
        parts = _sequence(element, [(o("record"), 1, infinity), (o("resumptionToken"), 0, 1)], verb)
        for record in parts[o("record")]:
            check_record(record)
        for token in parts[o("resumptionToken")]:
            check_token(token)
    validate_with_xsd(root)
    return root


_SCHEMAS: dict[str, etree.XMLSchema | None] = {}


def _xsd(name: str) -> etree.XMLSchema | None:
    """The official schema ``name`` from ``BILIM_OAI_XSD_DIR``, or None. Without oai_dc.xsd the
    envelope's ``<any processContents="strict">`` is read as lax (the metadata are checked by
    ``check_oai_dc``); oai_dc.xsd's import of the simple DC schema is pointed at the local copy."""
    directory = Path(os.environ.get("BILIM_OAI_XSD_DIR", "") or "/nonexistent")
    if name not in _SCHEMAS:
        path = directory / name
        if not path.exists():
            _SCHEMAS[name] = None
        else:
            text = path.read_text(encoding="utf-8")
            if name == "OAI-PMH.xsd" and not (directory / "oai_dc.xsd").exists():
                text = text.replace('processContents="strict"', 'processContents="lax"')
            if name == "oai_dc.xsd":
                local = directory / "simpledc20021212.xsd"
                if not local.exists():
                    _SCHEMAS[name] = None
                    return None
                text = re.sub(r'schemaLocation="[^"]*simpledc20021212.xsd"', f'schemaLocation="{local.as_uri()}"', text)
            _SCHEMAS[name] = etree.XMLSchema(etree.fromstring(text.encode("utf-8"), base_url=path.as_uri()))
    return _SCHEMAS[name]


def validate_with_xsd(root) -> None:
    """Validate against the official schemas when they are at hand (see the module's docstring)."""
    schema = _xsd("OAI-PMH.xsd")
    if schema is None:
        return
    if not schema.validate(etree.ElementTree(root)):
        raise Invalid(str(schema.error_log))
    dc_schema = _xsd("oai_dc.xsd")
    if dc_schema is not None:
        for dc in root.iter(f"{{{NS_OAI_DC}}}dc"):
            if not dc_schema.validate(etree.ElementTree(etree.fromstring(etree.tostring(dc)))):
                raise Invalid(str(dc_schema.error_log))


# --- the checker itself is tested: it must refuse what the schema refuses ---------------------------

GOOD = (b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        b'xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">'
        b'<responseDate>2026-01-02T03:04:05Z</responseDate><request verb="ListIdentifiers" metadataPrefix="oai_dc">http://x.kz/oai</request>'
        b'<ListIdentifiers><header><identifier>oai:x.kz:1</identifier><datestamp>2026-01-01T00:00:00Z</datestamp>'
        b'<setSpec>type:article</setSpec></header><resumptionToken cursor="0" completeListSize="2">abc</resumptionToken>'
        b'</ListIdentifiers></OAI-PMH>')


def test_checker_accepts_a_valid_answer():
    assert assert_valid(GOOD).tag == o("OAI-PMH")


@pytest.mark.parametrize("old, new", [
    (b"<datestamp>2026-01-01T00:00:00Z</datestamp>", b"<datestamp>2026-01-01 00:00:00</datestamp>"),  # not UTC Z
    (b"<identifier>oai:x.kz:1</identifier><datestamp>2026-01-01T00:00:00Z</datestamp>",
     b"<datestamp>2026-01-01T00:00:00Z</datestamp><identifier>oai:x.kz:1</identifier>"),  # order
    (b"<setSpec>type:article</setSpec>", b"<setSpec>type article</setSpec>"),  # setSpec syntax
    (b'cursor="0"', b'cursor="-1"'),
    (b'completeListSize="2"', b'completeListSize="0"'),
    (b'xmlns="http://www.openarchives.org/OAI/2.0/"', b'xmlns="http://www.openarchives.org/OAI/1.1/"'),
    (b"<responseDate>2026-01-02T03:04:05Z</responseDate>", b""),
    (b'<request verb="ListIdentifiers"', b'<request verb="ListRecords"'),
    (b'<header>', b'<header status="gone">'),
    (b"oai:x.kz:1", b"x.kz/1"),
])
def test_checker_refuses_what_the_schema_refuses(old, new):
    assert old in GOOD
    with pytest.raises(Invalid):
        assert_valid(GOOD.replace(old, new))

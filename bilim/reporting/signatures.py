"""Electronic digital signatures on report submissions (requirement R4).

An organisation submits report data "signed by the head and/or with an electronic digital signature".
The server computes the canonical bytes of a submission; the client signs exactly those bytes with its
key (in Kazakhstan typically through NCALayer) and sends back a *detached* CMS / PKCS#7 ``SignedData``
structure (RFC 5652). :func:`verify_detached` checks that signature against the certification
authorities the operator trusts (loaded with :func:`load_trusted` from ``BILIM_TRUSTED_CA_DIR``) and
returns a :class:`SignatureInfo`: the facts about the signer that are stored next to the data.

Scope and decisions
-------------------
* **Algorithms.** RSA (PKCS#1 v1.5 and RSASSA-PSS) and ECDSA signer keys, with SHA-224/256/384/512.
  GOST R 34.10/34.11 (the Kazakh ``GOSTKNCA`` keys) is **out of scope**: the Python cryptography
  library has no GOST support, so such signatures fail with ``unsupported_algorithm`` — the signer has
  to use an RSA or ECDSA key. SHA-1 and MD5 are refused the same way, and so are RSA keys shorter than
  2048 bits anywhere in the chain.
* **Parsing** uses ``asn1crypto`` (cryptography 50 can *create* PKCS#7 signatures but cannot parse or
  verify ``SignedData``); every cryptographic operation uses ``cryptography``.
* **Path building is done here**, not with ``cryptography.x509.verification``: that verifier implements
  the Web PKI (TLS) profile — the client verifier demands the clientAuth extended key usage and rejects
  certificates carrying extensions it does not account for, such as a critical CertificatePolicies,
  which signing PKIs use — and it reports every failure as one ``VerificationError`` with free text,
  so "expired" could not be told from "untrusted". The path check here is: the issuer's subject equals
  the certificate's issuer (and the key identifiers agree when both are present), the certificate's
  signature verifies with the issuer's public key, each issuer is a CA (basicConstraints cA, keyCertSign
  if KeyUsage is present, pathLenConstraint honoured), and every certificate — trust anchor included —
  is within its validity period at the verification time. Intermediate certificates carried in the CMS
  are used to build the path. Revocation (CRL/OCSP), name constraints and certificate-policy processing
  are **not** checked.
* **Key usage of the signer.** The signer certificate must not be a CA, must carry the KeyUsage
  extension with digitalSignature or nonRepudiation, and — if it has an ExtendedKeyUsage extension —
  must allow document signing: any of :data:`DOCUMENT_SIGNING_EKUS` (emailProtection, the usual purpose
  of signing certificates and the one NCA puts on its SIGN certificates; RFC 9336 documentSigning;
  Microsoft and Adobe document signing; anyExtendedKeyUsage), or one of Kazakhstan NCA's holder-type
  OIDs (:data:`NCA_HOLDER_EKUS`: 1.2.398.3.3.4.1.1 individual, 1.2.398.3.3.4.1.2 and its sub-arcs
  legal entity and its roles) **unless** clientAuth is also present: NCA puts the holder-type OID on
  both of a person's certificates, and the one with clientAuth is the authentication (AUTH) key, which
  must not sign documents. codeSigning, serverAuth, clientAuth etc. alone are refused.
* **Time.** Validity is checked at ``at`` (default: now). The signingTime attribute is what the signer's
  computer claimed; it is reported, never trusted.
* Several SignerInfos (co-signatures) are all verified; the first signer's facts are returned, the
  others in :attr:`SignatureInfo.cosigners`.

Every failure raises :class:`SignatureError` with a stable ``code`` (see :data:`ERROR_MESSAGES`) and a
``message`` translated with gettext for the person who signed; ``detail`` says, in English, what exactly
failed, for logs.

The last section (:class:`TestPKI`, :func:`sign_detached`) makes throw-away CAs, signing certificates and
signatures for tests and demo data. It is never used to verify anything.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from asn1crypto import cms as asn1_cms
from asn1crypto import core as asn1_core
from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.utils.translation import gettext, gettext_noop

__all__ = [
    "DOCUMENT_SIGNING_EKUS",
    "ERROR_MESSAGES",
    "NCA_HOLDER_EKUS",
    "IssuedCertificate",
    "SignatureError",
    "SignatureInfo",
    "TestPKI",
    "generate_key",
    "load_trusted",
    "sign_detached",
    "verify_detached",
]

# --- errors ----------------------------------------------------------------------------------------

MALFORMED = "malformed"
CONTENT_MISMATCH = "content_mismatch"
BAD_SIGNATURE = "bad_signature"
UNTRUSTED = "untrusted"
EXPIRED = "expired"
NOT_YET_VALID = "not_yet_valid"
KEY_USAGE = "key_usage"
UNSUPPORTED_ALGORITHM = "unsupported_algorithm"

#: Error code -> English source of the user-facing message (translated with gettext when raised).
ERROR_MESSAGES: dict[str, str] = {
    MALFORMED: gettext_noop(
        "The electronic signature could not be read: it is not a CMS/PKCS#7 signature or it is damaged."
    ),
    CONTENT_MISMATCH: gettext_noop("The electronic signature does not match the submitted data."),
    BAD_SIGNATURE: gettext_noop("The electronic signature is damaged and cannot be verified."),
    UNTRUSTED: gettext_noop("The signer's certificate was not issued by a trusted certification authority."),
    EXPIRED: gettext_noop("The signer's certificate or a certificate of its issuer has expired."),
    NOT_YET_VALID: gettext_noop("The signer's certificate or a certificate of its issuer is not yet valid."),
    KEY_USAGE: gettext_noop("The signer's certificate may not be used to sign documents."),
    UNSUPPORTED_ALGORITHM: gettext_noop(
        "The electronic signature uses an unsupported algorithm. Sign with an RSA or ECDSA key."
    ),
}


class SignatureError(Exception):
    """A signature that cannot be accepted. ``code`` is stable (a key of :data:`ERROR_MESSAGES`),
    ``message`` is the translated sentence for the user, ``detail`` an English note for logs."""

    def __init__(self, code: str, message: str, detail: str = "") -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message
        self.detail = detail

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"SignatureError({self.code!r}, {self.message!r}, detail={self.detail!r})"


def _fail(code: str, detail: str = "") -> SignatureError:
    return SignatureError(code, gettext(ERROR_MESSAGES[code]), detail)


# --- policy constants ------------------------------------------------------------------------------

#: Extended key usages that allow signing documents.
DOCUMENT_SIGNING_EKUS: frozenset[x509.ObjectIdentifier] = frozenset({
    ExtendedKeyUsageOID.EMAIL_PROTECTION,                 # 1.3.6.1.5.5.7.3.4
    x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36"),          # id-kp-documentSigning (RFC 9336)
    x509.ObjectIdentifier("1.3.6.1.4.1.311.10.3.12"),     # Microsoft document signing
    x509.ObjectIdentifier("1.2.840.113583.1.1.5"),        # Adobe Authentic Documents Trust
    ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE,           # 2.5.29.37.0
})

#: Kazakhstan NCA holder types (individual; legal entity and its roles: 1.2.398.3.3.4.1.2.1 first head,
#: .2 signatory, .3 financial signatory, .4 HR, .5 employee). Accepted unless clientAuth is present too.
NCA_HOLDER_EKUS: frozenset[x509.ObjectIdentifier] = frozenset({
    x509.ObjectIdentifier("1.2.398.3.3.4.1.1"),
    x509.ObjectIdentifier("1.2.398.3.3.4.1.2"),
})
_NCA_LEGAL_ENTITY_ROLE_PREFIX = "1.2.398.3.3.4.1.2."

#: Hash algorithms accepted for the content digest and the signature (asn1crypto names).
_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha224": hashes.SHA224,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}
_WEAK_CERTIFICATE_HASHES = (hashes.MD5, hashes.SHA1)
MIN_RSA_BITS = 2048
MAX_CHAIN_LENGTH = 8           # certificates from the signer to the trust anchor, both included
MAX_SIGNATURE_BYTES = 1 << 20  # a CMS with a few certificates is a few kilobytes
_PEM_LABELS = {"PKCS7", "CMS"}

_IIN_BIN = re.compile(r"^(IIN|BIN)(\d{12})$")
# Names for the attributes NCA certificates carry that cryptography would print as dotted OIDs
# (RFC 4519 / OpenSSL spellings).
_RDN_NAMES = {
    NameOID.SERIAL_NUMBER: "serialNumber",
    NameOID.SURNAME: "SN",
    NameOID.GIVEN_NAME: "givenName",
    NameOID.EMAIL_ADDRESS: "emailAddress",
}


def _rfc4514(name: x509.Name) -> str:
    return name.rfc4514_string(_RDN_NAMES)


# --- the result ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SignatureInfo:
    """What is stored with the signed data: who signed, with which certificate, through which chain."""

    subject: str                      # RFC 4514, e.g. "OU=BIN…,O=…,C=KZ,serialNumber=IIN…,CN=…"
    common_name: str | None
    iin: str | None                   # 12 digits, from SERIALNUMBER "IIN…" (or OU)
    bin: str | None                   # 12 digits, from OU "BIN…" (or SERIALNUMBER)
    issuer: str                       # RFC 4514
    serial_number: str                # lower-case hex, no prefix
    not_before: datetime              # aware, UTC
    not_after: datetime
    signing_time: datetime | None     # claimed by the signer (signed attribute), not verified
    digest_algorithm: str             # "sha256", ...
    signature_algorithm: str          # "rsassa_pkcs1v15", "rsassa_pss" or "ecdsa"
    certificate_pem: str              # the signer's certificate
    chain: tuple[str, ...]            # subjects from the signer to the trust anchor, both included
    verified_at: datetime             # the time the validity periods were checked at
    cosigners: tuple[SignatureInfo, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (datetimes as ISO 8601)."""

        def when(value: datetime | None) -> str | None:
            return value.isoformat() if value is not None else None

        return {
            "subject": self.subject,
            "common_name": self.common_name,
            "iin": self.iin,
            "bin": self.bin,
            "issuer": self.issuer,
            "serial_number": self.serial_number,
            "not_before": when(self.not_before),
            "not_after": when(self.not_after),
            "signing_time": when(self.signing_time),
            "digest_algorithm": self.digest_algorithm,
            "signature_algorithm": self.signature_algorithm,
            "certificate_pem": self.certificate_pem,
            "chain": list(self.chain),
            "verified_at": when(self.verified_at),
            "cosigners": [c.as_dict() for c in self.cosigners],
        }


# --- trusted certificates --------------------------------------------------------------------------

_CERT_SUFFIXES = {".pem", ".crt", ".cer", ".der", ".p7b", ".p7c"}
PathLike = str | os.PathLike[str]


def load_trusted(paths: PathLike | Iterable[PathLike]) -> list[x509.Certificate]:
    """Certificates from PEM files (one or several certificates each), DER files, PKCS#7 bundles
    (.p7b/.p7c), or directories of such files (not recursive; files ending in .pem .crt .cer .der .p7b
    .p7c). Duplicates are dropped. A file that holds no readable certificate raises ``ValueError``
    naming it: a broken trust store is a configuration error, not something to skip quietly."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    files: list[Path] = []
    for entry in paths:
        path = Path(entry)
        if path.is_dir():
            files.extend(sorted(
                p for p in path.iterdir()
                if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in _CERT_SUFFIXES
            ))
        elif path.is_file():
            files.append(path)
        else:
            raise ValueError(f"trusted certificate path does not exist: {path}")
    seen: set[bytes] = set()
    result: list[x509.Certificate] = []
    for path in files:
        for cert in _read_certificates(path):
            der = cert.public_bytes(serialization.Encoding.DER)
            if der not in seen:
                seen.add(der)
                result.append(cert)
    return result


def _read_certificates(path: Path) -> list[x509.Certificate]:
    data = path.read_bytes()
    try:
        if b"-----BEGIN PKCS7-----" in data:
            certs = pkcs7.load_pem_pkcs7_certificates(data)
        elif b"-----BEGIN" in data:
            certs = x509.load_pem_x509_certificates(data)
        else:
            try:
                certs = [x509.load_der_x509_certificate(data)]
            except ValueError:
                certs = pkcs7.load_der_pkcs7_certificates(data)
    except ValueError as exc:
        raise ValueError(f"{path}: not a certificate file ({exc})") from exc
    if not certs:
        raise ValueError(f"{path}: no certificate found")
    return list(certs)


# --- verification ----------------------------------------------------------------------------------

def verify_detached(
    content: bytes,
    signature: bytes | str,
    *,
    trusted: Sequence[x509.Certificate],
    at: datetime | None = None,
) -> SignatureInfo:
    """Verify a detached CMS/PKCS#7 SignedData ``signature`` over ``content``.

    ``signature`` may be DER bytes, PEM text (``-----BEGIN PKCS7-----`` or ``-----BEGIN CMS-----``)
    or base64 text (bytes or str). ``trusted`` are the trust anchors (see :func:`load_trusted`);
    ``at`` is the time to check validity at (default now; a naive datetime is taken as UTC).
    Raises :class:`SignatureError`; returns the first signer's :class:`SignatureInfo`."""
    if at is None:
        at = datetime.now(UTC)
    elif at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    content = bytes(content)

    der = _decode_signature(signature)
    try:
        content_info = asn1_cms.ContentInfo.load(der, strict=True)
        if content_info["content_type"].native != "signed_data":
            raise _fail(MALFORMED, f"content type is {content_info['content_type'].native}, not signed_data")
        signed_data = content_info["content"]
        signer_infos = list(signed_data["signer_infos"])
        encap_type = signed_data["encap_content_info"]["content_type"].native
        certificates = _embedded_certificates(signed_data)
    except SignatureError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, OverflowError, AttributeError) as exc:
        raise _fail(MALFORMED, f"cannot parse CMS: {exc}") from exc
    if not signer_infos:
        raise _fail(MALFORMED, "SignedData has no SignerInfo")

    infos = [
        _verify_signer(content, signer_info, encap_type, certificates, list(trusted), at)
        for signer_info in signer_infos
    ]
    first = infos[0]
    if len(infos) > 1:
        first = replace(first, cosigners=tuple(infos[1:]))
    return first


def _decode_signature(signature: bytes | str) -> bytes:
    if isinstance(signature, str):
        try:
            data = signature.encode("ascii")
        except UnicodeEncodeError as exc:
            raise _fail(MALFORMED, "signature text is not ASCII") from exc
    elif isinstance(signature, (bytes, bytearray, memoryview)):
        data = bytes(signature)
    else:
        raise TypeError("signature must be bytes or str")
    if len(data) > MAX_SIGNATURE_BYTES:
        raise _fail(MALFORMED, f"signature is larger than {MAX_SIGNATURE_BYTES} bytes")
    stripped = data.strip()
    if not stripped:
        raise _fail(MALFORMED, "signature is empty")
    if stripped.startswith(b"-----BEGIN"):
        try:
            label, _headers, der = asn1_pem.unarmor(stripped)
        except (ValueError, TypeError, binascii.Error) as exc:
            raise _fail(MALFORMED, f"bad PEM: {exc}") from exc
        if label not in _PEM_LABELS:
            raise _fail(MALFORMED, f"PEM label {label!r} is not PKCS7 or CMS")
        return der
    if data[:1] == b"\x30":  # DER SEQUENCE; base64 text never starts with "0" for a CMS
        return data
    try:
        return base64.b64decode(b"".join(stripped.split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise _fail(MALFORMED, "signature is neither DER, PEM nor base64") from exc


@dataclass(frozen=True)
class _Cert:
    crypto: x509.Certificate
    asn1: asn1_x509.Certificate
    der: bytes


def _wrap(der: bytes) -> _Cert:
    return _Cert(x509.load_der_x509_certificate(der), asn1_x509.Certificate.load(der), der)


def _embedded_certificates(signed_data: asn1_cms.SignedData) -> list[_Cert]:
    result: list[_Cert] = []
    choices = signed_data["certificates"]
    if isinstance(choices, asn1_core.Void):
        return result
    for choice in choices:
        if choice.name == "certificate":
            result.append(_wrap(choice.chosen.dump()))
    return result


def _find_signer_certificate(sid: asn1_cms.SignerIdentifier, candidates: Iterable[_Cert]) -> _Cert | None:
    for cert in candidates:
        if sid.name == "issuer_and_serial_number":
            ias = sid.chosen
            if cert.asn1.serial_number == ias["serial_number"].native and cert.asn1.issuer == ias["issuer"]:
                return cert
        elif sid.name == "subject_key_identifier":
            if cert.asn1.key_identifier is not None and cert.asn1.key_identifier == sid.chosen.native:
                return cert
    return None


def _signed_attributes(signer_info: asn1_cms.SignerInfo) -> dict[str, list[Any]] | None:
    attrs = signer_info["signed_attrs"]
    if isinstance(attrs, asn1_core.Void):
        return None
    result: dict[str, list[Any]] = {}
    for attr in attrs:
        name = attr["type"].native
        if name in result:
            raise _fail(MALFORMED, f"signed attribute {name} appears twice")
        result[name] = list(attr["values"])
    return result


def _single(attrs: dict[str, list[Any]], name: str) -> Any:
    values = attrs.get(name)
    if values is None or len(values) != 1:
        raise _fail(MALFORMED, f"signed attribute {name} must be present with exactly one value")
    return values[0]


def _hash(name: str) -> hashes.HashAlgorithm:
    if name not in _HASHES:
        raise _fail(UNSUPPORTED_ALGORITHM, f"hash algorithm {name} is not supported")
    return _HASHES[name]()


def _verify_signer(
    content: bytes,
    signer_info: asn1_cms.SignerInfo,
    encap_type: str,
    embedded: list[_Cert],
    trusted: list[x509.Certificate],
    at: datetime,
) -> SignatureInfo:
    try:
        trusted_wrapped = [_wrap(c.public_bytes(serialization.Encoding.DER)) for c in trusted]
        signer = _find_signer_certificate(signer_info["sid"], [*embedded, *trusted_wrapped])
        digest_name = signer_info["digest_algorithm"]["algorithm"].native
        sig_alg = signer_info["signature_algorithm"]
        sig_alg_oid = sig_alg["algorithm"].native
        signature_value = signer_info["signature"].native
        attrs = _signed_attributes(signer_info)
        signed_attrs_der = None
        if attrs is not None:
            # The signature covers the DER of the attributes as a SET OF (tag 0x31), not the [0] field.
            signed_attrs_der = b"\x31" + signer_info["signed_attrs"].dump()[1:]
            content_type_attr = _single(attrs, "content_type").native
            message_digest = _single(attrs, "message_digest").native
            signing_time = None
            if "signing_time" in attrs:
                signing_time = _single(attrs, "signing_time").native
    except SignatureError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, OverflowError, AttributeError) as exc:
        raise _fail(MALFORMED, f"cannot parse SignerInfo: {exc}") from exc
    if signer is None:
        raise _fail(MALFORMED, "the signer's certificate is not in the signature")

    # Algorithms.
    digest = _hash(digest_name)
    try:
        family = sig_alg.signature_algo
    except ValueError as exc:
        raise _fail(UNSUPPORTED_ALGORITHM, f"signature algorithm {sig_alg_oid} is not supported") from exc
    try:
        public_key = signer.crypto.public_key()
    except (UnsupportedAlgorithm, ValueError) as exc:
        raise _fail(UNSUPPORTED_ALGORITHM, f"signer public key is not supported: {exc}") from exc
    scheme = _signature_scheme(family, sig_alg, digest_name, public_key)

    # Content and signature.
    if attrs is not None:
        if content_type_attr != encap_type:
            raise _fail(MALFORMED, "contentType attribute differs from the encapsulated content type")
        if _digest(digest, content) != message_digest:
            raise _fail(CONTENT_MISMATCH, "messageDigest differs from the hash of the content")
        signed_bytes = signed_attrs_der
    else:
        signing_time = None
        signed_bytes = content
    _check_signature_shape(public_key, signature_value)
    try:
        if isinstance(public_key, rsa.RSAPublicKey):
            pad, hash_alg = scheme
            public_key.verify(signature_value, signed_bytes, pad, hash_alg)
        else:
            (hash_alg,) = scheme
            public_key.verify(signature_value, signed_bytes, ec.ECDSA(hash_alg))
    except InvalidSignature as exc:
        raise _fail(CONTENT_MISMATCH, "signature value does not verify with the signer's public key") from exc

    # Certificates.
    intermediates = [c.crypto for c in embedded if c.der != signer.der]
    chain = _validate_path(signer.crypto, intermediates, trusted, at)
    _check_signer_usage(signer.crypto)

    if signing_time is not None and signing_time.tzinfo is None:
        signing_time = signing_time.replace(tzinfo=UTC)
    return _describe(signer.crypto, chain, digest_name, family, signing_time, at)


def _digest(algorithm: hashes.HashAlgorithm, data: bytes) -> bytes:
    h = hashes.Hash(algorithm)
    h.update(data)
    return h.finalize()


def _signature_scheme(family: str, sig_alg: Any, digest_name: str, public_key: Any) -> tuple[Any, ...]:
    """(padding, hash) for RSA, (hash,) for ECDSA; raises for anything else."""
    if family in ("rsassa_pkcs1v15", "rsassa_pss"):
        if not isinstance(public_key, rsa.RSAPublicKey):
            raise _fail(MALFORMED, f"{family} signature but the signer key is {type(public_key).__name__}")
        if public_key.key_size < MIN_RSA_BITS:
            raise _fail(UNSUPPORTED_ALGORITHM, f"RSA key of {public_key.key_size} bits")
        if family == "rsassa_pkcs1v15":
            return padding.PKCS1v15(), _hash(_named_hash(sig_alg, digest_name))
        params = sig_alg["parameters"]
        hash_alg = _hash(params["hash_algorithm"]["algorithm"].native)
        mgf = params["mask_gen_algorithm"]
        if mgf["algorithm"].native != "mgf1" or params["trailer_field"].native != "trailer_field_bc":
            raise _fail(UNSUPPORTED_ALGORITHM, "RSASSA-PSS with a mask generation other than MGF1")
        mgf_hash = _hash(mgf["parameters"]["algorithm"].native)
        salt = params["salt_length"].native
        return padding.PSS(mgf=padding.MGF1(mgf_hash), salt_length=salt), hash_alg
    if family == "ecdsa":
        if not isinstance(public_key, ec.EllipticCurvePublicKey):
            raise _fail(MALFORMED, f"ECDSA signature but the signer key is {type(public_key).__name__}")
        return (_hash(_named_hash(sig_alg, digest_name)),)
    raise _fail(UNSUPPORTED_ALGORITHM, f"signature algorithm {family} is not supported")


def _named_hash(sig_alg: Any, digest_name: str) -> str:
    """The hash a combined algorithm (sha256WithRSA, ecdsa-with-SHA384) names, else the digest
    algorithm (plain rsaEncryption / ecPublicKey)."""
    try:
        return sig_alg.hash_algo
    except ValueError:
        return digest_name


def _check_signature_shape(public_key: Any, signature_value: bytes) -> None:
    """A value that cannot be a signature by this key at all is damage, not a content mismatch."""
    if isinstance(public_key, rsa.RSAPublicKey):
        if len(signature_value) != (public_key.key_size + 7) // 8:
            raise _fail(BAD_SIGNATURE, "RSA signature length differs from the modulus length")
    else:
        try:
            r, s = decode_dss_signature(signature_value)
        except ValueError as exc:
            raise _fail(BAD_SIGNATURE, "ECDSA signature is not a DER SEQUENCE of two INTEGERs") from exc
        if r <= 0 or s <= 0:
            raise _fail(BAD_SIGNATURE, "ECDSA signature has a non-positive component")


# --- certificate path ------------------------------------------------------------------------------

def _fingerprint(cert: x509.Certificate) -> bytes:
    return cert.fingerprint(hashes.SHA256())


def _extension(cert: x509.Certificate, ext_type: type) -> Any:
    try:
        return cert.extensions.get_extension_for_class(ext_type).value
    except x509.ExtensionNotFound:
        return None


class _PathState:
    def __init__(self) -> None:
        self.unsupported: str | None = None


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate, below: int, state: _PathState) -> bool:
    """Whether ``issuer`` issued ``cert`` and may do so; ``below`` counts the CA certificates between
    ``cert``'s issuer and the signer (for pathLenConstraint)."""
    if cert.issuer != issuer.subject:
        return False
    aki = _extension(cert, x509.AuthorityKeyIdentifier)
    ski = _extension(issuer, x509.SubjectKeyIdentifier)
    if aki is not None and aki.key_identifier is not None and ski is not None:
        if aki.key_identifier != ski.digest:
            return False
    constraints = _extension(issuer, x509.BasicConstraints)
    if constraints is None or not constraints.ca:
        return False
    if constraints.path_length is not None and below > constraints.path_length:
        return False
    usage = _extension(issuer, x509.KeyUsage)
    if usage is not None and not usage.key_cert_sign:
        return False
    try:
        weak = isinstance(cert.signature_hash_algorithm, _WEAK_CERTIFICATE_HASHES)
    except UnsupportedAlgorithm:
        weak = False  # verify_directly_issued_by below says what it cannot handle
    if weak:
        state.unsupported = f"certificate {_rfc4514(cert.subject)} is signed with a weak hash"
        return False
    try:
        cert.verify_directly_issued_by(issuer)
    except InvalidSignature:
        return False
    except (UnsupportedAlgorithm, TypeError) as exc:
        state.unsupported = f"cannot verify {_rfc4514(cert.subject)}: {exc}"
        return False
    except ValueError as exc:
        # cryptography says "Unsupported signature algorithm" for e.g. GOST; other ValueErrors (the
        # algorithm does not fit the issuer's key type) mean this candidate did not issue the certificate.
        if "unsupported" in str(exc).lower():
            state.unsupported = f"cannot verify {_rfc4514(cert.subject)}: {exc}"
        return False
    return True


def _candidate_paths(
    signer: x509.Certificate, intermediates: list[x509.Certificate], trusted: list[x509.Certificate],
    state: _PathState,
) -> list[list[x509.Certificate]]:
    anchors = {_fingerprint(c) for c in trusted}
    pool: list[x509.Certificate] = []
    seen: set[bytes] = set()
    for cert in [*trusted, *intermediates]:  # anchors first: shortest paths come out first
        fp = _fingerprint(cert)
        if fp not in seen:
            seen.add(fp)
            pool.append(cert)
    paths: list[list[x509.Certificate]] = []

    def extend(path: list[x509.Certificate], fps: set[bytes]) -> None:
        if len(paths) >= 16:
            return
        current = path[-1]
        if _fingerprint(current) in anchors:
            paths.append(path)
            return
        if len(path) >= MAX_CHAIN_LENGTH:
            return
        for candidate in pool:
            fp = _fingerprint(candidate)
            if fp in fps:
                continue
            if _issued_by(current, candidate, len(path) - 1, state):
                extend([*path, candidate], fps | {fp})

    extend([signer], {_fingerprint(signer)})
    return paths


def _validity_problem(path: list[x509.Certificate], at: datetime) -> SignatureError | None:
    for cert in path:
        if at < cert.not_valid_before_utc:
            return _fail(NOT_YET_VALID, f"{_rfc4514(cert.subject)} is valid from {cert.not_valid_before_utc}")
        if at > cert.not_valid_after_utc:
            return _fail(EXPIRED, f"{_rfc4514(cert.subject)} expired on {cert.not_valid_after_utc}")
    return None


def _key_problem(path: list[x509.Certificate]) -> SignatureError | None:
    for cert in path:
        try:
            key = cert.public_key()
        except (UnsupportedAlgorithm, ValueError) as exc:
            return _fail(UNSUPPORTED_ALGORITHM, f"{_rfc4514(cert.subject)}: {exc}")
        if isinstance(key, rsa.RSAPublicKey) and key.key_size < MIN_RSA_BITS:
            return _fail(UNSUPPORTED_ALGORITHM, f"{_rfc4514(cert.subject)}: RSA key of {key.key_size} bits")
    return None


def _validate_path(
    signer: x509.Certificate, intermediates: list[x509.Certificate], trusted: list[x509.Certificate],
    at: datetime,
) -> list[x509.Certificate]:
    state = _PathState()
    paths = _candidate_paths(signer, intermediates, trusted, state)
    if not paths:
        if state.unsupported:
            raise _fail(UNSUPPORTED_ALGORITHM, state.unsupported)
        raise _fail(UNTRUSTED, f"no path from {_rfc4514(signer.subject)} to a trusted certificate")
    first_problem = None
    for path in paths:
        problem = _validity_problem(path, at) or _key_problem(path)
        if problem is None:
            return path
        first_problem = first_problem or problem
    raise first_problem


def _check_signer_usage(cert: x509.Certificate) -> None:
    subject = _rfc4514(cert.subject)
    constraints = _extension(cert, x509.BasicConstraints)
    if constraints is not None and constraints.ca:
        raise _fail(KEY_USAGE, f"{subject} is a CA certificate")
    usage = _extension(cert, x509.KeyUsage)
    if usage is None:
        raise _fail(KEY_USAGE, f"{subject} has no KeyUsage extension")
    if not (usage.digital_signature or usage.content_commitment):
        raise _fail(KEY_USAGE, f"{subject} allows neither digitalSignature nor nonRepudiation")
    ekus = _extension(cert, x509.ExtendedKeyUsage)
    if ekus is not None and not _allows_document_signing(set(ekus)):
        names = ", ".join(oid.dotted_string for oid in ekus)
        raise _fail(KEY_USAGE, f"{subject} extended key usage ({names}) does not allow document signing")


def _allows_document_signing(ekus: set[x509.ObjectIdentifier]) -> bool:
    if ekus & DOCUMENT_SIGNING_EKUS:
        return True
    nca_holder = any(
        oid in NCA_HOLDER_EKUS or oid.dotted_string.startswith(_NCA_LEGAL_ENTITY_ROLE_PREFIX) for oid in ekus
    )
    return nca_holder and ExtendedKeyUsageOID.CLIENT_AUTH not in ekus


# --- description -----------------------------------------------------------------------------------

def _attribute_values(name: x509.Name, oid: x509.ObjectIdentifier) -> list[str]:
    return [str(attr.value) for attr in name.get_attributes_for_oid(oid)]


def _identifiers(name: x509.Name) -> tuple[str | None, str | None]:
    found: dict[str, str] = {}
    # SERIALNUMBER first: that is where NCA puts the IIN, OU is where it puts the BIN.
    for oid in (NameOID.SERIAL_NUMBER, NameOID.ORGANIZATIONAL_UNIT_NAME):
        for value in _attribute_values(name, oid):
            match = _IIN_BIN.match(value.strip().upper())
            if match:
                found.setdefault(match.group(1), match.group(2))
    return found.get("IIN"), found.get("BIN")


def _describe(
    cert: x509.Certificate, chain: list[x509.Certificate], digest_name: str, family: str,
    signing_time: datetime | None, at: datetime,
) -> SignatureInfo:
    common_names = _attribute_values(cert.subject, NameOID.COMMON_NAME)
    iin, bin_ = _identifiers(cert.subject)
    return SignatureInfo(
        subject=_rfc4514(cert.subject),
        common_name=common_names[0] if common_names else None,
        iin=iin,
        bin=bin_,
        issuer=_rfc4514(cert.issuer),
        serial_number=format(cert.serial_number, "x"),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        signing_time=signing_time,
        digest_algorithm=digest_name,
        signature_algorithm=family,
        certificate_pem=cert.public_bytes(serialization.Encoding.PEM).decode("ascii"),
        chain=tuple(_rfc4514(c.subject) for c in chain),
        verified_at=at,
    )


# ===================================================================================================
# Test and demo PKI: throw-away certification authorities, signing certificates and signatures.
# Keys live in memory (or in demo fixtures); never use this for real certificates.
# ===================================================================================================

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

#: KeyUsage flags of a document-signing certificate (NCA's SIGN certificates have exactly these).
SIGNER_KEY_USAGE = frozenset({"digital_signature", "content_commitment"})
#: ExtendedKeyUsage of a test signing certificate: emailProtection + NCA "individual".
SIGNER_EXTENDED_KEY_USAGE = (ExtendedKeyUsageOID.EMAIL_PROTECTION, x509.ObjectIdentifier("1.2.398.3.3.4.1.1"))
_KEY_USAGE_FLAGS = (
    "digital_signature", "content_commitment", "key_encipherment", "data_encipherment",
    "key_agreement", "key_cert_sign", "crl_sign", "encipher_only", "decipher_only",
)


def generate_key(key_type: str = "ec") -> PrivateKey:
    """A new private key: ``"ec"`` (P-256, fast) or ``"rsa"`` (2048 bits)."""
    if key_type == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    if key_type == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    raise ValueError(f"unknown key type {key_type!r}: use 'ec' or 'rsa'")


@dataclass(frozen=True)
class IssuedCertificate:
    certificate: x509.Certificate
    key: PrivateKey

    @property
    def certificate_pem(self) -> str:
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")

    @property
    def key_pem(self) -> str:
        """Unencrypted PKCS#8 — demo and test keys only."""
        return self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode("ascii")


def _key_usage(flags: Iterable[str]) -> x509.KeyUsage:
    flags = set(flags)
    unknown = flags - set(_KEY_USAGE_FLAGS)
    if unknown:
        raise ValueError(f"unknown key usage flags: {sorted(unknown)}")
    return x509.KeyUsage(**{name: name in flags for name in _KEY_USAGE_FLAGS})


class TestPKI:
    """A root CA and an intermediate CA, and whatever signing certificates a test or demo needs.

    >>> pki = TestPKI()
    >>> person = pki.issue_signer("ИВАНОВ ИВАН", iin="123456789012", bin_="987654321098")
    >>> cms = sign_detached(b"data", key=person.key, certificate=person.certificate,
    ...                     extra_certificates=pki.intermediates)
    >>> verify_detached(b"data", cms, trusted=pki.trusted).iin
    '123456789012'

    ``key_type`` ("ec" or "rsa") is used for every key this PKI generates unless a call passes
    ``key=`` or ``key_type=``. ``now`` fixes the reference time (default: the current time)."""

    __test__ = False  # not a pytest test class despite the name

    def __init__(self, name: str = "Bilim Test", *, key_type: str = "ec", now: datetime | None = None,
                 root_key: PrivateKey | None = None, intermediate_key: PrivateKey | None = None) -> None:
        self.name = name
        self.key_type = key_type
        self.now = now or datetime.now(UTC)
        self.root = self.issue_ca(f"{name} Root CA", key=root_key,
                                  not_after=self.now + timedelta(days=3650))
        self.intermediate = self.issue_ca(f"{name} Intermediate CA", issuer=self.root, key=intermediate_key,
                                          path_length=0, not_after=self.now + timedelta(days=1825))

    @property
    def trusted(self) -> list[x509.Certificate]:
        """What the operator would trust: the root."""
        return [self.root.certificate]

    @property
    def intermediates(self) -> list[x509.Certificate]:
        """What a signer sends along with its certificate."""
        return [self.intermediate.certificate]

    def _name(self, common_name: str, *, organization: str | None = None, iin: str | None = None,
              bin_: str | None = None) -> x509.Name:
        attrs = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
        if iin:
            attrs.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, f"IIN{iin}"))
        attrs.append(x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"))
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization or self.name))
        if bin_:
            attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, f"BIN{bin_}"))
        return x509.Name(attrs)

    def _build(self, subject: x509.Name, key: PrivateKey, issuer: IssuedCertificate | None,
               not_before: datetime | None, not_after: datetime | None,
               extensions: list[tuple[x509.ExtensionType, bool]]) -> IssuedCertificate:
        issuer_name = issuer.certificate.subject if issuer else subject
        signing_key = issuer.key if issuer else key
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before or self.now - timedelta(days=1))
            .not_valid_after(not_after or self.now + timedelta(days=365))
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(signing_key.public_key()), critical=False
            )
        )
        for extension, critical in extensions:
            builder = builder.add_extension(extension, critical=critical)
        return IssuedCertificate(builder.sign(signing_key, hashes.SHA256()), key)

    def issue_ca(self, common_name: str, *, issuer: IssuedCertificate | None = None,
                 key: PrivateKey | None = None, key_type: str | None = None,
                 not_before: datetime | None = None, not_after: datetime | None = None,
                 path_length: int | None = None) -> IssuedCertificate:
        """A CA certificate: self-signed when ``issuer`` is None."""
        key = key or generate_key(key_type or self.key_type)
        return self._build(self._name(common_name), key, issuer, not_before, not_after, [
            (x509.BasicConstraints(ca=True, path_length=path_length), True),
            (_key_usage({"key_cert_sign", "crl_sign", "digital_signature"}), True),
        ])

    def issue_signer(self, common_name: str = "Test Signer", *, issuer: IssuedCertificate | None = None,
                     key: PrivateKey | None = None, key_type: str | None = None,
                     iin: str | None = None, bin_: str | None = None, organization: str | None = None,
                     not_before: datetime | None = None, not_after: datetime | None = None,
                     key_usage: Iterable[str] | None = SIGNER_KEY_USAGE,
                     extended_key_usage: Iterable[x509.ObjectIdentifier] | None = SIGNER_EXTENDED_KEY_USAGE,
                     ) -> IssuedCertificate:
        """An end-entity signing certificate issued by the intermediate CA (or ``issuer``).
        ``key_usage`` are cryptography's KeyUsage flag names (None: no KeyUsage extension);
        ``extended_key_usage`` OIDs (None: no ExtendedKeyUsage extension). Validity defaults to
        one day before ``now`` until a year after it."""
        key = key or generate_key(key_type or self.key_type)
        extensions: list[tuple[x509.ExtensionType, bool]] = [
            (x509.BasicConstraints(ca=False, path_length=None), True),
        ]
        if key_usage is not None:
            extensions.append((_key_usage(key_usage), True))
        if extended_key_usage is not None:
            extensions.append((x509.ExtendedKeyUsage(list(extended_key_usage)), False))
        subject = self._name(common_name, organization=organization, iin=iin, bin_=bin_)
        return self._build(subject, key, issuer or self.intermediate, not_before, not_after, extensions)


def sign_detached(
    content: bytes,
    *,
    key: PrivateKey,
    certificate: x509.Certificate,
    extra_certificates: Iterable[x509.Certificate] = (),
    hash_algorithm: hashes.HashAlgorithm | None = None,
    rsa_padding: padding.PSS | padding.PKCS1v15 | None = None,
) -> bytes:
    """A detached CMS SignedData (DER) over ``content`` with signed attributes (contentType,
    signingTime, messageDigest), the signer's certificate and ``extra_certificates`` — what NCALayer
    returns for a detached CMS signature. The content is signed byte for byte (no MIME
    canonicalisation)."""
    builder = (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(bytes(content))
        .add_signer(certificate, key, hash_algorithm or hashes.SHA256(), rsa_padding=rsa_padding)
    )
    for extra in extra_certificates:  # after add_signer: the builder drops earlier extra certificates
        builder = builder.add_certificate(extra)
    return builder.sign(
        serialization.Encoding.DER,
        [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary, pkcs7.PKCS7Options.NoCapabilities],
    )


def to_der(signature: bytes | str) -> bytes:
    """The DER bytes of a signature given as DER, PEM or base64 (what is stored with the data)."""
    return _decode_signature(signature)

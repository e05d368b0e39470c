"""Detached CMS signatures on report submissions (R4): what verifies, what is refused and why, and what
is kept with the data. No database: certificates and keys are made in memory by ``TestPKI``."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from asn1crypto import algos as asn1_algos
from asn1crypto import cms as asn1_cms
from asn1crypto import core as asn1_core
from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import ExtendedKeyUsageOID
from django.utils import translation
from django.utils.translation import gettext

from bilim.reporting.signatures import (
    ERROR_MESSAGES,
    SignatureError,
    SignatureInfo,
    TestPKI,
    generate_key,
    load_trusted,
    sign_detached,
    verify_detached,
)

CONTENT = "Форма 1-ОШ\nr01c3=120\r\nr02c3=7\n".encode()

# The English source of each message, written out here so that a changed text is a deliberate change.
ENGLISH = {
    "malformed": "The electronic signature could not be read: it is not a CMS/PKCS#7 signature or it is damaged.",
    "content_mismatch": "The electronic signature does not match the submitted data.",
    "bad_signature": "The electronic signature is damaged and cannot be verified.",
    "untrusted": "The signer's certificate was not issued by a trusted certification authority.",
    "expired": "The signer's certificate or a certificate of its issuer has expired.",
    "not_yet_valid": "The signer's certificate or a certificate of its issuer is not yet valid.",
    "key_usage": "The signer's certificate may not be used to sign documents.",
    "unsupported_algorithm": "The electronic signature uses an unsupported algorithm. Sign with an RSA or ECDSA key.",
}

NCA_INDIVIDUAL = x509.ObjectIdentifier("1.2.398.3.3.4.1.1")
NCA_FIRST_HEAD = x509.ObjectIdentifier("1.2.398.3.3.4.1.2.1")


def assert_refused(code: str, content: bytes, signature, **kwargs) -> SignatureError:
    with pytest.raises(SignatureError) as caught:
        verify_detached(content, signature, **kwargs)
    error = caught.value
    assert error.code == code, error.detail
    assert error.message == gettext(ENGLISH[code])
    assert str(error) == error.message
    return error


# --- fixtures: keys are generated once per module ----------------------------------------------------

@pytest.fixture(scope="module")
def ec_pki() -> TestPKI:
    return TestPKI("Bilim EC Test", key_type="ec")


@pytest.fixture(scope="module")
def rsa_pki() -> TestPKI:
    return TestPKI("Bilim RSA Test", key_type="rsa")


@pytest.fixture(scope="module", params=["ec", "rsa"])
def pki(request, ec_pki, rsa_pki) -> TestPKI:
    return ec_pki if request.param == "ec" else rsa_pki


@pytest.fixture(scope="module")
def person(pki):
    return pki.issue_signer("ИВАНОВ ИВАН", iin="850101300123", bin_="010140001234", organization="Мектеп №1")


@pytest.fixture(scope="module")
def signed(pki, person) -> bytes:
    return sign_detached(CONTENT, key=person.key, certificate=person.certificate,
                         extra_certificates=pki.intermediates)


def sign(pki, issued, content=CONTENT, extra=None, **kwargs) -> bytes:
    return sign_detached(content, key=issued.key, certificate=issued.certificate,
                         extra_certificates=pki.intermediates if extra is None else extra, **kwargs)


def signer_info(der: bytes) -> asn1_cms.SignerInfo:
    return asn1_cms.ContentInfo.load(der)["content"]["signer_infos"][0]


def rebuild(der: bytes, change) -> bytes:
    """The CMS with its first SignerInfo changed by ``change`` and everything re-encoded."""
    content_info = asn1_cms.ContentInfo.load(der)
    change(content_info["content"]["signer_infos"][0])
    return content_info.dump(force=True)


# --- a valid signature ---------------------------------------------------------------------------------

def test_valid_signature_returns_what_is_stored(pki, person, signed):
    before = datetime.now(UTC)
    info = verify_detached(CONTENT, signed, trusted=pki.trusted)
    cert = person.certificate
    assert isinstance(info, SignatureInfo)
    assert info.common_name == "ИВАНОВ ИВАН"
    assert info.iin == "850101300123" and info.bin == "010140001234"
    assert info.subject == "OU=BIN010140001234,O=Мектеп №1,C=KZ,serialNumber=IIN850101300123,CN=ИВАНОВ ИВАН"
    assert info.issuer == f"O={pki.name},C=KZ,CN={pki.name} Intermediate CA"
    assert info.serial_number == format(cert.serial_number, "x")
    assert info.not_before == cert.not_valid_before_utc and info.not_after == cert.not_valid_after_utc
    assert info.signing_time is not None and info.signing_time.tzinfo is not None
    assert abs(info.signing_time - before) < timedelta(minutes=5)
    assert info.digest_algorithm == "sha256"
    assert info.signature_algorithm == ("ecdsa" if pki.key_type == "ec" else "rsassa_pkcs1v15")
    assert x509.load_pem_x509_certificate(info.certificate_pem.encode()) == cert
    assert info.chain == (
        info.subject,
        f"O={pki.name},C=KZ,CN={pki.name} Intermediate CA",
        f"O={pki.name},C=KZ,CN={pki.name} Root CA",
    )
    assert info.verified_at >= before and info.cosigners == ()


def test_as_dict_is_json(pki, signed):
    info = verify_detached(CONTENT, signed, trusted=pki.trusted)
    data = json.loads(json.dumps(info.as_dict()))
    assert data["iin"] == "850101300123" and len(data["chain"]) == 3
    assert datetime.fromisoformat(data["not_after"]) == info.not_after


def test_content_is_signed_byte_for_byte(pki, person):
    """No MIME canonicalisation: LF and CRLF stay what they are, binary bytes too."""
    content = b"a\nb\r\nc\x00\xff"
    der = sign(pki, person, content)
    assert verify_detached(content, der, trusted=pki.trusted).iin == "850101300123"
    assert_refused("content_mismatch", content.replace(b"\r\n", b"\n"), der, trusted=pki.trusted)


def test_intermediate_as_trust_anchor(pki, signed):
    info = verify_detached(CONTENT, signed, trusted=pki.intermediates)
    assert len(info.chain) == 2


def test_rsa_pss_and_sha384(rsa_pki):
    signer = rsa_pki.issue_signer("PSS", key=rsa_pki.intermediate.key)  # reuse a key: RSA keys are slow
    der = sign(rsa_pki, signer, hash_algorithm=hashes.SHA384(),
               rsa_padding=padding.PSS(mgf=padding.MGF1(hashes.SHA384()), salt_length=48))
    info = verify_detached(CONTENT, der, trusted=rsa_pki.trusted)
    assert (info.signature_algorithm, info.digest_algorithm) == ("rsassa_pss", "sha384")


def test_without_signed_attributes(pki, person):
    der = sign_detached_without_attributes(pki, person)
    info = verify_detached(CONTENT, der, trusted=pki.trusted)
    assert info.signing_time is None
    assert_refused("content_mismatch", CONTENT + b" ", der, trusted=pki.trusted)


def sign_detached_without_attributes(pki, person) -> bytes:
    builder = pkcs7.PKCS7SignatureBuilder().set_data(CONTENT).add_signer(
        person.certificate, person.key, hashes.SHA256())
    for cert in pki.intermediates:
        builder = builder.add_certificate(cert)
    return builder.sign(serialization.Encoding.DER, [
        pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary, pkcs7.PKCS7Options.NoAttributes])


def test_cosigners_are_all_verified(ec_pki):
    head = ec_pki.issue_signer("HEAD", iin="700101300111")
    accountant = ec_pki.issue_signer("ACCOUNTANT", iin="800101400222")
    builder = (pkcs7.PKCS7SignatureBuilder().set_data(CONTENT)
               .add_signer(head.certificate, head.key, hashes.SHA256())
               .add_signer(accountant.certificate, accountant.key, hashes.SHA256())
               .add_certificate(ec_pki.intermediate.certificate))
    der = builder.sign(serialization.Encoding.DER,
                       [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary])
    info = verify_detached(CONTENT, der, trusted=ec_pki.trusted)
    assert {info.iin, info.cosigners[0].iin} == {"700101300111", "800101400222"}
    assert_refused("content_mismatch", b"other", der, trusted=ec_pki.trusted)

    expired = ec_pki.issue_signer("EXPIRED", not_before=ec_pki.now - timedelta(days=30),
                                  not_after=ec_pki.now - timedelta(days=1))
    builder = builder.add_signer(expired.certificate, expired.key, hashes.SHA256()).add_certificate(
        ec_pki.intermediate.certificate)
    der = builder.sign(serialization.Encoding.DER,
                       [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary])
    assert_refused("expired", CONTENT, der, trusted=ec_pki.trusted)


# --- input forms ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("form", ["der", "pem-pkcs7", "pem-cms", "pem-str", "base64-str", "base64-bytes",
                                  "base64-wrapped", "bytearray"])
def test_accepted_input_forms(pki, signed, form):
    b64 = base64.b64encode(signed).decode()
    signature = {
        "der": signed,
        "pem-pkcs7": asn1_pem.armor("PKCS7", signed),
        "pem-cms": asn1_pem.armor("CMS", signed),
        "pem-str": "\n" + asn1_pem.armor("PKCS7", signed).decode() + "\n",
        "base64-str": b64,
        "base64-bytes": b64.encode(),
        "base64-wrapped": "\r\n".join(b64[i:i + 64] for i in range(0, len(b64), 64)) + "\r\n",
        "bytearray": bytearray(signed),
    }[form]
    assert verify_detached(CONTENT, signature, trusted=pki.trusted).iin == "850101300123"


@pytest.mark.parametrize("signature", [
    b"", "", "   \n", b"garbage", "not base64 at all!", "QUJD", b"\x30\x03\x02\x01",
    "-----BEGIN PKCS7-----\n!!!\n-----END PKCS7-----\n", "подпись",
], ids=["empty-bytes", "empty-str", "blank", "garbage", "not-base64", "base64-of-garbage", "truncated-der",
        "bad-pem", "non-ascii"])
def test_garbage_is_malformed(pki, signature):
    assert_refused("malformed", CONTENT, signature, trusted=pki.trusted)


def test_other_structures_are_malformed(pki, person, signed):
    # a certificate, PEM of another kind, a certificates-only PKCS#7, trailing bytes, a cut signature
    cert_der = person.certificate.public_bytes(serialization.Encoding.DER)
    assert_refused("malformed", CONTENT, cert_der, trusted=pki.trusted)
    assert_refused("malformed", CONTENT, person.certificate_pem, trusted=pki.trusted)
    certs_only = pkcs7.serialize_certificates([person.certificate], serialization.Encoding.DER)
    assert_refused("malformed", CONTENT, certs_only, trusted=pki.trusted)
    assert_refused("malformed", CONTENT, signed + b"\x00", trusted=pki.trusted)
    assert_refused("malformed", CONTENT, signed[:-20], trusted=pki.trusted)


def test_signature_without_the_signers_certificate_is_malformed(pki, person):
    der = pkcs7.PKCS7SignatureBuilder().set_data(CONTENT).add_signer(
        person.certificate, person.key, hashes.SHA256()).sign(serialization.Encoding.DER, [
            pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary, pkcs7.PKCS7Options.NoCerts])
    assert_refused("malformed", CONTENT, der, trusted=pki.trusted)


# --- content mismatch and damage -----------------------------------------------------------------------

def test_tampered_content(pki, signed):
    assert_refused("content_mismatch", CONTENT.replace(b"120", b"121"), signed, trusted=pki.trusted)
    assert_refused("content_mismatch", b"", signed, trusted=pki.trusted)


def test_tampered_signature_byte(pki, signed):
    value = signer_info(signed)["signature"].native
    at = signed.rindex(value) + len(value) - 1
    tampered = signed[:at] + bytes([signed[at] ^ 0x01]) + signed[at + 1:]
    assert_refused("content_mismatch", CONTENT, tampered, trusted=pki.trusted)


def test_tampered_signed_attribute(pki, signed):
    """The signing time is under the signature: changing it breaks the signature."""
    attrs = signer_info(signed)["signed_attrs"]
    time_der = next(a for a in attrs if a["type"].native == "signing_time")["values"][0].dump()
    at = signed.index(time_der) + 3  # a digit of the year
    tampered = signed[:at] + bytes([signed[at] ^ 0x01]) + signed[at + 1:]
    assert_refused("content_mismatch", CONTENT, tampered, trusted=pki.trusted)


def test_signature_by_another_key_with_the_same_certificate(pki, person):
    impostor = generate_key(pki.key_type) if pki.key_type == "ec" else pki.root.key
    der = sign_detached(CONTENT, key=impostor, certificate=person.certificate,
                        extra_certificates=pki.intermediates)
    assert_refused("content_mismatch", CONTENT, der, trusted=pki.trusted)


def test_damaged_signature_value(pki, signed):
    def cut(info):
        info["signature"] = asn1_core.OctetString(info["signature"].native[:-1])

    assert_refused("bad_signature", CONTENT, rebuild(signed, cut), trusted=pki.trusted)


def test_damaged_ecdsa_value_that_is_not_der(ec_pki):
    signer = ec_pki.issue_signer()
    der = sign(ec_pki, signer)
    value = signer_info(der)["signature"].native
    damaged = der.replace(value, b"\xff" * len(value))
    assert_refused("bad_signature", CONTENT, damaged, trusted=ec_pki.trusted)


# --- trust -----------------------------------------------------------------------------------------------

def test_unknown_ca_is_untrusted(pki, ec_pki, signed):
    stranger = TestPKI("Stranger", key_type="ec")
    outsider = stranger.issue_signer("OUTSIDER")
    der = sign(stranger, outsider)
    assert_refused("untrusted", CONTENT, der, trusted=pki.trusted)
    assert_refused("untrusted", CONTENT, signed, trusted=stranger.trusted)
    assert_refused("untrusted", CONTENT, signed, trusted=[])


def test_missing_intermediate_is_untrusted(pki, person):
    der = sign(pki, person, extra=[])
    assert_refused("untrusted", CONTENT, der, trusted=pki.trusted)


def test_look_alike_ca_is_untrusted(ec_pki):
    """Same names as the real CAs, other keys: the names match, the signatures do not."""
    fake = TestPKI("Bilim EC Test", key_type="ec")
    der = sign(fake, fake.issue_signer("FAKE"))
    assert_refused("untrusted", CONTENT, der, trusted=ec_pki.trusted)
    der = sign(fake, fake.issue_signer("FAKE"), extra=ec_pki.intermediates)  # carrying the real intermediate
    assert_refused("untrusted", CONTENT, der, trusted=ec_pki.trusted)


def test_intermediate_that_is_not_a_ca_is_untrusted(ec_pki):
    # An end-entity certificate cannot issue certificates, whatever it signs.
    not_a_ca = ec_pki.issue_signer("NOT A CA", key_usage={"digital_signature", "key_cert_sign"})
    leaf = ec_pki.issue_signer("LEAF", issuer=not_a_ca)
    der = sign(ec_pki, leaf, extra=[ec_pki.intermediate.certificate, not_a_ca.certificate])
    assert_refused("untrusted", CONTENT, der, trusted=ec_pki.trusted)


# --- validity --------------------------------------------------------------------------------------------

def test_expired_leaf(pki, person):
    leaf = pki.issue_signer("OLD", key=person.key, not_before=pki.now - timedelta(days=400),
                            not_after=pki.now - timedelta(days=1))
    assert_refused("expired", CONTENT, sign(pki, leaf), trusted=pki.trusted)


def test_not_yet_valid_leaf(pki, person):
    leaf = pki.issue_signer("FUTURE", key=person.key, not_before=pki.now + timedelta(days=1),
                            not_after=pki.now + timedelta(days=400))
    assert_refused("not_yet_valid", CONTENT, sign(pki, leaf), trusted=pki.trusted)


def test_expired_intermediate(pki, person):
    old = pki.issue_ca("Old Intermediate CA", issuer=pki.root, key=pki.intermediate.key,
                       not_before=pki.now - timedelta(days=800), not_after=pki.now - timedelta(days=1))
    leaf = pki.issue_signer("UNDER OLD CA", issuer=old, key=person.key)
    assert_refused("expired", CONTENT, sign(pki, leaf, extra=[old.certificate]), trusted=pki.trusted)


def test_expired_root(ec_pki):
    old_root = ec_pki.issue_ca("Old Root", key=ec_pki.root.key, not_before=ec_pki.now - timedelta(days=800),
                               not_after=ec_pki.now - timedelta(days=1))
    leaf = ec_pki.issue_signer("UNDER OLD ROOT", issuer=old_root)
    assert_refused("expired", CONTENT, sign(ec_pki, leaf, extra=[]), trusted=[old_root.certificate])


def test_renewed_intermediate_is_preferred_to_an_expired_one(ec_pki):
    """Two intermediates with the same name and key, one expired: the valid path is found."""
    old = ec_pki.issue_ca(f"{ec_pki.name} Intermediate CA", issuer=ec_pki.root, key=ec_pki.intermediate.key,
                          not_before=ec_pki.now - timedelta(days=800), not_after=ec_pki.now - timedelta(days=1))
    leaf = ec_pki.issue_signer("RENEWED")
    der = sign(ec_pki, leaf, extra=[old.certificate, ec_pki.intermediate.certificate])
    assert len(verify_detached(CONTENT, der, trusted=ec_pki.trusted).chain) == 3


def test_validity_is_checked_at_the_given_time(pki, person, signed):
    assert_refused("expired", CONTENT, signed, trusted=pki.trusted, at=person.certificate.not_valid_after_utc
                   + timedelta(seconds=1))
    assert_refused("not_yet_valid", CONTENT, signed, trusted=pki.trusted,
                   at=person.certificate.not_valid_before_utc - timedelta(seconds=1))
    naive = (pki.now + timedelta(days=10)).replace(tzinfo=None)
    assert verify_detached(CONTENT, signed, trusted=pki.trusted, at=naive).verified_at == naive.replace(tzinfo=UTC)


# --- key usage -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("key_usage", [{"key_encipherment"}, {"key_agreement", "data_encipherment"}, None],
                         ids=["encipherment-only", "agreement-only", "no-key-usage-extension"])
def test_signer_without_signing_key_usage(ec_pki, key_usage):
    leaf = ec_pki.issue_signer("NO SIGNING", key_usage=key_usage)
    assert_refused("key_usage", CONTENT, sign(ec_pki, leaf), trusted=ec_pki.trusted)


def test_non_repudiation_alone_is_enough(ec_pki):
    leaf = ec_pki.issue_signer("NR", key_usage={"content_commitment"})
    assert verify_detached(CONTENT, sign(ec_pki, leaf), trusted=ec_pki.trusted).common_name == "NR"


def test_ca_certificate_as_signer(pki):
    der = sign(pki, pki.intermediate, extra=[])
    assert_refused("key_usage", CONTENT, der, trusted=pki.trusted)
    der = sign(pki, pki.root, extra=[])
    assert_refused("key_usage", CONTENT, der, trusted=pki.trusted)


@pytest.mark.parametrize("ekus, allowed", [
    (None, True),
    ([ExtendedKeyUsageOID.EMAIL_PROTECTION], True),
    ([ExtendedKeyUsageOID.EMAIL_PROTECTION, NCA_INDIVIDUAL], True),
    ([NCA_INDIVIDUAL], True),
    ([NCA_FIRST_HEAD], True),
    ([x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")], True),
    ([ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE], True),
    ([ExtendedKeyUsageOID.CLIENT_AUTH], False),
    ([ExtendedKeyUsageOID.CLIENT_AUTH, NCA_INDIVIDUAL], False),  # NCA's authentication certificate
    ([ExtendedKeyUsageOID.CODE_SIGNING], False),
    ([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.TIME_STAMPING], False),
], ids=["none", "email", "email+nca", "nca-individual", "nca-first-head", "document-signing", "any",
        "client-auth", "nca-auth-certificate", "code-signing", "server+timestamping"])
def test_extended_key_usage(ec_pki, ekus, allowed):
    leaf = ec_pki.issue_signer("EKU", extended_key_usage=ekus)
    der = sign(ec_pki, leaf)
    if allowed:
        assert verify_detached(CONTENT, der, trusted=ec_pki.trusted).common_name == "EKU"
    else:
        assert_refused("key_usage", CONTENT, der, trusted=ec_pki.trusted)


# --- algorithms ------------------------------------------------------------------------------------------

def test_sha1_digest_is_unsupported(ec_pki):
    def to_sha1(info):
        info["digest_algorithm"] = asn1_algos.DigestAlgorithm({"algorithm": "sha1"})

    der = rebuild(sign(ec_pki, ec_pki.issue_signer()), to_sha1)
    assert_refused("unsupported_algorithm", CONTENT, der, trusted=ec_pki.trusted)


def test_gost_signature_algorithm_is_unsupported(ec_pki):
    def to_gost(info):  # GOST R 34.10-2012 256-bit with GOST R 34.11-2012
        info["signature_algorithm"] = asn1_algos.SignedDigestAlgorithm({"algorithm": "1.2.643.7.1.1.3.2"})

    der = rebuild(sign(ec_pki, ec_pki.issue_signer()), to_gost)
    assert_refused("unsupported_algorithm", CONTENT, der, trusted=ec_pki.trusted)


@pytest.mark.parametrize("algorithm", ["1.2.643.7.1.1.3.2", "sha1_rsa"], ids=["gost", "sha1"])
def test_certificate_signed_with_an_unsupported_algorithm(ec_pki, algorithm):
    """A signer certificate whose own signature uses GOST or SHA-1 cannot be checked up the chain."""
    leaf = ec_pki.issue_signer()
    parsed = asn1_x509.Certificate.load(leaf.certificate.public_bytes(serialization.Encoding.DER))
    parsed["signature_algorithm"] = asn1_algos.SignedDigestAlgorithm({"algorithm": algorithm})
    parsed["tbs_certificate"]["signature"] = asn1_algos.SignedDigestAlgorithm({"algorithm": algorithm})
    relabelled = x509.load_der_x509_certificate(parsed.dump(force=True))
    der = sign_detached(CONTENT, key=leaf.key, certificate=relabelled, extra_certificates=ec_pki.intermediates)
    assert_refused("unsupported_algorithm", CONTENT, der, trusted=ec_pki.trusted)


def test_short_rsa_key_is_unsupported(rsa_pki):
    from cryptography.hazmat.primitives.asymmetric import rsa

    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    leaf = rsa_pki.issue_signer("WEAK", key=weak)
    assert_refused("unsupported_algorithm", CONTENT, sign(rsa_pki, leaf), trusted=rsa_pki.trusted)


# --- messages --------------------------------------------------------------------------------------------

def test_every_code_has_its_english_message():
    assert ERROR_MESSAGES == ENGLISH


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_messages_are_translated_when_raised(pki, signed, language):
    with translation.override(language):
        error = assert_refused("content_mismatch", b"other", signed, trusted=pki.trusted)
        assert error.message == gettext(ENGLISH["content_mismatch"])


# --- trusted certificate loading -------------------------------------------------------------------------

def test_load_trusted_directory_and_files(tmp_path, ec_pki, rsa_pki):
    ec_root, rsa_root = ec_pki.root.certificate, rsa_pki.root.certificate
    (tmp_path / "bundle.pem").write_bytes(
        ec_root.public_bytes(serialization.Encoding.PEM) + rsa_root.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "root.cer").write_bytes(ec_root.public_bytes(serialization.Encoding.DER))  # duplicate
    (tmp_path / "chain.p7b").write_bytes(
        pkcs7.serialize_certificates([ec_pki.intermediate.certificate], serialization.Encoding.DER))
    (tmp_path / "README.txt").write_text("not a certificate, not read")
    loaded = load_trusted(tmp_path)
    assert loaded == [ec_root, rsa_root, ec_pki.intermediate.certificate]
    assert load_trusted([str(tmp_path / "root.cer")]) == [ec_root]
    assert load_trusted(str(tmp_path / "bundle.pem")) == [ec_root, rsa_root]


def test_load_trusted_refuses_broken_configuration(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        load_trusted(tmp_path / "missing")
    (tmp_path / "broken.pem").write_text("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    with pytest.raises(ValueError, match="broken.pem"):
        load_trusted(tmp_path)

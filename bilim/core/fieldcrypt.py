"""Model fields encrypted at rest, for special categories of personal data (Law No. 94-V: nationality,
religion, membership of political and public organizations, family).

**Cipher.** AES-256-GCM (``cryptography``'s AEAD): confidentiality and integrity in one, a fresh
96-bit random nonce per value. The associated data is the column's name (``app.model.field``), so a
ciphertext copied into another column (religion into nationality) does not decrypt. The plaintext is
padded to a multiple of 32 bytes (ISO/IEC 7816-4: 0x80 then zeros) so that the stored length does not
tell a short answer from a long one.

**Stored form**, text in an ordinary text column: ``fc1$<key id>$<base64url(nonce ‖ ciphertext ‖ tag)>``.
``fc1`` is the format's version; the key id is the first 8 hex digits of SHA-256 over the key, so
keys carry no names to manage and a value names the key that made it.

**Keys** come from ``settings.FIELD_ENCRYPTION_KEYS``: each item is 32 random bytes in base64 (make
one with ``python -c "import base64,os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())"``).
The first key encrypts; every key decrypts. Rotation: put the new key first, keep the old ones after
it, run ``manage.py fieldcrypt_rotate`` (re-encrypts every value with the first key), then drop the
old keys. In development, when the list is empty, one key is derived from ``SECRET_KEY`` with HKDF
(SHA-256); production refuses to start without the setting (``config.settings``).

**Failing loudly.** A value whose key is not configured, or that does not authenticate under it (a
wrong key, a changed byte), raises ``FieldDecryptionError``: never a silent empty string. A value
stored without the ``fc1$`` prefix (written before the column was encrypted) is refused the same way,
unless it is read through ``decrypt(..., allow_plaintext=True)`` by a migration that encrypts it.

**Queries.** Equal plaintexts have different ciphertexts, so a database cannot compare or search
these columns: only ``isnull`` is allowed; anything else raises ``FieldError`` when the query is
built, instead of silently finding nothing."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

PREFIX = "fc1"
SEPARATOR = "$"
NONCE_BYTES = 12
BLOCK = 32


class FieldDecryptionError(RuntimeError):
    """A stored value cannot be decrypted with the configured keys (wrong or missing key, or tampering)."""


@dataclass(frozen=True)
class Key:
    id: str
    aead: AESGCM


def key_id(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()[:8]


def _decode_key(text: str, position: int) -> bytes:
    cleaned = text.strip()
    try:
        raw = base64.urlsafe_b64decode(cleaned + "=" * (-len(cleaned) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise ImproperlyConfigured(
            f"FIELD_ENCRYPTION_KEYS item {position + 1} is not 32 bytes in base64 (AES-256 needs a 256-bit key)")
    return raw


def derive_development_key(secret_key: str) -> bytes:
    """The development key: HKDF-SHA256 over SECRET_KEY. Never used when keys are configured."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"bilim.core.fieldcrypt",
                info=b"field encryption key, development").derive(secret_key.encode("utf-8"))


@lru_cache(maxsize=8)
def _keys_for(configured: tuple[str, ...], secret_key: str) -> tuple[Key, ...]:
    raws = [_decode_key(text, i) for i, text in enumerate(configured)] if configured else [derive_development_key(secret_key)]
    keys: list[Key] = []
    for raw in raws:
        ident = key_id(raw)
        if any(k.id == ident for k in keys):
            continue  # the same key listed twice
        keys.append(Key(ident, AESGCM(raw)))
    return tuple(keys)


def keys() -> tuple[Key, ...]:
    """The configured keys, the encrypting one first (cached per configuration)."""
    configured = tuple(item for item in (getattr(settings, "FIELD_ENCRYPTION_KEYS", None) or []) if item.strip())
    return _keys_for(configured, settings.SECRET_KEY)


def _pad(data: bytes) -> bytes:
    data += b"\x80"
    return data + b"\x00" * (-len(data) % BLOCK)


def _unpad(data: bytes) -> bytes:
    end = data.rstrip(b"\x00")
    if not end.endswith(b"\x80"):
        raise FieldDecryptionError("the decrypted value has no valid padding")
    return end[:-1]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def is_encrypted(stored: str | None) -> bool:
    return isinstance(stored, str) and stored.startswith(PREFIX + SEPARATOR)


def encrypt(plaintext: str, *, context: str) -> str:
    """Encrypt ``plaintext`` with the first key; ``context`` (the column's name) is authenticated."""
    key = keys()[0]
    nonce = os.urandom(NONCE_BYTES)
    sealed = key.aead.encrypt(nonce, _pad(plaintext.encode("utf-8")), context.encode("utf-8"))
    return SEPARATOR.join((PREFIX, key.id, _b64(nonce + sealed)))


def decrypt(stored: str, *, context: str, allow_plaintext: bool = False) -> str:
    """The plaintext of a stored value; ``FieldDecryptionError`` if no configured key opens it."""
    if not is_encrypted(stored):
        if allow_plaintext:
            return stored
        raise FieldDecryptionError(f"{context}: the stored value is not encrypted (expected the {PREFIX}$ format)")
    try:
        _prefix, ident, body = stored.split(SEPARATOR, 2)
        blob = _unb64(body)
    except (ValueError, binascii.Error):
        raise FieldDecryptionError(f"{context}: the stored value is malformed") from None
    key = next((k for k in keys() if k.id == ident), None)
    if key is None:
        raise FieldDecryptionError(
            f"{context}: the value was encrypted with key {ident}, which is not in FIELD_ENCRYPTION_KEYS")
    if len(blob) < NONCE_BYTES + 16:
        raise FieldDecryptionError(f"{context}: the stored value is truncated")
    try:
        padded = key.aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], context.encode("utf-8"))
    except InvalidTag:
        raise FieldDecryptionError(
            f"{context}: the value does not authenticate under key {ident} (wrong key, another column's value, or tampering)") from None
    return _unpad(padded).decode("utf-8")


def needs_rotation(stored: str | None) -> bool:
    """Whether a stored value was made by a key other than the first (or is not encrypted)."""
    if stored is None:
        return False
    if not is_encrypted(stored):
        return True
    return stored.split(SEPARATOR, 2)[1] != keys()[0].id


# --- fields --------------------------------------------------------------------------------------------

class EncryptedMixin:
    """Shared by the encrypted fields: the column holds ``fc1$…`` text; Python sees the plaintext."""

    ALLOWED_LOOKUPS = {"isnull"}

    @property
    def crypt_context(self) -> str:
        return f"{self.model._meta.label_lower}.{self.name}"

    def get_internal_type(self) -> str:
        return "TextField"

    def get_lookup(self, lookup_name):
        if lookup_name not in self.ALLOWED_LOOKUPS:
            raise FieldError(f"{self.name} is encrypted: the database cannot compare it ({lookup_name!r} is not allowed)")
        return super().get_lookup(lookup_name)

    def get_transform(self, lookup_name):
        raise FieldError(f"{self.name} is encrypted: the database cannot look inside it ({lookup_name!r})")

    # plaintext ↔ text for the subclasses
    def _to_text(self, value) -> str:
        raise NotImplementedError

    def _from_text(self, text: str):
        raise NotImplementedError

    def get_prep_value(self, value):
        if value is None:
            return None
        return encrypt(self._to_text(value), context=self.crypt_context)

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return self._from_text(decrypt(value, context=self.crypt_context))


class EncryptedTextField(EncryptedMixin, models.TextField):
    """A text column encrypted at rest; reads and writes plain ``str``."""

    def _to_text(self, value) -> str:
        return str(value)

    def _from_text(self, text: str) -> str:
        return text

    def to_python(self, value):
        if value is None or isinstance(value, str):
            return value
        return str(value)


class EncryptedJSONField(EncryptedMixin, models.TextField):
    """A JSON value (lists, objects, numbers, strings) encrypted at rest as one text column."""

    def __init__(self, *args, encoder=DjangoJSONEncoder, **kwargs):
        self.encoder = encoder
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.encoder is not DjangoJSONEncoder:
            kwargs["encoder"] = self.encoder
        return name, path, args, kwargs

    def _to_text(self, value) -> str:
        return json.dumps(value, cls=self.encoder, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    def _from_text(self, text: str) -> Any:
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            raise FieldDecryptionError(f"{self.crypt_context}: the decrypted value is not JSON") from None

    def to_python(self, value):
        if isinstance(value, str):
            try:
                return json.loads(value)
            except json.JSONDecodeError:
                return value
        return value

    def value_to_string(self, obj):
        return self._to_text(self.value_from_object(obj))


# --- rotation ------------------------------------------------------------------------------------------

def encrypted_fields(model) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedMixin)]


def rotate(model, *, batch: int = 500) -> int:
    """Re-encrypt with the first key every value of ``model``'s encrypted columns made by another key
    (or stored unencrypted). Reads the raw text, so rows the ORM cannot decrypt stop the run with the
    column's name. Returns the number of rows rewritten. Run inside a transaction per batch."""
    from django.db import connection, transaction

    fields = encrypted_fields(model)
    if not fields:
        return 0
    table = connection.ops.quote_name(model._meta.db_table)
    pk = model._meta.pk
    pk_column = connection.ops.quote_name(pk.column)
    columns = [connection.ops.quote_name(f.column) for f in fields]
    rewritten = 0
    last = None
    while True:
        with transaction.atomic():
            with connection.cursor() as cursor:
                where = f"WHERE {pk_column} > %s " if last is not None else ""
                cursor.execute(f"SELECT {pk_column}, {', '.join(columns)} FROM {table} {where}ORDER BY {pk_column} LIMIT %s",
                               ([last] if last is not None else []) + [batch])
                rows = cursor.fetchall()
                for row in rows:
                    values = list(row[1:])
                    if not any(needs_rotation(v) for v in values):
                        continue
                    fresh = []
                    for field, stored in zip(fields, values):
                        if stored is None:
                            fresh.append(None)
                            continue
                        plain = decrypt(stored, context=field.crypt_context, allow_plaintext=True)
                        fresh.append(encrypt(plain, context=field.crypt_context))
                    assignments = ", ".join(f"{c} = %s" for c in columns)
                    cursor.execute(f"UPDATE {table} SET {assignments} WHERE {pk_column} = %s", fresh + [row[0]])
                    rewritten += 1
        if len(rows) < batch:
            return rewritten
        last = rows[-1][0]


def rotate_all() -> dict[str, int]:
    """``rotate`` for every installed model that has encrypted fields."""
    from django.apps import apps

    return {model._meta.label: rotate(model) for model in apps.get_models() if encrypted_fields(model)}

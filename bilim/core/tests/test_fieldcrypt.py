"""Fields encrypted at rest (core.fieldcrypt): a value written through the ORM is not in the table —
nor in the SQLite file — without the key; the wrong key fails loudly; a ciphertext moved to another
column does not open; rotation (new key first, old ones after) reads old values, writes with the new
key and re-encrypts everything; only ``isnull`` may be queried."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import connection, models
from django.test.utils import isolate_apps

from bilim.core import fieldcrypt
from bilim.core.fieldcrypt import EncryptedJSONField, EncryptedTextField, FieldDecryptionError

SECRET = "Ислам · Қазақ · «Алаш» партиясы"


def new_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


KEY_A, KEY_B = new_key(), new_key()


# --- the cipher alone ----------------------------------------------------------------------------------

def test_round_trip_and_format(settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    stored = fieldcrypt.encrypt(SECRET, context="app.model.religion")
    assert stored.startswith(f"fc1${fieldcrypt.key_id(base64.urlsafe_b64decode(KEY_A))}$")
    assert SECRET not in stored and "Ислам" not in stored
    assert fieldcrypt.decrypt(stored, context="app.model.religion") == SECRET
    # a fresh nonce each time: equal plaintexts do not give equal ciphertexts
    assert fieldcrypt.encrypt(SECRET, context="app.model.religion") != stored


def test_padding_hides_the_length_of_short_values(settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    lengths = {len(fieldcrypt.encrypt(text, context="c")) for text in ("", "Иә", "Ислам", "x" * 30)}
    assert len(lengths) == 1


def test_wrong_key_fails_loudly(settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    stored = fieldcrypt.encrypt(SECRET, context="c")
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]
    with pytest.raises(FieldDecryptionError, match="not in FIELD_ENCRYPTION_KEYS"):
        fieldcrypt.decrypt(stored, context="c")
    # the same key id but other bytes (a tampered value) does not authenticate
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    prefix, ident, body = stored.split("$")
    raw = bytearray(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    raw[-1] ^= 1
    tampered = f"{prefix}${ident}${base64.urlsafe_b64encode(bytes(raw)).decode().rstrip('=')}"
    with pytest.raises(FieldDecryptionError, match="does not authenticate"):
        fieldcrypt.decrypt(tampered, context="c")


def test_a_value_moved_to_another_column_does_not_open(settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    religion = fieldcrypt.encrypt(SECRET, context="cooperation.foreigner.religion")
    with pytest.raises(FieldDecryptionError):
        fieldcrypt.decrypt(religion, context="cooperation.foreigner.nationality")


def test_plaintext_and_garbage_are_refused(settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    with pytest.raises(FieldDecryptionError, match="not encrypted"):
        fieldcrypt.decrypt("Ислам", context="c")
    assert fieldcrypt.decrypt("Ислам", context="c", allow_plaintext=True) == "Ислам"
    with pytest.raises(FieldDecryptionError):
        fieldcrypt.decrypt("fc1$abcdef12$!!!", context="c")


def test_bad_key_setting_is_a_configuration_error(settings):
    settings.FIELD_ENCRYPTION_KEYS = ["too-short"]
    with pytest.raises(ImproperlyConfigured, match="item 1"):
        fieldcrypt.encrypt("x", context="c")


def test_development_key_is_derived_from_the_secret_key(settings):
    settings.FIELD_ENCRYPTION_KEYS = []
    settings.SECRET_KEY = "one-secret-key-for-this-test-0123456789"
    stored = fieldcrypt.encrypt(SECRET, context="c")
    expected = fieldcrypt.key_id(fieldcrypt.derive_development_key(settings.SECRET_KEY))
    assert stored.split("$")[1] == expected
    assert fieldcrypt.decrypt(stored, context="c") == SECRET
    settings.SECRET_KEY = "another-secret-key-for-this-test-987654"
    with pytest.raises(FieldDecryptionError):
        fieldcrypt.decrypt(stored, context="c")


def test_rotation_of_keys(settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    old = fieldcrypt.encrypt(SECRET, context="c")
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]  # the new key first, the old one still decrypts
    assert fieldcrypt.decrypt(old, context="c") == SECRET
    new = fieldcrypt.encrypt(SECRET, context="c")
    assert new.split("$")[1] == fieldcrypt.key_id(base64.urlsafe_b64decode(KEY_B))
    assert fieldcrypt.needs_rotation(old) and not fieldcrypt.needs_rotation(new)


# --- through the ORM: a table of its own, created and dropped by the test ---------------------------------

@pytest.fixture
def secret_model(transactional_db, settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    with isolate_apps("bilim.core"):
        class Secret(models.Model):
            label = models.CharField(max_length=20)
            religion = EncryptedTextField(blank=True, default="")
            relatives = EncryptedJSONField(null=True, blank=True)

            class Meta:
                app_label = "core"
                db_table = "core_test_fieldcrypt_secret"

        with connection.schema_editor() as editor:
            editor.create_model(Secret)
        try:
            yield Secret
        finally:
            with connection.schema_editor() as editor:
                editor.delete_model(Secret)


def raw_row(model, pk) -> tuple:
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT label, religion, relatives FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()


RELATIVES = [{"relation": "father", "name": "Әбдірахманов Серік", "birth_year": 1968, "residence": "Ұланбатыр"}]


def test_orm_value_is_not_readable_in_the_raw_table_without_the_key(secret_model, settings):
    row = secret_model.objects.create(label="visible", religion=SECRET, relatives=RELATIVES)
    label, religion, relatives = raw_row(secret_model, row.pk)
    assert label == "visible"  # the cursor does read the row…
    assert religion.startswith("fc1$") and relatives.startswith("fc1$")
    for plain in ("Ислам", "Қазақ", "Алаш", "Әбдірахманов", "Ұланбатыр", "father", "1968"):  # …but not the secrets
        assert plain not in religion and plain not in relatives
    # the database file itself (SQLite on disk) does not hold them either
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite" and name and Path(str(name)).exists():
        connection.close()
        data = b"".join(p.read_bytes() for p in Path(str(name)).parent.glob(Path(str(name)).name + "*"))
        assert b"visible" in data
        for plain in ("Ислам", "Әбдірахманов"):
            assert plain.encode("utf-8") not in data
    # through the ORM with the key: the plaintext
    fresh = secret_model.objects.get(pk=row.pk)
    assert fresh.religion == SECRET and fresh.relatives == RELATIVES
    assert list(secret_model.objects.values_list("religion", flat=True)) == [SECRET]
    # without the key: a loud error, not an empty value
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]
    with pytest.raises(FieldDecryptionError):
        secret_model.objects.get(pk=row.pk)


def test_orm_queries_on_encrypted_columns_are_refused(secret_model):
    secret_model.objects.create(label="a", religion=SECRET, relatives=None)
    assert secret_model.objects.filter(relatives__isnull=True).count() == 1
    with pytest.raises(FieldError):
        secret_model.objects.filter(religion=SECRET)
    with pytest.raises(FieldError):
        secret_model.objects.filter(religion__icontains="Ислам")
    with pytest.raises(FieldError):
        secret_model.objects.filter(relatives__0__name="x")


def test_orm_update_encrypts_too(secret_model):
    row = secret_model.objects.create(label="a", religion="")
    secret_model.objects.filter(pk=row.pk).update(religion=SECRET)
    assert "Ислам" not in raw_row(secret_model, row.pk)[1]
    assert secret_model.objects.get(pk=row.pk).religion == SECRET


def test_rotate_reencrypts_every_row_with_the_first_key(secret_model, settings):
    first = secret_model.objects.create(label="a", religion=SECRET, relatives=RELATIVES)
    second = secret_model.objects.create(label="b", religion="", relatives=None)
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    assert fieldcrypt.rotate(secret_model, batch=1) == 2
    assert fieldcrypt.rotate(secret_model) == 0  # idempotent
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]  # the old key can now go
    assert secret_model.objects.get(pk=first.pk).relatives == RELATIVES
    assert secret_model.objects.get(pk=second.pk).relatives is None
    key_b = fieldcrypt.key_id(base64.urlsafe_b64decode(KEY_B))
    assert raw_row(secret_model, first.pk)[1].split("$")[1] == key_b

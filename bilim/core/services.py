"""Every write of the core context: atomic, audited, raising ``DomainError`` on bad input."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime
from typing import Any, Iterable

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import paths
from .audit import audit_record
from .errors import DomainError
from .models import (
    ROLE_LEVELS,
    ApiToken,
    AreaType,
    CalendarOverride,
    Level,
    OrgKind,
    OrgUnit,
    Ownership,
    Role,
    RoleGrant,
    User,
)
from .scope import Scope

ORG_FIELDS = ("name_kk", "name_ru", "name_en", "kato", "bin", "ownership", "area_type", "is_active", "kind", "region_kind")
KIND_LEVELS = {
    OrgKind.MINISTRY: Level.REPUBLIC,
    OrgKind.REGION_AUTHORITY: Level.REGION,
    OrgKind.DISTRICT_AUTHORITY: Level.DISTRICT,
}


def _snapshot(unit: OrgUnit) -> dict[str, Any]:
    return {field: getattr(unit, field) for field in ORG_FIELDS} | {"parent_id": unit.parent_id}


def _validate_org(*, level: int, kind: str, name_kk: str, name_ru: str, kato: str, bin: str, ownership: str, area_type: str) -> None:
    errors: dict[str, str] = {}
    if not (name_kk or "").strip():
        errors["name_kk"] = _("The name in Kazakh is required.")
    if not (name_ru or "").strip():
        errors["name_ru"] = _("The name in Russian is required.")
    if kind not in OrgKind.values:
        errors["kind"] = _("Unknown organization kind.")
    elif kind in KIND_LEVELS and KIND_LEVELS[kind] != level:
        errors["kind"] = _("This kind does not belong on this level of the tree.")
    elif kind not in KIND_LEVELS and level != Level.ORGANIZATION:
        errors["kind"] = _("This kind does not belong on this level of the tree.")
    if kato and (not paths.is_ascii_digits(kato) or len(kato) != 9):
        errors["kato"] = _("A KATO code is exactly 9 digits.")
    if bin and (not paths.is_ascii_digits(bin) or len(bin) != 12):
        errors["bin"] = _("A BIN is exactly 12 digits.")
    if ownership not in Ownership.values:
        errors["ownership"] = _("Unknown ownership.")
    if area_type not in AreaType.values:
        errors["area_type"] = _("Unknown area type.")
    if errors:
        raise DomainError("invalid_org_unit", _("The org unit has errors."), fields=errors)


@transaction.atomic
def orgunit_create(
    *,
    parent: OrgUnit | None,
    kind: str,
    name_kk: str,
    name_ru: str,
    name_en: str = "",
    kato: str = "",
    bin: str = "",
    ownership: str = Ownership.STATE,
    area_type: str = AreaType.URBAN,
    region_kind: str = "",
    by: User | None = None,
    request=None,
) -> OrgUnit:
    level = 0 if parent is None else parent.level + 1
    if level > Level.ORGANIZATION:
        raise DomainError("invalid_org_unit", _("Organizations cannot have child units."), fields={"parent": _("Organizations cannot have child units.")})
    if parent is None and OrgUnit.objects.filter(parent__isnull=True).exists():
        raise DomainError("invalid_org_unit", _("There is only one republic."), fields={"parent": _("A parent is required.")})
    _validate_org(level=level, kind=kind, name_kk=name_kk, name_ru=name_ru, kato=kato, bin=bin, ownership=ownership, area_type=area_type)
    # Insert with a placeholder path unique to this transaction, then set the real one from the id.
    unit = OrgUnit.objects.create(
        parent=parent, level=level, kind=kind, region_kind=region_kind, name_kk=name_kk.strip(), name_ru=name_ru.strip(),
        name_en=name_en.strip(), kato=kato, bin=bin, ownership=ownership, area_type=area_type,
        path="new-" + secrets.token_hex(8),
    )
    unit.path = paths.child_path(parent.path if parent else "", unit.pk)
    unit.save(update_fields=["path"])
    audit_record(actor=by, action="orgunit.create", obj=unit, org_unit=unit, after=_snapshot(unit), request=request)
    return unit


@transaction.atomic
def orgunit_update(*, unit: OrgUnit, by: User | None, request=None, **changes) -> OrgUnit:
    unknown = set(changes) - set(ORG_FIELDS)
    if unknown:
        raise DomainError("invalid_org_unit", _("Unknown field."), fields={name: _("Unknown field.") for name in sorted(unknown)})
    before = _snapshot(unit)
    for field, value in changes.items():
        setattr(unit, field, value)
    _validate_org(level=unit.level, kind=unit.kind, name_kk=unit.name_kk, name_ru=unit.name_ru, kato=unit.kato, bin=unit.bin,
                  ownership=unit.ownership, area_type=unit.area_type)
    unit.save()
    audit_record(actor=by, action="orgunit.update", obj=unit, org_unit=unit, before=before, after=_snapshot(unit), request=request)
    return unit


def orgunits_bulk_create(*, rows: Iterable[dict[str, Any]], parents: dict[Any, OrgUnit], batch_size: int = 2000) -> list[OrgUnit]:
    """Bulk insert for seeding and imports: ``rows`` carry ``parent_key`` into ``parents``.

    Two set-based statements per batch (INSERT … RETURNING id, then the paths), instead of two per
    row. Callers wrap it in a transaction and write one audit record for the import."""
    rows = list(rows)
    created: list[OrgUnit] = []
    for start in range(0, len(rows), batch_size):
        chunk = rows[start : start + batch_size]
        units = []
        for row in chunk:
            parent = parents[row.pop("parent_key")]
            unit = OrgUnit(parent=parent, level=parent.level + 1, path="new-" + secrets.token_hex(8), **row)
            unit.refresh_search_text()
            units.append(unit)
        OrgUnit.objects.bulk_create(units)
        for unit in units:
            unit.path = paths.child_path(unit.parent.path, unit.pk)
        OrgUnit.objects.bulk_update(units, ["path"], batch_size=500)
        created.extend(units)
    return created


# --- people and roles -----------------------------------------------------------------------------

@transaction.atomic
def user_create(
    *, username: str, password: str | None, first_name: str = "", last_name: str = "", patronymic: str = "",
    email: str = "", preferred_language: str = "kk", by: User | None = None, request=None, validate: bool = True,
) -> User:
    username = (username or "").strip()
    if not username:
        raise DomainError("invalid_user", _("The user name is required."), fields={"username": _("The user name is required.")})
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError("invalid_user", _("This user name is taken."), fields={"username": _("This user name is taken.")})
    user = User(username=username, first_name=first_name, last_name=last_name, patronymic=patronymic, email=email,
                preferred_language=preferred_language)
    if password is None:
        user.set_unusable_password()
    else:
        if validate:
            _check_password(password, user)
        user.set_password(password)
    user.save()
    audit_record(actor=by, action="user.create", obj=user, after={"username": username}, request=request)
    return user


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DomainError("invalid_password", _("The password is not acceptable."), fields={"new_password1": " ".join(exc.messages)})


@transaction.atomic
def role_grant(*, user: User, role: str, org_unit: OrgUnit, by: User | None = None, request=None) -> RoleGrant:
    if role not in Role.values:
        raise DomainError("invalid_role", _("Unknown role."), fields={"role": _("Unknown role.")})
    allowed = ROLE_LEVELS[role]
    if allowed is not None and org_unit.level not in allowed:
        raise DomainError("invalid_role", _("This role cannot be granted on this level of the tree."),
                          fields={"org_unit": _("This role cannot be granted on this level of the tree.")})
    if by is not None and not Scope.of(by, [Role.SYSADMIN, Role.MINISTRY_OFFICER, Role.REGION_OFFICER, Role.DISTRICT_OFFICER, Role.ORG_HEAD]).contains_path(org_unit.path):
        raise DomainError("not_found", _("Not found."), status=404)
    grant, created = RoleGrant.objects.get_or_create(user=user, role=role, org_unit=org_unit, defaults={"granted_by": by})
    if created:
        audit_record(actor=by, action="role.grant", obj=grant, org_unit=org_unit,
                     after={"user": user.username, "role": role, "org_unit": org_unit.pk}, request=request)
    if role == Role.SYSADMIN and not (user.is_staff and user.is_superuser):
        user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    Scope.forget(user)
    return grant


@transaction.atomic
def role_revoke(*, grant: RoleGrant, by: User | None = None, request=None) -> None:
    before = {"user": grant.user.username, "role": grant.role, "org_unit": grant.org_unit_id}
    audit_record(actor=by, action="role.revoke", obj=grant, org_unit=grant.org_unit, before=before, request=request)
    grant.delete()
    Scope.forget(grant.user)


@transaction.atomic
def password_change(*, user: User, old_password: str, new_password: str, request=None) -> None:
    errors = {}
    if not user.check_password(old_password):
        errors["old_password"] = _("The current password is wrong.")
    if errors:
        raise DomainError("invalid_password", _("The password was not changed."), fields=errors)
    _check_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit_record(actor=user, action="user.password_change", obj=user, request=request)


# --- API tokens -----------------------------------------------------------------------------------

TOKEN_PREFIX = "bilim_"


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@transaction.atomic
def token_create(*, user: User, name: str, expires_at: datetime | None = None, request=None) -> tuple[ApiToken, str]:
    name = (name or "").strip()
    if not name:
        raise DomainError("invalid_token", _("Give the token a name."), fields={"name": _("Give the token a name.")})
    if len(name) > 100:
        raise DomainError("invalid_token", _("The name is too long."), fields={"name": _("At most 100 characters.")})
    if expires_at is not None and expires_at <= timezone.now():
        raise DomainError("invalid_token", _("The expiry date must be in the future."), fields={"expires_at": _("The expiry date must be in the future.")})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=secret[: len(TOKEN_PREFIX) + 6], digest=token_digest(secret), expires_at=expires_at)
    audit_record(actor=user, action="token.create", obj=token, after={"name": name, "prefix": token.prefix}, request=request)
    return token, secret


@transaction.atomic
def token_revoke(*, token: ApiToken, by: User, request=None) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=by, action="token.revoke", obj=token, before={"prefix": token.prefix}, request=request)


def token_authenticate(secret: str) -> User | None:
    if not secret or not secret.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(digest=token_digest(secret)).first()
    if token is None or not token.is_usable or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# --- calendar -------------------------------------------------------------------------------------

@transaction.atomic
def calendar_override_set(*, day: date, kind: str, reason: str, by: User | None, request=None) -> CalendarOverride:
    if kind not in CalendarOverride.Kind.values:
        raise DomainError("invalid_day", _("Unknown kind of moved day."), fields={"kind": _("Unknown kind of moved day.")})
    if not (reason or "").strip():
        raise DomainError("invalid_day", _("Name the decree that moved the day."), fields={"reason": _("Name the decree that moved the day.")})
    existing = CalendarOverride.objects.filter(date=day).first()
    before = {"kind": existing.kind, "reason": existing.reason} if existing else None
    override, _created = CalendarOverride.objects.update_or_create(date=day, defaults={"kind": kind, "reason": reason.strip(), "created_by": by})
    audit_record(actor=by, action="calendar.override", obj=override, before=before, after={"date": day, "kind": kind, "reason": reason}, request=request)
    return override

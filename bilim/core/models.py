"""Core data: the org-unit tree (H1), accounts and roles scoped to a subtree (H2), personal API
tokens, the hash-chained audit log (H5) and the working-day calendar's moved days (R7).

Invariants live here; every write goes through ``services``, every read through ``selectors``."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .paths import SEGMENT_WIDTH
from .reference import search_text_for


class Level(models.IntegerChoices):
    """Depth in the tree: the path of a level-N node has N + 1 segments."""

    REPUBLIC = 0, _("Republic")
    REGION = 1, _("Region")
    DISTRICT = 2, _("District or city")
    ORGANIZATION = 3, _("Organization")


class OrgKind(models.TextChoices):
    MINISTRY = "ministry", _("Ministry")
    REGION_AUTHORITY = "region_authority", _("Regional education authority")
    DISTRICT_AUTHORITY = "district_authority", _("District education authority")
    PRESCHOOL = "preschool", _("Preschool")
    SCHOOL = "school", _("School")
    COLLEGE = "college", _("College")
    UNIVERSITY = "university", _("University")
    OTHER = "other", _("Other organization")


class RegionKind(models.TextChoices):
    OBLAST = "oblast", _("Region (oblys)")
    CITY = "city", _("City of republican significance")


class Ownership(models.TextChoices):
    STATE = "state", _("State")
    PRIVATE = "private", _("Private")


class AreaType(models.TextChoices):
    URBAN = "urban", _("Urban")
    RURAL = "rural", _("Rural")


class Multilingual:
    """Names kept in kk/ru/en; ``name`` gives the active language's, falling back kk → ru → en."""

    name_kk: str
    name_ru: str
    name_en: str

    def localized(self, field: str, language: str | None = None) -> str:
        language = (language or get_language() or "kk")[:2]
        order = [language] + [code for code in ("kk", "ru", "en") if code != language]
        for code in order:
            value = getattr(self, f"{field}_{code}", "")
            if value:
                return value
        return ""

    @property
    def name(self) -> str:
        return self.localized("name")


class OrgUnit(Multilingual, models.Model):
    """A node of the national tree: republic → region → district/city → organization.

    ``path`` is a materialized path of fixed-width decimal segments, one per ancestor and the node
    itself (its own id). A subtree is the index range [path, upper(path)) — see ``paths`` — which
    every database answers from the b-tree index whatever its collation."""

    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    path = models.CharField(max_length=255, unique=True, editable=False)
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    kind = models.CharField(max_length=24, choices=OrgKind.choices)
    region_kind = models.CharField(max_length=8, choices=RegionKind.choices, blank=True)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=300)
    name_ru = models.CharField(_("name (Russian)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    kato = models.CharField(_("KATO code"), max_length=9, blank=True, db_index=True)
    bin = models.CharField(_("BIN"), max_length=12, blank=True)
    ownership = models.CharField(_("ownership"), max_length=8, choices=Ownership.choices, default=Ownership.STATE)
    area_type = models.CharField(_("area type"), max_length=8, choices=AreaType.choices, default=AreaType.URBAN)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Folded names in both scripts and the KATO code: what the tree browser's search matches.
    search_text = models.TextField(editable=False, default="")

    class Meta:
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")
        indexes = [
            models.Index(fields=["level", "kind"], name="orgunit_level_kind"),
            models.Index(fields=["parent", "name_ru"], name="orgunit_parent_name"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(level__gte=0, level__lte=3), name="orgunit_level_range"),
        ]

    def __str__(self) -> str:
        return self.name

    def refresh_search_text(self) -> None:
        self.search_text = search_text_for(self.name_kk, self.name_ru, self.name_en, self.kato)

    def save(self, *args, **kwargs):
        self.refresh_search_text()
        if kwargs.get("update_fields") is not None and set(kwargs["update_fields"]) & {"name_kk", "name_ru", "name_en", "kato"}:
            kwargs["update_fields"] = list(set(kwargs["update_fields"]) | {"search_text"})
        super().save(*args, **kwargs)

    @property
    def depth(self) -> int:
        return len(self.path) // SEGMENT_WIDTH - 1

    @property
    def ancestor_paths(self) -> list[str]:
        return [self.path[: SEGMENT_WIDTH * n] for n in range(1, len(self.path) // SEGMENT_WIDTH)]

    def is_in_subtree_of(self, other: "OrgUnit") -> bool:
        return self.path.startswith(other.path)


class Role(models.TextChoices):
    MINISTRY_OFFICER = "ministry_officer", _("Ministry officer")
    REGION_OFFICER = "region_officer", _("Regional officer")
    DISTRICT_OFFICER = "district_officer", _("District officer")
    ORG_HEAD = "org_head", _("Head of organization")
    TEACHER = "teacher", _("Staff member / teacher")
    INTERNATIONAL_OFFICER = "international_officer", _("International officer")
    LIBRARIAN = "librarian", _("Librarian")
    STUDENT = "student", _("Student")
    PARENT = "parent", _("Parent")
    SUBSCRIBER = "subscriber", _("Library subscriber")
    SYSADMIN = "sysadmin", _("System administrator")


# The level of the tree on which each role may be granted (None: any level).
ROLE_LEVELS: dict[str, set[int] | None] = {
    Role.MINISTRY_OFFICER: {Level.REPUBLIC},
    Role.REGION_OFFICER: {Level.REGION},
    Role.DISTRICT_OFFICER: {Level.DISTRICT},
    Role.ORG_HEAD: {Level.ORGANIZATION},
    Role.TEACHER: {Level.ORGANIZATION},
    Role.INTERNATIONAL_OFFICER: {Level.ORGANIZATION},
    Role.LIBRARIAN: {Level.ORGANIZATION},
    Role.STUDENT: {Level.ORGANIZATION},
    Role.PARENT: {Level.ORGANIZATION},
    Role.SUBSCRIBER: {Level.ORGANIZATION},
    Role.SYSADMIN: {Level.REPUBLIC},
}


class User(AbstractUser):
    """An account. Rights come only from ``RoleGrant`` rows, each valid for a subtree."""

    patronymic = models.CharField(_("patronymic"), max_length=150, blank=True)
    iin = models.CharField(_("IIN"), max_length=12, blank=True)
    preferred_language = models.CharField(
        _("interface language"), max_length=2, choices=[("kk", "Қазақша"), ("ru", "Русский"), ("en", "English")],
        default="kk",
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.last_name, self.first_name, self.patronymic) if part) or self.username


class RoleGrant(models.Model):
    """A role held on an org unit: valid for that unit's whole subtree."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grants")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="grants", verbose_name=_("org unit"))
    granted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        constraints = [models.UniqueConstraint(fields=["user", "role", "org_unit"], name="rolegrant_unique")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.org_unit}"


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the secret is shown once at creation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("token name"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @property
    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class AuditLog(models.Model):
    """Append-only, hash-chained record of who did what (H5).

    ``digest`` = SHA-256 over the previous row's digest and this row's canonical content; the
    single ``AuditHead`` row carries the digest of the last row so that removing the tail is caught
    too. Database triggers refuse UPDATE and DELETE (see migration 0002)."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    org_unit_path = models.CharField(max_length=255, blank=True, db_index=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    source_ip = models.GenericIPAddressField(null=True, blank=True)
    prev_digest = models.CharField(max_length=64)
    digest = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise RuntimeError("the audit log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("the audit log is append-only")


class AuditHead(models.Model):
    """One row: the id and digest of the last audit record, updated under lock with each append."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_id = models.BigIntegerField(default=0)
    last_digest = models.CharField(max_length=64, default="0" * 64)


class CalendarOverride(models.Model):
    """A day the government moved by decree: a working day made a day off, or the reverse (R7)."""

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("Day off (moved)")
        WORKING_DAY = "working_day", _("Working day (moved)")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    reason = models.CharField(_("reason"), max_length=300, help_text=_("The decree and what was moved"))
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("moved day")
        verbose_name_plural = _("moved days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} — {self.get_kind_display()}"


class Notification(models.Model):
    """A message to one user, shown on their home page. ``kind`` selects a translatable template
    (``core.notifications``) so each reader sees it in their own language."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=48)
    params = models.JSONField(default=dict, blank=True)
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]

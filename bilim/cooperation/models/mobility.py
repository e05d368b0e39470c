"""Outgoing mobility (C2, C4; rules §8.4–8.7): the organization's subdivisions, the people it sends
abroad, the reserve of candidates, the yearly plan of foreign trips by subdivision, the trips with
their documents checklist, and the full report due after each return.

Invariants live here; every write goes through ``mobility_services``, every read through
``mobility_selectors`` (scoped to the organization: outside it, 404)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bilim.core.models import Multilingual, OrgUnit

__all__ = [
    "Purpose", "PersonCategory", "Funding", "Subdivision", "MobilityPerson", "ReserveCandidate", "TripPlan", "TripPlanItem",
    "Trip", "TripDocument", "TripReport", "TripReminder",
]


class Purpose(models.TextChoices):
    """Why a person goes abroad (§8.4: study, work, research; and conferences, §8.1)."""

    STUDY = "study", _("Study")
    WORK = "work", _("Work")
    RESEARCH = "research", _("Research")
    CONFERENCE = "conference", _("Conference")


# Purposes that make a person "abroad on the organization's referral" for the service threshold (§4.3).
LONG_STAY_PURPOSES = (Purpose.STUDY, Purpose.WORK, Purpose.RESEARCH)


class PersonCategory(models.TextChoices):
    STUDENT = "student", _("Student")
    MASTER = "master", _("Master's student")
    DOCTORAL = "doctoral", _("Doctoral student")
    TEACHER = "teacher", _("Teacher")
    RESEARCHER = "researcher", _("Researcher")
    STAFF = "staff", _("Administrative staff")


class Funding(models.TextChoices):
    ORGANIZATION = "organization", _("The organization's budget")
    STATE = "state", _("State programme or republican budget")
    HOST = "host", _("The host party")
    GRANT = "grant", _("Grant or international programme")
    PERSONAL = "personal", _("Personal funds")
    OTHER = "other", _("Other")


class Subdivision(Multilingual, models.Model):
    """An internal structural subdivision (faculty, department, office). Appendix 2 §1 lists those
    that carry out external relations directly, with their address and location (building, room)."""

    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("organization"))
    name_kk = models.CharField(_("name (Kazakh)"), max_length=300)
    name_ru = models.CharField(_("name (Russian)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    building = models.CharField(_("building"), max_length=60, blank=True)
    room = models.CharField(_("room"), max_length=30, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    external_relations = models.BooleanField(_("carries out external relations directly"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("subdivision")
        verbose_name_plural = _("subdivisions")
        ordering = ["org_unit", "name_kk"]
        constraints = [models.UniqueConstraint(fields=["org_unit", "name_kk"], name="coop_subdivision_unique")]

    def __str__(self) -> str:
        return self.name


class MobilityPerson(models.Model):
    """A student or staff member whom the organization sends abroad (or may send: the reserve)."""

    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("organization"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("account"))
    last_name = models.CharField(_("surname"), max_length=100)
    first_name = models.CharField(_("first name"), max_length=100)
    patronymic = models.CharField(_("patronymic"), max_length=100, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"))
    category = models.CharField(_("category"), max_length=12, choices=PersonCategory.choices)
    subdivision = models.ForeignKey(Subdivision, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("subdivision"))
    home_address = models.CharField(_("place of residence in Kazakhstan"), max_length=300)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("person going abroad")
        verbose_name_plural = _("people going abroad")
        ordering = ["last_name", "first_name"]
        indexes = [models.Index(fields=["org_unit", "last_name"], name="coop_person_org_name")]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.last_name, self.first_name, self.patronymic) if part)


class ReserveCandidate(models.Model):
    """A place in the reserve of candidates for trips (§8.7), with their language and country
    preparation (§8.5)."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        PREPARING = "preparing", _("In language and country preparation")
        READY = "ready", _("Ready to go")
        SENT = "sent", _("Sent abroad")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("organization"))
    person = models.ForeignKey(MobilityPerson, on_delete=models.PROTECT, related_name="reserve_entries", verbose_name=_("person"))
    subdivision = models.ForeignKey(Subdivision, on_delete=models.PROTECT, related_name="+", verbose_name=_("subdivision"))
    # [{"language": ISO 639-1 code, "level": CEFR level A1 … C2, "certificate": text}, …]
    languages = models.JSONField(_("languages and level"), default=list, blank=True)
    countries = models.JSONField(_("countries of preparation"), default=list, blank=True)  # ISO 3166-1 alpha-2 codes
    preparation = models.TextField(_("language and country preparation"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    added_on = models.DateField(_("added to the reserve"), default=timezone.localdate)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("reserve candidate")
        verbose_name_plural = _("reserve of candidates")
        ordering = ["org_unit", "person__last_name"]
        constraints = [models.UniqueConstraint(fields=["org_unit", "person"], name="coop_reserve_person_unique")]


class TripPlan(models.Model):
    """The organization's plan of foreign trips for one academic year, by subdivision (§8.5). Drafted by
    the international office, approved by the head; an approved plan is changed only by a new version."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")
        SUPERSEDED = "superseded", _("Replaced by a later version")

    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("organization"))
    year = models.CharField(_("academic year"), max_length=9, help_text=_("e.g. 2025-2026"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    previous = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    change_reason = models.TextField(_("reason for the new version"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("plan of foreign trips")
        verbose_name_plural = _("plans of foreign trips")
        ordering = ["org_unit", "-year", "-version"]
        constraints = [models.UniqueConstraint(fields=["org_unit", "year", "version"], name="coop_tripplan_version_unique")]

    def __str__(self) -> str:
        return f"{self.year} v{self.version}"

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT


class TripPlanItem(models.Model):
    """One planned trip (or group of trips) of a subdivision."""

    plan = models.ForeignKey(TripPlan, on_delete=models.CASCADE, related_name="items")
    subdivision = models.ForeignKey(Subdivision, on_delete=models.PROTECT, related_name="+", verbose_name=_("subdivision"))
    purpose = models.CharField(_("purpose"), max_length=12, choices=Purpose.choices)
    country = models.CharField(_("country"), max_length=2)
    host_organization = models.CharField(_("host organization"), max_length=300)
    starts_on = models.DateField(_("planned start"))
    ends_on = models.DateField(_("planned end"))
    participants = models.PositiveSmallIntegerField(_("number of people"), default=1)
    funding = models.CharField(_("funding"), max_length=12, choices=Funding.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    # the item of the previous version this one was carried over from (trips follow it to the new version)
    origin = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["plan", "subdivision__name_kk", "starts_on", "pk"]


class Trip(models.Model):
    """A foreign trip of one person on the organization's referral."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Being prepared")
        ABROAD = "abroad", _("Abroad")
        RETURNED = "returned", _("Returned, report due")
        REPORTED = "reported", _("Report submitted")
        CANCELLED = "cancelled", _("Cancelled")

    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("organization"))
    person = models.ForeignKey(MobilityPerson, on_delete=models.PROTECT, related_name="trips", verbose_name=_("person"))
    subdivision = models.ForeignKey(Subdivision, on_delete=models.PROTECT, related_name="+", verbose_name=_("subdivision"))
    purpose = models.CharField(_("purpose"), max_length=12, choices=Purpose.choices)
    country = models.CharField(_("country"), max_length=2)
    host_organization = models.CharField(_("host organization"), max_length=300)
    city = models.CharField(_("city"), max_length=120)
    address_abroad = models.CharField(_("place of temporary residence abroad"), max_length=300, blank=True)
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"))
    returned_on = models.DateField(_("date of return to Kazakhstan"), null=True, blank=True)
    funding = models.CharField(_("funding"), max_length=12, choices=Funding.choices)
    funding_note = models.CharField(_("funding details"), max_length=300, blank=True)
    plan_item = models.ForeignKey(TripPlanItem, null=True, blank=True, on_delete=models.PROTECT, related_name="trips",
                                  verbose_name=_("item of the plan"))
    order_number = models.CharField(_("order number"), max_length=40, blank=True)
    order_date = models.DateField(_("order date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    report_due = models.DateField(_("report due"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("foreign trip")
        verbose_name_plural = _("foreign trips")
        ordering = ["-starts_on", "pk"]
        indexes = [
            models.Index(fields=["org_unit", "starts_on"], name="coop_trip_org_start"),
            models.Index(fields=["status", "report_due"], name="coop_trip_report_due"),
        ]
        constraints = [models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="coop_trip_period")]

    def __str__(self) -> str:
        return f"{self.person} → {self.country} ({self.starts_on})"

    @property
    def return_date(self):
        """The actual date of return once recorded, else the planned end."""
        return self.returned_on or self.ends_on


class TripDocument(models.Model):
    """One line of a trip's documents checklist (§8.4: documents collected and issued in time)."""

    class Code(models.TextChoices):
        ORDER = "order", _("Order on the trip")
        INVITATION = "invitation", _("Invitation or letter of acceptance")
        PASSPORT = "passport", _("Valid passport")
        VISA = "visa", _("Visa")
        INSURANCE = "insurance", _("Medical insurance")
        TICKETS = "tickets", _("Tickets")
        ACCOMMODATION = "accommodation", _("Accommodation booked")
        ADVANCE = "advance", _("Travel allowance paid")
        PROGRAMME = "programme", _("Programme or individual plan agreed")
        LEARNING_AGREEMENT = "learning_agreement", _("Learning agreement")
        ABSTRACT = "abstract", _("Paper or abstract accepted")
        OTHER = "other", _("Other document")

    trip = models.ForeignKey(Trip, on_delete=models.CASCADE, related_name="documents")
    code = models.CharField(max_length=20, choices=Code.choices)
    label = models.CharField(_("document"), max_length=200, blank=True)  # for "other"
    done = models.BooleanField(_("done"), default=False)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["trip", "order", "pk"]

    @property
    def title(self) -> str:
        return self.label if self.code == self.Code.OTHER and self.label else self.get_code_display()


class TripReport(models.Model):
    """The full report on a trip's results (§8.6), due a number of working days after the return."""

    trip = models.OneToOneField(Trip, on_delete=models.CASCADE, related_name="report")
    summary = models.TextField(_("what was done"))
    results = models.TextField(_("results"))
    implementation = models.TextField(_("use in teaching and research"), blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now)
    is_late = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("trip report")
        verbose_name_plural = _("trip reports")


class TripReminder(models.Model):
    """A reminder about an overdue trip report sent on a day: makes the daily run idempotent."""

    trip = models.ForeignKey(Trip, on_delete=models.CASCADE, related_name="reminders")
    sent_on = models.DateField()
    recipients = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["trip", "sent_on"], name="coop_tripreminder_unique")]


def _register_notifications() -> None:
    from ..mobility_notifications import register

    register()


_register_notifications()

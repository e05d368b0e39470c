"""Agreements with foreign partners (C3; rules §3, §8.2–8.3), contacts with diplomatic missions and
national cultural centres (C8, §8.12), participation in international conferences (Appendix 2 §8),
the organization's yearly work plan of international activity (C2, §8.1) and the organization's own
text for Appendix 2 §9 (teaching of foreigners).

Invariants live here; every write goes through ``agreements_services``, every read through
``agreements_selectors`` (scoped to the organization: outside it, 404)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bilim.core.models import OrgUnit

from .mobility import MobilityPerson, Subdivision, Trip

__all__ = [
    "PartnerKind", "Partner", "AgreementKind", "Agreement", "AgreementEvent", "AgreementNote", "MissionContact",
    "ConferenceParticipation", "WorkPlan", "WorkPlanItem", "TeachingReport", "TeachingMaterial", "AnnualReportSnapshot",
]


class PartnerKind(models.TextChoices):
    UNIVERSITY = "university", _("University")
    RESEARCH = "research", _("Research institute or centre")
    SCHOOL = "school", _("School or college")
    GOVERNMENT = "government", _("Government body")
    INTERNATIONAL = "international", _("International organization")
    FOUNDATION = "foundation", _("Foundation or non-profit organization")
    COMPANY = "company", _("Company")
    PERSON = "person", _("Individual")
    OTHER = "other", _("Other")


class Partner(models.Model):
    """A foreign legal or natural person the organization cooperates with."""

    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("organization"))
    name = models.CharField(_("partner"), max_length=300)
    country = models.CharField(_("country"), max_length=2)
    city = models.CharField(_("city"), max_length=120, blank=True)
    kind = models.CharField(_("type of organization"), max_length=14, choices=PartnerKind.choices)
    website = models.URLField(_("website"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("foreign partner")
        verbose_name_plural = _("foreign partners")
        ordering = ["org_unit", "name"]
        constraints = [models.UniqueConstraint(fields=["org_unit", "name", "country"], name="coop_partner_unique")]

    def __str__(self) -> str:
        return self.name


class AgreementKind(models.TextChoices):
    MEMORANDUM = "memorandum", _("Memorandum of understanding")
    COOPERATION = "cooperation", _("Cooperation agreement")
    EXCHANGE = "exchange", _("Academic exchange agreement")
    DOUBLE_DEGREE = "double_degree", _("Double degree agreement")
    JOINT_PROGRAMME = "joint_programme", _("Joint educational programme")
    RESEARCH = "research", _("Joint research agreement")
    WORK_PROGRAMME = "work_programme", _("Work programme")
    CONTRACT = "contract", _("Contract")
    OTHER = "other", _("Other")


def _signed_copy_path(instance, filename: str) -> str:
    """Stored under a random name: the original name is kept in ``signed_copy_name`` only."""
    import uuid

    return f"cooperation/agreements/{instance.org_unit_id}/{uuid.uuid4().hex}.pdf"


class Agreement(models.Model):
    """An agreement with a foreign partner. Its status only moves forward:
    proposal → draft → approved → active → expired, or to "terminated" from any open status; an
    active agreement expires by date (``valid_to``)."""

    class Status(models.TextChoices):
        PROPOSAL = "proposal", _("Proposal")
        DRAFT = "draft", _("Draft being agreed")
        APPROVED = "approved", _("Approved, to be signed")
        ACTIVE = "active", _("In force")
        EXPIRED = "expired", _("Expired")
        TERMINATED = "terminated", _("Terminated")

    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("organization"))
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("partner"))
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("type"), max_length=16, choices=AgreementKind.choices)
    number = models.CharField(_("number"), max_length=60, blank=True)
    subject = models.TextField(_("subject"), blank=True)
    subdivision = models.ForeignKey(Subdivision, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("responsible subdivision"))
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True, help_text=_("Empty: without a time limit"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSAL)
    activated_on = models.DateField(_("entered into force on"), null=True, blank=True)
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True)
    termination_reason = models.TextField(_("reason for termination"), blank=True)
    signed_copy = models.FileField(_("signed copy"), upload_to=_signed_copy_path, blank=True)
    signed_copy_name = models.CharField(max_length=200, blank=True)
    signed_copy_sha256 = models.CharField(max_length=64, blank=True)
    signed_copy_size = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["org_unit", "-signed_on", "-created_at"]
        indexes = [models.Index(fields=["org_unit", "status"], name="coop_agreement_org_status")]

    def __str__(self) -> str:
        return self.title


class AgreementEvent(models.Model):
    """The history of an agreement's status."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["agreement", "at", "pk"]


class AgreementNote(models.Model):
    """A note on the implementation of an agreement (§8.3; Appendix 2 §7)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="notes")
    on = models.DateField(_("date"))
    text = models.TextField(_("what was done"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["agreement", "on", "pk"]


class MissionContact(models.Model):
    """A contact with a foreign state's diplomatic mission or a national cultural centre about the
    stay of foreigners at the organization (§8.12)."""

    class Counterpart(models.TextChoices):
        EMBASSY = "embassy", _("Embassy")
        CONSULATE = "consulate", _("Consulate")
        CULTURAL_CENTRE = "cultural_centre", _("National cultural centre")
        OTHER_MISSION = "other_mission", _("Other mission or representative office")

    class Form(models.TextChoices):
        MEETING = "meeting", _("Meeting")
        LETTER = "letter", _("Letter")
        EVENT = "event", _("Joint event")
        AGREEMENT = "agreement", _("Agreement")
        OTHER = "other", _("Other")

    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("organization"))
    counterpart_kind = models.CharField(_("counterpart"), max_length=16, choices=Counterpart.choices)
    counterpart = models.CharField(_("name of the mission or centre"), max_length=300)
    country = models.CharField(_("country"), max_length=2)
    on = models.DateField(_("date"))
    form = models.CharField(_("form of contact"), max_length=10, choices=Form.choices)
    subject = models.TextField(_("subject"))
    outcome = models.TextField(_("outcome"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("contact with a mission or cultural centre")
        verbose_name_plural = _("contacts with missions and cultural centres")
        ordering = ["org_unit", "-on", "pk"]


class ConferenceParticipation(models.Model):
    """A staff member's participation in an international scientific, scientific-practical or
    scientific-methodological conference, symposium or seminar (Appendix 2 §8)."""

    class Kind(models.TextChoices):
        CONFERENCE = "conference", _("Scientific conference")
        PRACTICAL = "practical", _("Scientific-practical conference")
        METHODOLOGICAL = "methodological", _("Scientific-methodological conference")
        SYMPOSIUM = "symposium", _("Symposium")
        SEMINAR = "seminar", _("Seminar")

    class Role(models.TextChoices):
        SPEAKER = "speaker", _("Speaker")
        PARTICIPANT = "participant", _("Participant")
        ORGANIZER = "organizer", _("Organizer")

    class Format(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")

    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("organization"))
    person = models.ForeignKey(MobilityPerson, on_delete=models.PROTECT, related_name="+", verbose_name=_("participant"))
    subdivision = models.ForeignKey(Subdivision, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("subdivision"))
    kind = models.CharField(_("kind of event"), max_length=14, choices=Kind.choices)
    title = models.CharField(_("event"), max_length=300)
    country = models.CharField(_("country"), max_length=2)
    city = models.CharField(_("city"), max_length=120)
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"))
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    format = models.CharField(_("format"), max_length=10, choices=Format.choices, default=Format.IN_PERSON)
    paper = models.CharField(_("paper or talk"), max_length=300, blank=True)
    trip = models.ForeignKey(Trip, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("trip"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("conference participation")
        verbose_name_plural = _("conference participation")
        ordering = ["org_unit", "-starts_on", "pk"]
        constraints = [models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="coop_conference_period")]


class WorkPlan(models.Model):
    """The organization's yearly work plan of international cooperation (§8.1; Appendix 2 §5)."""

    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("organization"))
    year = models.CharField(_("academic year"), max_length=9)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("work plan")
        verbose_name_plural = _("work plans")
        ordering = ["org_unit", "-year"]
        constraints = [models.UniqueConstraint(fields=["org_unit", "year"], name="coop_workplan_unique")]


class WorkPlanItem(models.Model):
    plan = models.ForeignKey(WorkPlan, on_delete=models.CASCADE, related_name="items")
    number = models.PositiveSmallIntegerField(_("No."))
    activity = models.TextField(_("activity"))
    responsible = models.CharField(_("responsible"), max_length=300)
    due_on = models.DateField(_("due"))
    done = models.BooleanField(_("done"), default=False)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    result = models.TextField(_("result"), blank=True)

    class Meta:
        ordering = ["plan", "number", "pk"]


class TeachingReport(models.Model):
    """The organization's own account of how it teaches foreigners (Appendix 2 §9): mixed groups,
    language preparation, work with students who fall behind, training of the teachers of
    foreigners, individual plans; with the lists of special courses and teaching materials."""

    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("organization"))
    year = models.CharField(_("academic year"), max_length=9)
    mixed_groups = models.TextField(_("teaching, methodological, research and educational work in mixed groups with foreigners"), blank=True)
    language_training = models.TextField(_("language preparation"), blank=True)
    low_achievers = models.TextField(_("work with students who fall behind"), blank=True)
    teacher_training = models.TextField(_("professional development of the teachers of foreigners"), blank=True)
    individual_plans = models.TextField(_("fulfilment of individual plans by foreign students and staff"), blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org_unit", "year"], name="coop_teachingreport_unique")]


class TeachingMaterial(models.Model):
    """A special course or seminar for foreigners, or a textbook, manual or guide written for them."""

    class Kind(models.TextChoices):
        SPECIAL_COURSE = "special_course", _("Special course")
        SPECIAL_SEMINAR = "special_seminar", _("Special seminar")
        TEXTBOOK = "textbook", _("Textbook")
        MANUAL = "manual", _("Study manual")
        GUIDELINES = "guidelines", _("Methodological guidelines")

    report = models.ForeignKey(TeachingReport, on_delete=models.CASCADE, related_name="materials")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    authors = models.CharField(_("authors"), max_length=300, blank=True)

    class Meta:
        ordering = ["report", "kind", "pk"]


class AnnualReportSnapshot(models.Model):
    """The data of an organization's Appendix 2 report exactly as submitted (one per submitted
    version), so the DOCX and PDF of what was submitted can be produced again later."""

    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    year = models.CharField(max_length=9)
    submission_id = models.BigIntegerField(unique=True)
    version = models.PositiveIntegerField()
    data = models.JSONField()
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["org_unit", "year", "-version"]

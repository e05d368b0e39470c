"""The organization's international cooperation service or responsible person (C1; rules §4–§7).

§4: a service is created when the organization has at least 10 foreigners (students of the main and
preparatory faculties, doctoral students, teachers, researchers; diaspora, kandas and CIS citizens
included), or actively carries out agreements with foreign partners, or has 10 of its citizens abroad
on its referral. §6: otherwise the head appoints a responsible person by order. §5: the service's
premises (fit for strictly accounted documents), staff and regulation are approved by the head's
order. §7: the service's head or the responsible person has at least a year of experience in the
field and with foreigners, a foreign language and clearance for classified documents.

``OfficeAlert`` remembers that the head was warned that a service became mandatory, so that the
warning is sent once per occurrence (``services.office_requirement_check``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bilim.core.models import OrgUnit

__all__ = ["Office", "OfficeStaff", "OfficeAlert"]


class Office(models.Model):
    """One per organization: its service (§4–5) or its responsible person (§6)."""

    class Kind(models.TextChoices):
        SERVICE = "service", _("International cooperation service")
        PERSON = "person", _("Person responsible for international cooperation")

    org_unit = models.OneToOneField(OrgUnit, on_delete=models.PROTECT, related_name="cooperation_office",
                                    verbose_name=_("organization"))
    kind = models.CharField(_("form"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("name of the service"), max_length=300, blank=True)
    order_number = models.CharField(_("number of the head's order"), max_length=50)
    order_date = models.DateField(_("date of the head's order"))
    address = models.CharField(_("address"), max_length=300, blank=True)
    building = models.CharField(_("building"), max_length=60, blank=True)
    room = models.CharField(_("room"), max_length=30, blank=True)
    regulation_approved = models.BooleanField(_("the regulation of the service and the staff's duties are approved"), default=False)
    premises_secured = models.BooleanField(_("premises fit for strictly accounted documents (metal doors, window bars, alarm)"),
                                           default=False)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("international office")
        verbose_name_plural = _("international offices")

    def __str__(self) -> str:
        return self.name or self.get_kind_display()

    @property
    def head(self) -> "OfficeStaff | None":
        return next((s for s in self.staff.all() if s.is_head), None)


class OfficeStaff(models.Model):
    """A person of the service: its head (or the responsible person) and the technical staff
    (inspector, methodist, §5). Appendix 2 §2 lists them with work and home phones."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="staff")
    full_name = models.CharField(_("surname, name, patronymic"), max_length=200)
    position = models.CharField(_("position"), max_length=200)
    is_head = models.BooleanField(_("head of the service or the responsible person"), default=False)
    work_phone = models.CharField(_("work phone"), max_length=40, blank=True)
    home_phone = models.CharField(_("home phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    order_number = models.CharField(_("number of the appointment order"), max_length=50, blank=True)
    order_date = models.DateField(_("date of the appointment order"), null=True, blank=True)
    experience_years = models.PositiveSmallIntegerField(_("years of experience in international cooperation"), null=True, blank=True)
    foreign_languages = models.CharField(_("foreign languages"), max_length=200, blank=True)
    has_clearance = models.BooleanField(_("cleared for classified documents"), default=False)
    position_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("staff member of the international office")
        verbose_name_plural = _("staff of the international office")
        ordering = ["office", "-is_head", "position_order", "pk"]

    def __str__(self) -> str:
        return self.full_name


class OfficeAlert(models.Model):
    """A service became mandatory while none was recorded: the head was warned at ``raised_at``.
    Resolved when a service is recorded or the condition no longer holds."""

    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(default=timezone.now)
    reasons = models.JSONField(default=dict)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("warning: a service is mandatory")
        verbose_name_plural = _("warnings: a service is mandatory")
        constraints = [models.UniqueConstraint(fields=["org_unit"], condition=models.Q(resolved_at__isnull=True),
                                               name="coop_officealert_one_open")]

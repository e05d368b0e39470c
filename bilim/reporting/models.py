"""Statistical reporting (R1–R11): indicators, forms by year, campaigns with deadlines per level,
assignments, data values, frozen and signed submission versions, and consolidated totals per node.

Invariants live here; every write goes through ``services``, every read through ``selectors``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bilim.core.models import Multilingual, OrgUnit

from .spec import Aggregation, ValueType

VALUE_TYPES = [
    (ValueType.INTEGER, _("Whole number")),
    (ValueType.DECIMAL, _("Decimal number")),
    (ValueType.PERCENT, _("Percent")),
    (ValueType.TEXT, _("Text")),
    (ValueType.BOOLEAN, _("Yes / no")),
]
AGGREGATIONS = [
    (Aggregation.SUM, _("Sum")),
    (Aggregation.WEIGHTED_AVERAGE, _("Weighted average")),
    (Aggregation.NONE, _("Not aggregated")),
]


class Indicator(Multilingual, models.Model):
    """A measured quantity of the catalogue (R1). National ones are owned by the republic; a region
    may add its own (H3), visible in its subtree."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=300)
    name_ru = models.CharField(_("name (Russian)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    definition_kk = models.TextField(_("definition (Kazakh)"), blank=True)
    definition_ru = models.TextField(_("definition (Russian)"), blank=True)
    definition_en = models.TextField(_("definition (English)"), blank=True)
    value_type = models.CharField(_("value type"), max_length=8, choices=VALUE_TYPES)
    unit_kk = models.CharField(_("unit (Kazakh)"), max_length=40, blank=True)
    unit_ru = models.CharField(_("unit (Russian)"), max_length=40, blank=True)
    unit_en = models.CharField(_("unit (English)"), max_length=40, blank=True)
    aggregation = models.CharField(_("aggregation up the tree"), max_length=12, choices=AGGREGATIONS, default=Aggregation.SUM)
    weight = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("weight (for a weighted average)"))
    min_value = models.DecimalField(_("minimum"), max_digits=20, decimal_places=4, null=True, blank=True)
    max_value = models.DecimalField(_("maximum"), max_digits=20, decimal_places=4, null=True, blank=True)
    owner = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner"))

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class Breakdown(Multilingual, models.Model):
    """A disaggregation (sex, grade, language of instruction, area type …) and its items."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name_kk = models.CharField(max_length=200)
    name_ru = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("breakdown")
        verbose_name_plural = _("breakdowns")

    def __str__(self) -> str:
        return self.name


class BreakdownItem(Multilingual, models.Model):
    breakdown = models.ForeignKey(Breakdown, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(max_length=32)
    order = models.PositiveSmallIntegerField(default=0)
    name_kk = models.CharField(max_length=200)
    name_ru = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["breakdown", "order"]
        constraints = [models.UniqueConstraint(fields=["breakdown", "code"], name="breakdownitem_unique")]


class Form(Multilingual, models.Model):
    """A versioned template for one school year (R2, H3), approved by an order."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")

    code = models.CharField(_("form code"), max_length=32)
    year = models.CharField(_("school year"), max_length=9, help_text=_("e.g. 2025-2026"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=300)
    name_ru = models.CharField(_("name (Russian)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    owner = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner"),
                              help_text=_("The republic for national forms; a region for its own forms"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    order_number = models.CharField(_("order number"), max_length=40, blank=True)
    order_date = models.DateField(_("order date"), null=True, blank=True)
    previous = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    max_cells = models.PositiveIntegerField(_("maximum number of cells"), default=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("form")
        verbose_name_plural = _("forms")
        ordering = ["code", "-year", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "year", "version"], name="form_code_year_version")]

    def __str__(self) -> str:
        return f"{self.code} ({self.year}, v{self.version}) — {self.name}"


class FormSection(Multilingual, models.Model):
    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="sections")
    code = models.CharField(max_length=16)
    order = models.PositiveSmallIntegerField(default=0)
    name_kk = models.CharField(max_length=300)
    name_ru = models.CharField(max_length=300)
    name_en = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["form", "order"]
        constraints = [models.UniqueConstraint(fields=["form", "code"], name="formsection_unique")]


class FormColumn(Multilingual, models.Model):
    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="columns")
    code = models.CharField(max_length=3)
    order = models.PositiveSmallIntegerField(default=0)
    name_kk = models.CharField(max_length=200)
    name_ru = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    indicator = models.ForeignKey(Indicator, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    breakdown = models.JSONField(default=list, blank=True)  # [[breakdown code, item code], …]

    class Meta:
        ordering = ["form", "order"]
        constraints = [models.UniqueConstraint(fields=["form", "code"], name="formcolumn_unique")]


class FormRow(Multilingual, models.Model):
    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="rows")
    section = models.ForeignKey(FormSection, on_delete=models.CASCADE, related_name="rows")
    code = models.CharField(max_length=4)
    order = models.PositiveSmallIntegerField(default=0)
    name_kk = models.CharField(max_length=300)
    name_ru = models.CharField(max_length=300)
    name_en = models.CharField(max_length=300, blank=True)
    indicator = models.ForeignKey(Indicator, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    breakdown = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["form", "section__order", "order"]
        constraints = [models.UniqueConstraint(fields=["form", "code"], name="formrow_unique")]


class FormCell(models.Model):
    """One row × column of a form: binds an indicator to a breakdown."""

    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="cells")
    key = models.CharField(max_length=12)
    row = models.ForeignKey(FormRow, on_delete=models.CASCADE, related_name="+")
    column = models.ForeignKey(FormColumn, on_delete=models.CASCADE, related_name="+")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="cells")
    breakdown = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["form", "key"], name="formcell_unique")]


class FormRule(Multilingual, models.Model):
    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="rules")
    code = models.CharField(max_length=32)
    expression = models.CharField(max_length=1000)
    message_kk = models.CharField(max_length=500)
    message_ru = models.CharField(max_length=500)
    message_en = models.CharField(max_length=500, blank=True)
    severity = models.CharField(max_length=8, choices=[("error", _("Error")), ("warning", _("Warning"))], default="error")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["form", "code"], name="formrule_unique")]


class Campaign(Multilingual, models.Model):
    """A form collected for one period, with a deadline per level (R2, R3, R7), or an ad-hoc request (R9)."""

    class Kind(models.TextChoices):
        REGULAR = "regular", _("Regular report")
        ADHOC = "adhoc", _("Ad-hoc request")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    form = models.ForeignKey(Form, on_delete=models.PROTECT, related_name="campaigns")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.REGULAR)
    name_kk = models.CharField(_("title (Kazakh)"), max_length=300)
    name_ru = models.CharField(_("title (Russian)"), max_length=300)
    name_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    period = models.CharField(_("period"), max_length=20, help_text=_("e.g. 2025-2026 or 2025-09-05"))
    owner = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("distributed by"))
    deadline_organization = models.DateField(_("deadline for organizations"))
    deadline_district = models.DateField(_("deadline for districts"), null=True, blank=True)
    deadline_region = models.DateField(_("deadline for regions"), null=True, blank=True)
    participants = models.JSONField(_("participant filter"), default=dict, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    distributed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    def deadline_for_level(self, level: int):
        return {3: self.deadline_organization, 2: self.deadline_district, 1: self.deadline_region}.get(level)

    @property
    def participant_level(self) -> int:
        """The level whose units enter data: organizations, unless an ad-hoc request asks districts or regions."""
        return int((self.participants or {}).get("level", 3))


class Assignment(models.Model):
    """What one participant owes one campaign: an organization's data, or a district's / region's
    consolidated report. Its status moves draft → submitted → accepted, or back by return."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Not submitted")
        SUBMITTED = "submitted", _("Submitted, awaiting review")
        RETURNED = "returned", _("Returned for correction")
        ACCEPTED = "accepted", _("Accepted")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="assignments")
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField()
    # True: the unit enters its own data (organizations; districts or regions asked directly by an
    # ad-hoc request). False: its values are the consolidated totals of the units below it.
    entered = models.BooleanField(default=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    due_date = models.DateField()
    extended_to = models.DateField(null=True, blank=True)
    extension_reason = models.CharField(max_length=300, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    first_submitted_at = models.DateTimeField(null=True, blank=True)
    is_late = models.BooleanField(null=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(blank=True)
    current_version = models.PositiveIntegerField(default=0)
    accepted_version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "org_unit"], name="assignment_unique")]
        indexes = [models.Index(fields=["campaign", "level", "status"], name="assignment_campaign_status")]

    def __str__(self) -> str:
        return f"{self.campaign_id} · {self.org_unit_id} · {self.status}"

    @property
    def effective_due_date(self):
        return self.extended_to or self.due_date


class DataValue(models.Model):
    """The working copy of one cell of an organization's report (drafts autosave here)."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="values")
    cell = models.ForeignKey(FormCell, on_delete=models.CASCADE, related_name="+")
    number = models.DecimalField(max_digits=24, decimal_places=6, null=True, blank=True)
    text = models.TextField(null=True, blank=True)
    explanation = models.TextField(blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assignment", "cell"], name="datavalue_unique")]


class Submission(models.Model):
    """A frozen version of an assignment's data (R4, R6): canonical content, its SHA-256, the head's
    confirmation and an optional verified CMS signature. Never changed after it is written, except
    for its review outcome."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting review")
        RETURNED = "returned", _("Returned")
        ACCEPTED = "accepted", _("Accepted")
        SUPERSEDED = "superseded", _("Superseded by a correction")

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="submissions")
    number = models.PositiveIntegerField()
    content = models.TextField()  # canonical JSON; what the digest and the signature cover
    digest = models.CharField(max_length=64)
    values = models.JSONField()  # {cell key: value as string}
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()
    is_late = models.BooleanField(default=False)
    head_name = models.CharField(max_length=300)
    head_confirmed = models.BooleanField(default=False)
    signature = models.BinaryField(null=True, blank=True)
    signature_info = models.JSONField(null=True, blank=True)
    correction_reason = models.TextField(blank=True)
    idempotency_key = models.CharField(max_length=80, null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(blank=True)

    class Meta:
        ordering = ["assignment", "number"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "number"], name="submission_number_unique"),
            models.UniqueConstraint(fields=["assignment", "idempotency_key"], name="submission_idempotency_unique"),
        ]


class Aggregate(models.Model):
    """Consolidated value of one cell for one node of the tree, kept current as submissions are
    accepted (no nightly rebuild): ``total`` is the sum (for weighted averages, of value × weight),
    ``weight`` the sum of weights, ``contributors`` the number of organizations behind it."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    cell = models.ForeignKey(FormCell, on_delete=models.CASCADE, related_name="+")
    total = models.DecimalField(max_digits=28, decimal_places=6, default=0)
    weight = models.DecimalField(max_digits=28, decimal_places=6, default=0)
    contributors = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "org_unit", "cell"], name="aggregate_unique")]

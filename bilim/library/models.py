"""The Republican inter-university electronic library (L1–L4): collections of the contributing
universities, Dublin Core records with their files and extracted full texts, access levels and
embargoes, subscriptions of institutions, COUNTER-like usage counts, bulk imports and the sources
the OAI-PMH harvester reads.

Invariants live here; every write goes through ``services``, every read through ``selectors``.

OAI-PMH: ``Resource.modified_at`` is the record's datestamp; it moves on every change, deletion
included. A deleted record keeps its row (``deleted_at`` set) as a tombstone the provider reports
with ``status="deleted"`` (deletedRecord = persistent); it is gone from search and its files are
no longer served."""

from __future__ import annotations

import hashlib
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bilim.core.models import Multilingual, OrgUnit


class ResourceType(models.TextChoices):
    TEXTBOOK = "textbook", _("Textbook")
    MANUAL = "manual", _("Manual / study guide")
    MONOGRAPH = "monograph", _("Monograph")
    ARTICLE = "article", _("Article")
    TMC = "tmc", _("Teaching and methodological complex")
    THESIS = "thesis", _("Thesis")


class Language(models.TextChoices):
    """ISO 639-1 codes of the languages a record may be written in."""

    KK = "kk", _("Kazakh")
    RU = "ru", _("Russian")
    EN = "en", _("English")
    TR = "tr", _("Turkish")
    DE = "de", _("German")
    FR = "fr", _("French")
    ZH = "zh", _("Chinese")
    UZ = "uz", _("Uzbek")
    KY = "ky", _("Kyrgyz")


class Access(models.TextChoices):
    OPEN = "open", _("Open to everyone")
    SUBSCRIBERS = "subscribers", _("Subscribers")
    UNIVERSITY = "university", _("Contributing university only")


class Collection(Multilingual, models.Model):
    """A university's collection (e.g. its textbooks, its theses); a university may have several."""

    university = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="library_collections", verbose_name=_("university"),
        limit_choices_to={"level": 3, "kind": "university"},
    )
    code = models.SlugField(_("code"), max_length=64)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=300)
    name_ru = models.CharField(_("name (Russian)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("collection")
        verbose_name_plural = _("collections")
        ordering = ["university_id", "code"]
        constraints = [models.UniqueConstraint(fields=["university", "code"], name="library_collection_code_unique")]

    def __str__(self) -> str:
        return self.name


class HarvestSource(models.Model):
    """Another repository's OAI-PMH endpoint whose records are harvested into a collection,
    incrementally from ``last_until`` (the ``until`` of the last successful run)."""

    class Status(models.TextChoices):
        NEVER = "never", _("Never run")
        RUNNING = "running", _("Running")
        OK = "ok", _("Succeeded")
        PARTIAL = "partial", _("Succeeded with rejected records")
        FAILED = "failed", _("Failed")

    name = models.CharField(_("name"), max_length=300, blank=True)
    collection = models.ForeignKey(Collection, on_delete=models.PROTECT, related_name="harvest_sources", verbose_name=_("target collection"))
    base_url = models.URLField(_("base URL"), max_length=500)
    set_spec = models.CharField(_("set"), max_length=200, blank=True)
    metadata_prefix = models.CharField(_("metadata prefix"), max_length=50, default="oai_dc")
    default_type = models.CharField(_("default type"), max_length=16, choices=ResourceType.choices, default=ResourceType.ARTICLE)
    default_access = models.CharField(_("default access"), max_length=16, choices=Access.choices, default=Access.OPEN)
    default_language = models.CharField(_("default language"), max_length=2, choices=Language.choices, default=Language.KK)
    last_until = models.DateTimeField(_("harvested up to"), null=True, blank=True)
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.NEVER)
    message = models.TextField(_("message"), blank=True)
    # counts of the last run: {"created": n, "updated": n, "deleted": n, "rejected": n, "errors": [...]}
    last_stats = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("harvest source")
        verbose_name_plural = _("harvest sources")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name or self.base_url


class Resource(models.Model):
    """A catalogue record (Dublin Core) of a contributing university."""

    collection = models.ForeignKey(Collection, on_delete=models.PROTECT, related_name="resources", verbose_name=_("collection"))
    # = collection.university, kept here for scope, facets and OAI sets without a join
    university = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="library_resources", verbose_name=_("university"))
    title = models.CharField(_("title"), max_length=1000)
    creators = models.JSONField(_("authors"), default=list, blank=True)
    subjects = models.JSONField(_("subjects"), default=list, blank=True)
    description = models.TextField(_("description"), blank=True)
    publisher = models.CharField(_("publisher"), max_length=500, blank=True)
    issued = models.CharField(_("date issued"), max_length=10, blank=True, help_text=_("YYYY, YYYY-MM or YYYY-MM-DD"))
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True, db_index=True, editable=False)
    type = models.CharField(_("type"), max_length=16, choices=ResourceType.choices)
    format = models.CharField(_("format"), max_length=100, blank=True, editable=False)
    isbn = models.CharField(_("ISBN"), max_length=13, blank=True, help_text=_("ISBN-10 or ISBN-13, stored without hyphens"))
    doi = models.CharField(_("DOI"), max_length=255, blank=True)
    url = models.URLField(_("other identifier (URL)"), max_length=1000, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    rights = models.CharField(_("rights"), max_length=500, blank=True, help_text=_("e.g. CC BY 4.0"))
    access = models.CharField(_("access"), max_length=16, choices=Access.choices, default=Access.OPEN)
    embargo_until = models.DateField(_("embargo until"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    modified_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    harvest_source = models.ForeignKey(HarvestSource, null=True, blank=True, on_delete=models.SET_NULL, related_name="resources")
    source_identifier = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("library resource")
        verbose_name_plural = _("library resources")
        ordering = ["-modified_at", "-id"]
        indexes = [
            # OAI-PMH lists key by (datestamp, id); sets per university and per type
            models.Index(fields=["modified_at", "id"], name="library_res_datestamp"),
            models.Index(fields=["university", "modified_at"], name="library_res_univ_stamp"),
            models.Index(fields=["type", "modified_at"], name="library_res_type_stamp"),
            models.Index(fields=["collection", "deleted_at"], name="library_res_collection"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["harvest_source", "source_identifier"], condition=models.Q(harvest_source__isnull=False),
                name="library_res_source_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def embargoed(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.embargo_until is not None and today < self.embargo_until


def resource_file_path(instance: "ResourceFile", filename: str) -> str:
    """``library/<university>/<resource>/<sha256 prefix>-<safe name>`` under MEDIA_ROOT (never served
    statically: files leave only through the access-checking views)."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    digest = instance.sha256 or hashlib.sha256(filename.encode()).hexdigest()
    return f"library/{instance.resource.university_id}/{instance.resource_id}/{digest[:16]}{suffix}"


class ResourceFile(models.Model):
    """A file of a record (PDF, EPUB, DOCX) and its extracted text."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for text extraction")
        DONE = "done", _("Text extracted")
        FAILED = "failed", _("Text extraction failed")

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="files")
    position = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(_("file"), upload_to=resource_file_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    mime = models.CharField(_("MIME type"), max_length=100)
    size = models.BigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    status = models.CharField(_("extraction"), max_length=8, choices=Status.choices, default=Status.PENDING)
    failure_code = models.CharField(max_length=40, blank=True)
    extracted_text = models.TextField(blank=True)
    extracted_at = models.DateTimeField(null=True, blank=True)
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("file")
        verbose_name_plural = _("files")
        ordering = ["resource_id", "position", "id"]
        indexes = [models.Index(fields=["status"], name="library_file_status")]

    def __str__(self) -> str:
        return self.original_name


class ExtractionTask(models.Model):
    """Queue: a file whose text is to be extracted by ``manage.py library_worker``. A worker claims
    a task for a while (``claimed_until``) in a short transaction (``SKIP LOCKED`` on PostgreSQL),
    extracts outside any transaction and then deletes the task; a crashed worker's claim expires."""

    file = models.OneToOneField(ResourceFile, on_delete=models.CASCADE, related_name="task")
    enqueued_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)


class Subscription(models.Model):
    """An institution's subscription: its people may open subscribers-only resources while it runs."""

    institution = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="library_subscriptions", verbose_name=_("institution"))
    starts = models.DateField(_("starts"))
    ends = models.DateField(_("ends"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["institution_id", "-starts"]
        indexes = [models.Index(fields=["institution", "ends"], name="library_subscription_active")]
        constraints = [models.CheckConstraint(condition=models.Q(ends__gte=models.F("starts")), name="library_subscription_dates")]

    def __str__(self) -> str:
        return f"{self.institution} {self.starts}–{self.ends}"


class UsageAction(models.TextChoices):
    """COUNTER-like actions: looking at a record is an investigation; opening the file in the reader
    or downloading it is a request (and an investigation too)."""

    RECORD = "record", _("Record viewed")
    READ = "read", _("Opened in the reader")
    DOWNLOAD = "download", _("Downloaded")


class UsageEvent(models.Model):
    """A raw usage event, kept for double-click filtering (the same action on the same record in
    the same session within 30 s counts once) and for unique counts per session (a session is the
    user or the browser within one hour). ``institution_key`` is the reader's institution id, 0 for
    a visitor without one."""

    at = models.DateTimeField(default=timezone.now)
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="+")
    institution_key = models.IntegerField(default=0)
    session = models.CharField(max_length=64)
    action = models.CharField(max_length=8, choices=UsageAction.choices)

    class Meta:
        indexes = [
            models.Index(fields=["session", "resource", "action", "at"], name="library_usage_session"),
            models.Index(fields=["at"], name="library_usage_at"),
        ]


class UsageCount(models.Model):
    """Monthly counts per resource × reader's institution (0: none), kept by ``core.deltas.add``.
    ``investigations`` / ``requests`` are COUNTER's Total_Item_*; ``unique_*`` its Unique_Item_*."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="+")
    institution_key = models.IntegerField(default=0)
    month = models.DateField()  # the first day of the month
    # = resource.university, to read a contributing university's report without a join
    university_key = models.IntegerField(default=0)
    record_views = models.IntegerField(default=0)
    reads = models.IntegerField(default=0)
    downloads = models.IntegerField(default=0)
    investigations = models.IntegerField(default=0)
    requests = models.IntegerField(default=0)
    unique_investigations = models.IntegerField(default=0)
    unique_requests = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["resource", "institution_key", "month"], name="library_usage_unique")]
        indexes = [
            models.Index(fields=["university_key", "month"], name="library_usage_university"),
            models.Index(fields=["institution_key", "month"], name="library_usage_institution"),
            models.Index(fields=["month"], name="library_usage_month"),
        ]


class ImportJob(models.Model):
    """A bulk import of records from a CSV or XLSX file into a collection: the rows are read and
    checked first (every bad row reported by number and field); nothing is imported until the user
    confirms importing the good rows; the import then proceeds in chunks with progress."""

    class Status(models.TextChoices):
        CHECKING = "checking", _("Checking rows")
        CHECKED = "checked", _("Checked, waiting for confirmation")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Imported")
        CANCELLED = "cancelled", _("Cancelled")
        FAILED = "failed", _("Failed")

    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="import_jobs", verbose_name=_("collection"))
    original_name = models.CharField(_("file name"), max_length=255)
    format = models.CharField(max_length=4)  # csv / xlsx
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.CHECKING)
    total_rows = models.PositiveIntegerField(default=0)
    checked_rows = models.PositiveIntegerField(default=0)
    good_rows = models.PositiveIntegerField(default=0)
    bad_rows = models.PositiveIntegerField(default=0)
    imported_rows = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    # the language the row problems are written in (the uploader's, when the job started)
    language = models.CharField(max_length=2, default="kk")
    claimed_until = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status"], name="library_import_status")]


class ImportRow(models.Model):
    """One data row of an import file, as read (``data``), with its problems (``errors``: a list of
    ``{"field", "code", "params"}``, rendered in the reader's language) and the record it became."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rows")
    number = models.PositiveIntegerField()  # the row number in the file (the header is row 1)
    data = models.JSONField(default=dict)
    checked = models.BooleanField(default=False)
    errors = models.JSONField(default=list, blank=True)
    resource = models.ForeignKey(Resource, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["job_id", "number"]
        constraints = [models.UniqueConstraint(fields=["job", "number"], name="library_importrow_unique")]

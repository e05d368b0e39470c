"""Writes of the library: collections, records (create, update, delete as an OAI-PMH tombstone),
files (checked at upload, text extracted in the background), subscriptions, usage counts and bulk
imports. Every function takes keyword arguments only, runs in one transaction, is audited and
raises ``DomainError`` naming the field and the reason; nothing is saved in part.

Who may write: a librarian (``core`` role ``librarian``) of the university the collection belongs
to; anyone else gets the same 404 as for a collection that does not exist. ``by=None`` is the
system itself (the OAI-PMH harvester, the worker, the demo data) and is not checked.
Subscriptions are the association's: a ministry officer or a system administrator."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bilim.core import deltas
from bilim.core.audit import audit_record
from bilim.core.errors import DomainError
from bilim.core.models import Level, OrgKind, OrgUnit, Role
from bilim.core.scope import Scope

from . import files as library_files
from . import indexing, metadata
from .models import (
    Access, Collection, ExtractionTask, HarvestSource, ImportJob, ImportRow, Resource, ResourceFile, Subscription, UsageAction,
    UsageCount, UsageEvent,
)

log = logging.getLogger(__name__)

MAX_FILES = 20
ASSOCIATION_ROLES = (Role.MINISTRY_OFFICER, Role.SYSADMIN)
DOUBLE_CLICK = dt.timedelta(seconds=30)


def _not_found() -> DomainError:
    return DomainError("not_found", _("Not found."), status=404)


def may_manage(user, university: OrgUnit) -> bool:
    """Is ``user`` a librarian of ``university``?"""
    return Scope.of(user, [Role.LIBRARIAN]).contains_path(university.path)


def _require_librarian(by, university: OrgUnit) -> None:
    if by is None:
        return  # the system (harvester, worker, demo)
    if not may_manage(by, university):
        raise _not_found()


def is_association(user) -> bool:
    return bool(Scope.of(user, ASSOCIATION_ROLES))


def _invalid(errors: dict[str, str], message: str | None = None) -> DomainError:
    return DomainError("invalid_record", message or _("The record has errors; nothing was saved."), fields=errors)


def snapshot(resource: Resource) -> dict[str, Any]:
    return {
        "collection": resource.collection_id, "title": resource.title, "creators": resource.creators, "subjects": resource.subjects,
        "description": resource.description, "publisher": resource.publisher, "issued": resource.issued, "type": resource.type,
        "language": resource.language, "isbn": resource.isbn, "doi": resource.doi, "url": resource.url, "rights": resource.rights,
        "access": resource.access, "embargo_until": resource.embargo_until, "format": resource.format,
    }


# --- collections -------------------------------------------------------------------------------------

def _check_collection(code: str, name_kk: str, name_ru: str, name_en: str, description: str) -> tuple[dict, dict]:
    import re

    values = {"code": (code or "").strip().lower(), "name_kk": " ".join((name_kk or "").split()), "name_ru": " ".join((name_ru or "").split()),
              "name_en": " ".join((name_en or "").split()), "description": (description or "").replace("\x00", "").strip()}
    errors = {}
    if not values["code"]:
        errors["code"] = _("Enter the code.")
    elif not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,63}", values["code"]):
        errors["code"] = _("The code is up to 64 Latin letters, digits and hyphens.")
    if not values["name_kk"]:
        errors["name_kk"] = _("Enter the name in Kazakh.")
    if not values["name_ru"]:
        errors["name_ru"] = _("Enter the name in Russian.")
    for name in ("name_kk", "name_ru", "name_en"):
        if len(values[name]) > 300:
            errors[name] = _("At most %(max)s characters.") % {"max": 300}
    return values, errors


@transaction.atomic
def collection_create(*, university: OrgUnit, code: str, name_kk: str, name_ru: str, name_en: str = "", description: str = "",
                      by, request=None) -> Collection:
    if university.level != Level.ORGANIZATION or university.kind != OrgKind.UNIVERSITY:
        raise DomainError("invalid_collection", _("The collection has errors; nothing was saved."),
                          fields={"university": _("Collections belong to universities.")})
    _require_librarian(by, university)
    values, errors = _check_collection(code, name_kk, name_ru, name_en, description)
    if not errors and Collection.objects.filter(university=university, code=values["code"]).exists():
        errors["code"] = _("The university already has a collection with this code.")
    if errors:
        raise DomainError("invalid_collection", _("The collection has errors; nothing was saved."), fields=errors)
    collection = Collection.objects.create(university=university, created_by=by, **values)
    audit_record(actor=by, action="library.collection.create", obj=collection, org_unit=university, after=values, request=request)
    return collection


@transaction.atomic
def collection_update(*, collection: Collection, code: str, name_kk: str, name_ru: str, name_en: str = "", description: str = "",
                      by, request=None) -> Collection:
    collection = Collection.objects.select_for_update().select_related("university").get(pk=collection.pk)
    _require_librarian(by, collection.university)
    values, errors = _check_collection(code, name_kk, name_ru, name_en, description)
    if not errors and Collection.objects.filter(university=collection.university, code=values["code"]).exclude(pk=collection.pk).exists():
        errors["code"] = _("The university already has a collection with this code.")
    if errors:
        raise DomainError("invalid_collection", _("The collection has errors; nothing was saved."), fields=errors)
    before = {k: getattr(collection, k) for k in values}
    for key, value in values.items():
        setattr(collection, key, value)
    collection.save()
    audit_record(actor=by, action="library.collection.update", obj=collection, org_unit=collection.university, before=before, after=values,
                 request=request)
    return collection


# --- records -----------------------------------------------------------------------------------------

@transaction.atomic
def resource_create(
    *, collection: Collection, title: str, type: str, language: str, creators: Iterable[str] | str = (), subjects: Iterable[str] | str = (),
    description: str = "", publisher: str = "", issued: str = "", isbn: str = "", doi: str = "", url: str = "", rights: str = "",
    access: str = Access.OPEN, embargo_until: dt.date | str | None = None, harvest_source: HarvestSource | None = None,
    source_identifier: str = "", by, request=None, audit: bool = True, index: bool = True,
) -> Resource:
    """Create a record in ``collection``. A harvested record names its ``harvest_source`` and its
    OAI identifier there (``source_identifier``), unique per source."""
    university = collection.university
    _require_librarian(by, university)
    values, errors = metadata.clean({
        "title": title, "creators": list(creators) if not isinstance(creators, str) else creators,
        "subjects": list(subjects) if not isinstance(subjects, str) else subjects, "description": description, "publisher": publisher,
        "issued": issued, "type": type, "language": language, "isbn": isbn, "doi": doi, "url": url, "rights": rights, "access": access,
        "embargo_until": embargo_until,
    })
    source_identifier = (source_identifier or "").strip()
    if harvest_source is not None:
        if not source_identifier:
            errors["source_identifier"] = _("A harvested record needs its identifier at the source.")
        elif len(source_identifier) > 500:
            errors["source_identifier"] = _("At most %(max)s characters.") % {"max": 500}
        elif Resource.objects.filter(harvest_source=harvest_source, source_identifier=source_identifier).exists():
            errors["source_identifier"] = _("This record was already harvested from this source.")
    if errors:
        raise _invalid(errors)
    now = timezone.now()
    resource = Resource.objects.create(collection=collection, university=university, created_by=by, created_at=now, modified_at=now,
                                       harvest_source=harvest_source, source_identifier=source_identifier if harvest_source else "",
                                       **values)
    if audit:
        audit_record(actor=by, action="library.resource.create", obj=resource, org_unit=university, after=snapshot(resource), request=request)
    if index:
        indexing.reindex(resource, text="")
    return resource


def _locked(resource: Resource) -> Resource:
    return Resource.objects.select_for_update().select_related("university", "collection").get(pk=resource.pk)


@transaction.atomic
def resource_update(*, resource: Resource, by, request=None, collection: Collection | None = None, **changes: Any) -> Resource:
    """Change the given fields of a record (others stay). Its datestamp moves only if something changed."""
    unknown = set(changes) - set(metadata.FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    resource = _locked(resource)
    _require_librarian(by, resource.university)
    if resource.deleted_at is not None:
        raise DomainError("deleted", _("This record was deleted; it cannot be changed."), fields={"record": _("The record was deleted.")},
                          status=409)
    values, errors = metadata.clean(changes, partial=True)
    if collection is not None and collection.pk != resource.collection_id and collection.university_id != resource.university_id:
        errors["collection"] = _("A record moves only between collections of its own university.")
    if errors:
        raise _invalid(errors)
    before = snapshot(resource)
    for key, value in values.items():
        setattr(resource, key, value)
    if collection is not None:
        resource.collection = collection
    after = snapshot(resource)
    if after == before:
        return resource
    resource.modified_at = timezone.now()
    resource.save()
    audit_record(actor=by, action="library.resource.update", obj=resource, org_unit=resource.university,
                 before={k: v for k, v in before.items() if after[k] != v}, after={k: v for k, v in after.items() if before[k] != v},
                 request=request)
    indexing.reindex(resource)
    return resource


def _delete_blobs_on_commit(names: list[str]) -> None:
    from django.core.files.storage import default_storage

    def delete():
        for name in names:
            try:
                default_storage.delete(name)
            except OSError:  # already gone: nothing to do
                log.warning("could not delete %s", name)

    transaction.on_commit(delete)


@transaction.atomic
def resource_delete(*, resource: Resource, by, request=None) -> Resource:
    """Withdraw a record: it stays as a tombstone (OAI-PMH reports it deleted), leaves search, and
    its files are removed."""
    resource = _locked(resource)
    _require_librarian(by, resource.university)
    if resource.deleted_at is not None:
        return resource
    now = timezone.now()
    resource.deleted_at = now
    resource.modified_at = now
    resource.save(update_fields=["deleted_at", "modified_at"])
    names = [f.file.name for f in resource.files.all() if f.file]
    removed = [f.original_name for f in resource.files.all()]
    resource.files.all().delete()
    _delete_blobs_on_commit(names)
    audit_record(actor=by, action="library.resource.delete", obj=resource, org_unit=resource.university,
                 before={**snapshot(resource), "files": removed}, request=request)
    indexing.remove(resource)
    return resource


# --- files -------------------------------------------------------------------------------------------

def _main_format(resource: Resource) -> str:
    first = ResourceFile.objects.filter(resource=resource).order_by("position", "id").values_list("mime", flat=True).first()
    return first or ""


@transaction.atomic
def file_add(*, resource: Resource, upload, by, request=None) -> ResourceFile:
    """Check an uploaded PDF, EPUB or DOCX, store it under MEDIA_ROOT/library/… and queue its text
    extraction. A refused file is never stored."""
    resource = _locked(resource)
    _require_librarian(by, resource.university)
    if resource.deleted_at is not None:
        raise DomainError("deleted", _("This record was deleted; it cannot be changed."), fields={"file": _("The record was deleted.")},
                          status=409)
    if upload is None:
        raise DomainError("invalid_file", _("The file was not accepted: %(reason)s") % {"reason": _("choose a file.")},
                          fields={"file": _("Choose a file.")})
    checked = library_files.check_upload(upload)
    existing = list(resource.files.all())
    if len(existing) >= MAX_FILES:
        raise DomainError("too_many_files", _("A record has at most %(max)s files.") % {"max": MAX_FILES},
                          fields={"file": _("A record has at most %(max)s files.") % {"max": MAX_FILES}})
    if any(f.sha256 == checked.sha256 for f in existing):
        raise DomainError("duplicate_file", _("The file was not accepted: %(reason)s") % {"reason": _("the record already has this file.")},
                          fields={"file": _("The record already has this file.")})
    position = (max((f.position for f in existing), default=-1)) + 1
    item = ResourceFile(resource=resource, position=position, original_name=checked.name, mime=checked.mime, size=checked.size,
                        sha256=checked.sha256, pages=checked.pages, uploaded_by=by)
    upload.seek(0)
    item.file.save(checked.name, upload, save=False)
    stored = item.file.name
    try:
        item.save()
        ExtractionTask.objects.create(file=item)
        old_format = resource.format
        resource.format = _main_format(resource)
        resource.modified_at = timezone.now()
        resource.save(update_fields=["format", "modified_at"])
        audit_record(actor=by, action="library.file.add", obj=item, org_unit=resource.university,
                     after={"resource": resource.pk, "name": checked.name, "mime": checked.mime, "size": checked.size,
                            "sha256": checked.sha256, "format": [old_format, resource.format]}, request=request)
    except BaseException:
        from django.core.files.storage import default_storage

        default_storage.delete(stored)  # nothing of a failed upload stays on disk
        raise
    return item


@transaction.atomic
def file_remove(*, file: ResourceFile, by, request=None) -> None:
    resource = _locked(file.resource)
    _require_librarian(by, resource.university)
    file = ResourceFile.objects.filter(pk=file.pk, resource=resource).first()
    if file is None:
        raise _not_found()
    name, blob, pk = file.original_name, file.file.name, file.pk
    file.delete()
    resource.format = _main_format(resource)
    resource.modified_at = timezone.now()
    resource.save(update_fields=["format", "modified_at"])
    _delete_blobs_on_commit([blob])
    audit_record(actor=by, action="library.file.remove", object_type="library.resourcefile", object_id=pk,
                 org_unit=resource.university, before={"resource": resource.pk, "name": name}, request=request)
    indexing.reindex(resource)


@transaction.atomic
def file_retry(*, file: ResourceFile, by, request=None) -> ResourceFile:
    """Queue a failed extraction again (e.g. after the worker was fixed)."""
    file = ResourceFile.objects.select_for_update().select_related("resource__university").get(pk=file.pk)
    _require_librarian(by, file.resource.university)
    if file.status != ResourceFile.Status.FAILED:
        raise DomainError("not_failed", _("Only a failed extraction can be retried."), fields={"file": _("Only a failed extraction can be retried.")})
    file.status, file.failure_code = ResourceFile.Status.PENDING, ""
    file.save(update_fields=["status", "failure_code"])
    ExtractionTask.objects.update_or_create(file=file, defaults={"claimed_until": None, "attempts": 0, "enqueued_at": timezone.now()})
    audit_record(actor=by, action="library.file.retry", obj=file, org_unit=file.resource.university, request=request)
    return file


def extraction_finish(*, file_id: int, text: str = "", pages: int | None = None, failure: str = "") -> None:
    """Store the result of an extraction (the worker's) and re-index the record with its full text."""
    with transaction.atomic():
        item = ResourceFile.objects.select_for_update().filter(pk=file_id).select_related("resource").first()
        if item is None:
            return  # the file was removed meanwhile
        item.extracted_at = timezone.now()
        if failure:
            item.status, item.failure_code, item.extracted_text = ResourceFile.Status.FAILED, failure, ""
        else:
            item.status, item.failure_code, item.extracted_text = ResourceFile.Status.DONE, "", text
            if pages:
                item.pages = pages
        item.save(update_fields=["status", "failure_code", "extracted_text", "extracted_at", "pages"])
        ExtractionTask.objects.filter(file_id=file_id).delete()
        audit_record(actor=None, action="library.file.extract", obj=item, org_unit=item.resource.university,
                     after={"status": item.status, "failure": failure, "characters": len(text), "pages": item.pages})
        if not failure and item.resource.deleted_at is None:
            indexing.reindex(item.resource)


# --- subscriptions -----------------------------------------------------------------------------------

def _check_subscription(institution, starts, ends, note) -> dict[str, str]:
    errors = {}
    if institution is None or institution.level != Level.ORGANIZATION:
        errors["institution"] = _("Choose an organization.")
    if not isinstance(starts, dt.date):
        errors["starts"] = _("Enter a date as YYYY-MM-DD.")
    if not isinstance(ends, dt.date):
        errors["ends"] = _("Enter a date as YYYY-MM-DD.")
    if not errors and ends < starts:
        errors["ends"] = _("The end cannot be before the start.")
    if len(note or "") > 500:
        errors["note"] = _("At most %(max)s characters.") % {"max": 500}
    return errors


@transaction.atomic
def subscription_create(*, institution: OrgUnit | None, starts: dt.date, ends: dt.date, note: str = "", by, request=None) -> Subscription:
    if by is not None and not is_association(by):
        raise _not_found()
    errors = _check_subscription(institution, starts, ends, note)
    if not errors and Subscription.objects.filter(institution=institution, starts__lte=ends, ends__gte=starts).exists():
        errors["starts"] = _("The institution already has a subscription overlapping these dates.")
    if errors:
        raise DomainError("invalid_subscription", _("The subscription has errors; nothing was saved."), fields=errors)
    sub = Subscription.objects.create(institution=institution, starts=starts, ends=ends, note=(note or "").strip(), created_by=by)
    audit_record(actor=by, action="library.subscription.create", obj=sub, org_unit=institution,
                 after={"starts": starts, "ends": ends, "note": sub.note}, request=request)
    return sub


@transaction.atomic
def subscription_end(*, subscription: Subscription, ends: dt.date, by, request=None) -> Subscription:
    """Shorten (end early) or extend a subscription."""
    if by is not None and not is_association(by):
        raise _not_found()
    sub = Subscription.objects.select_for_update().select_related("institution").get(pk=subscription.pk)
    errors = _check_subscription(sub.institution, sub.starts, ends, sub.note)
    if not errors and Subscription.objects.filter(institution=sub.institution, starts__lte=ends, ends__gte=sub.starts).exclude(pk=sub.pk).exists():
        errors["ends"] = _("The institution already has a subscription overlapping these dates.")
    if errors:
        raise DomainError("invalid_subscription", _("The subscription has errors; nothing was saved."), fields=errors)
    before = sub.ends
    sub.ends = ends
    sub.save(update_fields=["ends"])
    audit_record(actor=by, action="library.subscription.change", obj=sub, org_unit=sub.institution, before={"ends": before},
                 after={"ends": ends}, request=request)
    return sub


# --- usage (COUNTER-like) ----------------------------------------------------------------------------

def session_id(*, user, session_key: str = "", client: str = "", at: dt.datetime | None = None) -> str:
    """COUNTER's user-session: the user (or else the browser session, or else the address and
    browser) within one clock hour, hashed so that no personal data is stored."""
    at = at or timezone.now()
    identity = f"u{user.pk}" if user is not None and user.is_authenticated else (f"s{session_key}" if session_key else f"c{client}")
    return hashlib.sha256(f"{identity}|{at:%Y-%m-%dT%H}".encode()).hexdigest()


REQUESTS = (UsageAction.READ, UsageAction.DOWNLOAD)


@transaction.atomic
def usage_record(*, resource: Resource, action: str, session: str, institution_id: int = 0, at: dt.datetime | None = None) -> bool:
    """Count one use of ``resource``: a record view (investigation), a reading or a download
    (request and investigation). The same action on the same record in the same session within
    30 seconds counts once (COUNTER's double-click rule); unique counts are one per session.
    Returns whether it was counted."""
    if action not in UsageAction.values:
        raise DomainError("invalid_action", _("Unknown kind of use."), fields={"action": _("Unknown kind of use.")})
    at = at or timezone.now()
    earlier = UsageEvent.objects.filter(session=session, resource=resource)
    if earlier.filter(action=action, at__gt=at - DOUBLE_CLICK, at__lte=at).exists():
        UsageEvent.objects.filter(session=session, resource=resource, action=action, at__gt=at - DOUBLE_CLICK).update(at=at)
        return False
    first_investigation = not earlier.exists()
    first_request = action in REQUESTS and not earlier.filter(action__in=REQUESTS).exists()
    UsageEvent.objects.create(at=at, resource=resource, institution_key=institution_id, session=session, action=action)
    month = at.astimezone(timezone.get_current_timezone()).date().replace(day=1)
    is_request = action in REQUESTS
    deltas.add(UsageCount._meta.db_table, ["resource_id", "institution_key", "month"],
               ["record_views", "reads", "downloads", "investigations", "requests", "unique_investigations", "unique_requests"],
               [(resource.pk, institution_id, month, int(action == UsageAction.RECORD), int(action == UsageAction.READ),
                 int(action == UsageAction.DOWNLOAD), 1, int(is_request), int(first_investigation), int(first_request))],
               extra={"university_key": str(int(resource.university_id))})
    return True


def usage_prune(*, older_than: dt.timedelta = dt.timedelta(days=2)) -> int:
    """Drop raw events no session can still need (sessions last an hour; the counts stay)."""
    deleted, _detail = UsageEvent.objects.filter(at__lt=timezone.now() - older_than).delete()
    return deleted


# --- bulk import -------------------------------------------------------------------------------------

@transaction.atomic
def import_start(*, collection: Collection, upload, by, request=None) -> ImportJob:
    """Read a CSV or XLSX file into an import job: its rows are then checked in chunks
    (``import_step``); nothing is imported before ``import_confirm``."""
    from . import imports

    _require_librarian(by, collection.university)
    name, fmt, rows = imports.read_upload(upload)
    from django.utils.translation import get_language

    job = ImportJob.objects.create(collection=collection, original_name=name, format=fmt, total_rows=len(rows), created_by=by,
                                   language=(get_language() or "kk")[:2])
    ImportRow.objects.bulk_create([ImportRow(job=job, number=number, data=data) for number, data in rows], batch_size=1000)
    audit_record(actor=by, action="library.import.start", obj=job, org_unit=collection.university,
                 after={"file": name, "format": fmt, "rows": len(rows), "collection": collection.pk}, request=request)
    return job


IMPORT_CHUNK = 200
IMPORT_LEASE = dt.timedelta(seconds=60)


def import_step(*, job: ImportJob, limit: int = IMPORT_CHUNK) -> ImportJob:
    """Advance a job by one chunk: check ``limit`` rows, or import ``limit`` good rows once confirmed.
    Called by the worker and by the progress page's polling, whichever comes first; a short lease
    keeps two of them from working on one job at once."""
    from . import imports

    now = timezone.now()
    with transaction.atomic():
        claimed = ImportJob.objects.filter(pk=job.pk, status__in=[ImportJob.Status.CHECKING, ImportJob.Status.IMPORTING]) \
            .exclude(claimed_until__gt=now).update(claimed_until=now + IMPORT_LEASE)
    if not claimed:
        return ImportJob.objects.get(pk=job.pk)
    try:
        with transaction.atomic():
            job = ImportJob.objects.select_for_update(of=("self",)).select_related("collection__university", "created_by").get(pk=job.pk)
            if job.status == ImportJob.Status.CHECKING:
                rows = list(job.rows.filter(checked=False).order_by("number")[:limit])
                seen = imports.seen_identifiers(job)
                with translation.override(job.language):
                    for row in rows:
                        row.errors = imports.row_errors(row.data, job.collection, seen, row.number)
                        row.checked = True
                ImportRow.objects.bulk_update(rows, ["errors", "checked"], batch_size=500)
                job.checked_rows = job.rows.filter(checked=True).count()
                job.bad_rows = job.rows.filter(checked=True).exclude(errors=[]).count()
                job.good_rows = job.checked_rows - job.bad_rows
                if job.checked_rows >= job.total_rows:
                    job.status = ImportJob.Status.CHECKED
            elif job.status == ImportJob.Status.IMPORTING:
                rows = list(job.rows.filter(checked=True, errors=[], resource__isnull=True).order_by("number")[:limit])
                created = []
                for row in rows:
                    values, _errors = metadata.clean(row.data)
                    resource = resource_create(collection=job.collection, by=None, audit=False, **{
                        k: v for k, v in values.items() if k != "year"})
                    row.resource = resource
                    created.append(resource.pk)
                ImportRow.objects.bulk_update(rows, ["resource"], batch_size=500)
                Resource.objects.filter(pk__in=created).update(created_by=job.created_by)
                job.imported_rows += len(rows)
                if created:
                    audit_record(actor=job.created_by, action="library.import.chunk", obj=job, org_unit=job.collection.university,
                                 after={"rows": [r.number for r in rows], "resources": created})
                if not rows or job.imported_rows >= job.good_rows:
                    job.status = ImportJob.Status.DONE
                    job.finished_at = timezone.now()
            job.claimed_until = None
            job.save()
    finally:
        ImportJob.objects.filter(pk=job.pk, claimed_until__isnull=False).update(claimed_until=None)
    return job


@transaction.atomic
def import_confirm(*, job: ImportJob, by, request=None) -> ImportJob:
    """Import the good rows of a checked job (all rows when none is bad)."""
    job = ImportJob.objects.select_for_update().select_related("collection__university").get(pk=job.pk)
    _require_librarian(by, job.collection.university)
    if job.status != ImportJob.Status.CHECKED:
        raise DomainError("import_not_checked", _("The rows are not all checked yet, or the import was already confirmed."), status=409)
    if job.good_rows == 0:
        raise DomainError("import_nothing", _("No row can be imported: correct the file and upload it again."),
                          fields={"file": _("Every row has errors.")})
    job.status = ImportJob.Status.IMPORTING
    job.confirmed_at = timezone.now()
    job.save(update_fields=["status", "confirmed_at"])
    audit_record(actor=by, action="library.import.confirm", obj=job, org_unit=job.collection.university,
                 after={"good_rows": job.good_rows, "bad_rows": job.bad_rows}, request=request)
    return job


@transaction.atomic
def import_cancel(*, job: ImportJob, by, request=None) -> ImportJob:
    job = ImportJob.objects.select_for_update().select_related("collection__university").get(pk=job.pk)
    _require_librarian(by, job.collection.university)
    if job.status not in (ImportJob.Status.CHECKING, ImportJob.Status.CHECKED):
        raise DomainError("import_not_cancellable", _("An import that has started cannot be cancelled."), status=409)
    job.status = ImportJob.Status.CANCELLED
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "finished_at"])
    job.rows.all().delete()
    audit_record(actor=by, action="library.import.cancel", obj=job, org_unit=job.collection.university, request=request)
    return job


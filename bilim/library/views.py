"""Pages of the inter-university electronic library (``/<lang>/library/``): search with facets, a
record with its citation and files, the reader streaming a PDF to authorized readers, a
university's collection page; the librarian's dashboard, record and collection forms with file
upload, bulk import with a progress bar; the usage report; the association's subscriptions.

Thin: parse the request, call one selector or service, render. Files are streamed by these views
only after ``access.decide`` allowed them (never served as static media). An anonymous visitor
asking for a file that needs a login is sent to the login page (and back); a logged-in reader
without the right gets a 403 page that says why."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import EmptyPage, Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bilim.core.errors import DomainError
from bilim.core.models import OrgUnit
from bilim.core.params import BadInput, bad_request, int_param

from . import access, citation, files as library_files, selectors, services, usage
from .forms import CollectionForm, FileForm, ImportForm, ResourceForm, SubscriptionForm
from .models import Access, ImportJob, Language, ResourceFile, ResourceType, UsageAction

PER_PAGE = 20
MAX_PAGE = 500  # deeper pages are not useful; narrow the query with facets instead
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _not_found() -> Http404:
    return Http404(_("Not found."))


def _page_number(request) -> int:
    number = int_param(request, "page") or 1
    if number > MAX_PAGE:
        raise BadInput("page", _("The page number is at most %(max)s.") % {"max": MAX_PAGE})
    return max(1, number)


def _client(request) -> str:
    return f"{request.META.get('REMOTE_ADDR', '')}|{request.META.get('HTTP_USER_AGENT', '')[:200]}"


def _count(request, resource, action: str, institution_id: int) -> None:
    session = services.session_id(user=request.user, session_key=request.session.session_key or "", client=_client(request))
    services.usage_record(resource=resource, action=action, session=session, institution_id=institution_id)


def _form_errors(form, error: DomainError) -> None:
    for field, message in error.fields.items():
        form.add_error(field if field in form.fields else None, message)
    if not error.fields:
        form.add_error(None, error.message)


# --- search and records (public) ---------------------------------------------------------------------

@require_GET
def search(request):
    try:
        page = _page_number(request)
    except BadInput as error:
        return bad_request(error)
    q = request.GET.get("q", "").strip()
    filters = {name: request.GET.getlist(name) for name in selectors.FACETS if request.GET.getlist(name)}
    context = {"q": q, "filters": filters, "facet_names": _facet_names(), "types": ResourceType.choices, "languages": Language.choices}
    if q:
        try:
            result = selectors.search(request.user, q, filters=filters, page=page, per_page=PER_PAGE)
        except DomainError as error:
            context["error"] = error.fields.get("q") or error.message
            return render(request, "library/search.html", context, status=200)
        context["result"] = result
        context["page_links"] = _page_links(request, result.page, result.pages)
        context["facet_links"] = _facet_links(request, result)
    else:
        context["universities"] = selectors.universities(request.user)
        context["recent"] = list(selectors.Resource.objects.filter(deleted_at__isnull=True).select_related("university")
                                 .order_by("-created_at", "-pk")[:8])
    return render(request, "library/search.html", context)


def _facet_names() -> dict[str, str]:
    return {"type": _("Type"), "language": _("Language"), "year": _("Year"), "university": _("University"), "subject": _("Subject")}


def _query_with(request, **changes) -> str:
    params = request.GET.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params.setlist(key, value if isinstance(value, list) else [value])
    return "?" + params.urlencode()


def _facet_links(request, result) -> dict[str, list[dict]]:
    links = {}
    for name, values in result.facets.items():
        chosen = request.GET.getlist(name)
        items = []
        for value, label, count, selected in values[:12]:
            new = [v for v in chosen if v != value] if selected else chosen + [value]
            items.append({"value": value, "label": label, "count": count, "selected": selected,
                          "url": _query_with(request, **{name: new or None, "page": None})})
        links[name] = items
    return links


def _page_links(request, page: int, pages: int) -> list[dict]:
    numbers = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    numbers = [n for n in numbers if n <= MAX_PAGE]
    return [{"number": n, "url": _query_with(request, page=str(n)), "current": n == page} for n in numbers]


def record(request, pk: int):
    item = selectors.resource(request.user, pk, deleted=True)
    if item.deleted_at is not None:
        return render(request, "library/record_deleted.html", {"item": item}, status=410)
    item_files = selectors.resource_files(request.user, item)
    decision = access.decide(request.user, item)
    main_pages = next((f.pages for f in item_files if f.pages), None)
    style, cited = citation.citation(item, main_pages)
    _count(request, item, UsageAction.RECORD, decision.institution_id)
    return render(request, "library/record.html", {
        "item": item, "files": item_files, "decision": decision, "rule": access.rule_text(item), "decision_text": access.decision_text(decision),
        "citation_style": style, "citation": cited, "can_manage": services.may_manage(request.user, item.university),
        "login_url": f"{reverse('core:login')}?{urlencode({'next': request.get_full_path()})}",
    })


def _refuse(request, item, decision):
    if decision.needs_login:
        return redirect_to_login(request.get_full_path())
    return render(request, "library/refused.html", {"item": item, "decision": decision, "text": access.decision_text(decision),
                                                    "rule": access.rule_text(item)}, status=403)


@require_GET
def reader(request, pk: int):
    item, decision = selectors.file_for_reader(request.user, pk)
    if not decision.allowed:
        return _refuse(request, item.resource, decision)
    full = ResourceFile.objects.filter(pk=item.pk).values_list("extracted_text", flat=True).first() or ""
    text = [p for p in full.split("\n\n") if p.strip()][:2000]
    if item.mime != library_files.PDF:  # a PDF's reading is counted when the viewer asks for the file
        _count(request, item.resource, UsageAction.READ, decision.institution_id)
    return render(request, "library/reader.html", {"file": item, "item": item.resource, "decision": decision, "text": text,
                                                   "is_pdf": item.mime == library_files.PDF,
                                                   "decision_text": access.decision_text(decision)})


def _content_disposition(kind: str, name: str) -> str:
    ascii_name = name.encode("ascii", "ignore").decode().replace('"', "") or "file"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


def _ranged(item: ResourceFile, request, disposition: str):
    """The file, whole or the one byte range asked for (``Range: bytes=a-b``), streamed."""
    size = item.size
    header = request.headers.get("Range", "").strip()
    handle = item.file.open("rb")
    if header:
        match = RANGE.match(header)
        start = end = None
        if match and (match.group(1) or match.group(2)):
            if match.group(1):
                start = int(match.group(1))
                end = min(int(match.group(2)), size - 1) if match.group(2) else size - 1
            else:  # the last N bytes
                start, end = max(0, size - int(match.group(2))), size - 1
        if start is None or start >= size or end < start:
            handle.close()
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        handle.seek(start)
        length = end - start + 1

        def chunks(remaining=length, chunk=64 * 1024):
            try:
                while remaining > 0:
                    data = handle.read(min(chunk, remaining))
                    if not data:
                        break
                    remaining -= len(data)
                    yield data
            finally:
                handle.close()

        response = StreamingHttpResponse(chunks(), status=206, content_type=item.mime)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(length)
    else:
        response = FileResponse(handle, content_type=item.mime)
        response["Content-Length"] = str(size)
    response["Accept-Ranges"] = "bytes"
    response["Content-Disposition"] = _content_disposition(disposition, item.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def stream(request, pk: int):
    """The file inline (the reader's PDF viewer)."""
    return _serve(request, pk, UsageAction.READ, "inline")


@require_GET
def download(request, pk: int):
    return _serve(request, pk, UsageAction.DOWNLOAD, "attachment")


def _serve(request, pk: int, action: str, disposition: str):
    """A file to a reader who may open it; the first request of a reading or download is counted
    (a viewer's later byte-range requests are not)."""
    item, decision = selectors.file_for_reader(request.user, pk)
    if not decision.allowed:
        return _refuse(request, item.resource, decision)
    header = request.headers.get("Range", "")
    if not header or header.startswith("bytes=0-"):
        _count(request, item.resource, action, decision.institution_id)
    return _ranged(item, request, disposition)


@require_GET
def university(request, pk: int):
    unit = selectors.university(request.user, pk)
    try:
        page_number = _page_number(request)
        collection_id = int_param(request, "collection")
    except BadInput as error:
        return bad_request(error)
    collections = selectors.university_collections(request.user, unit)
    chosen = None
    if collection_id is not None:
        chosen = next((c for c in collections if c.pk == collection_id), None)
        if chosen is None:
            raise _not_found()
    type_ = request.GET.get("type", "")
    language = request.GET.get("language", "")
    if type_ and type_ not in ResourceType.values:
        return bad_request(BadInput("type", _("Choose one of the allowed values.")))
    if language and language not in Language.values:
        return bad_request(BadInput("language", _("Choose one of the allowed values.")))
    paginator = Paginator(selectors.university_resources(request.user, unit, collection=chosen, type=type_, language=language), PER_PAGE)
    try:
        page = paginator.page(page_number)
    except EmptyPage:
        page = paginator.page(paginator.num_pages)
    return render(request, "library/university.html", {
        "unit": unit, "collections": collections, "chosen": chosen, "page": page, "type": type_, "language": language,
        "types": ResourceType.choices, "languages": Language.choices, "can_manage": services.may_manage(request.user, unit),
        "page_links": [{"number": n, "url": _query_with(request, page=str(n)), "current": n == page.number}
                       for n in sorted({1, paginator.num_pages, *range(max(1, page.number - 2), min(paginator.num_pages, page.number + 2) + 1)})],
    })


# --- the librarian's pages ---------------------------------------------------------------------------

@login_required
@require_GET
def dashboard(request):
    board = selectors.dashboard(request.user)
    try:
        page_number = _page_number(request)
        collection_id = int_param(request, "collection")
    except BadInput as error:
        return bad_request(error)
    collection = selectors.managed_collection(request.user, collection_id) if collection_id else None
    status = request.GET.get("status", "")
    if status not in ("", "failed", "pending", "nofile"):
        return bad_request(BadInput("status", _("Choose one of the allowed values.")))
    q = request.GET.get("q", "").strip()[:200]
    paginator = Paginator(selectors.managed_resources(request.user, collection=collection, q=q, status=status)
                          .prefetch_related("files"), PER_PAGE)
    try:
        page = paginator.page(page_number)
    except EmptyPage:
        page = paginator.page(paginator.num_pages)
    return render(request, "library/dashboard.html", {
        "board": board, "page": page, "collection": collection, "status": status, "q": q, "failures": library_files.FAILURES,
        "page_links": [{"number": n, "url": _query_with(request, page=str(n)), "current": n == page.number}
                       for n in sorted({1, paginator.num_pages, *range(max(1, page.number - 2), min(paginator.num_pages, page.number + 2) + 1)})],
    })


def _resource_values(form) -> dict:
    data = form.cleaned_data
    return {k: data.get(k) for k in ("title", "creators", "subjects", "description", "publisher", "issued", "type", "language", "isbn", "doi",
                                     "url", "rights", "access", "embargo_until")}


@login_required
@require_http_methods(["GET", "POST"])
def record_new(request):
    collections = list(selectors.managed_collections(request.user))
    if not collections:
        raise _not_found()
    initial = {"access": Access.OPEN}
    if request.GET.get("collection", "").isdigit():
        initial["collection"] = int(request.GET["collection"])
    form = ResourceForm(request.POST or None, collections=collections, initial=initial)
    file_form = FileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid() and file_form.is_valid():
        collection = next(c for c in collections if c.pk == form.cleaned_data["collection"])
        upload = file_form.cleaned_data.get("file")
        try:
            with transaction.atomic():
                item = services.resource_create(collection=collection, by=request.user, request=request, **_resource_values(form))
                if upload:
                    services.file_add(resource=item, upload=upload, by=request.user, request=request)
        except DomainError as error:
            for field, message in error.fields.items():
                target = file_form if field == "file" else form
                target.add_error(field if field in target.fields else None, message)
            if not error.fields:
                form.add_error(None, error.message)
        else:
            messages.success(request, _("The record was saved."))
            return redirect("library:record_edit", pk=item.pk)
    return render(request, "library/record_form.html", {"form": form, "file_form": file_form, "item": None})


@login_required
@require_http_methods(["GET", "POST"])
def record_edit(request, pk: int):
    item = selectors.managed_resource(request.user, pk)
    collections = list(selectors.managed_collections(request.user).filter(university=item.university))
    initial = {k: getattr(item, k) for k in ("title", "description", "publisher", "issued", "type", "language", "isbn", "doi", "url", "rights",
                                             "access", "embargo_until")}
    initial |= {"collection": item.collection_id, "creators": "\n".join(item.creators or []), "subjects": "\n".join(item.subjects or [])}
    form = ResourceForm(request.POST or None, collections=collections, initial=initial)
    if request.method == "POST" and form.is_valid():
        collection = next(c for c in collections if c.pk == form.cleaned_data["collection"])
        try:
            services.resource_update(resource=item, collection=collection, by=request.user, request=request, **_resource_values(form))
        except DomainError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The record was saved."))
            return redirect("library:record_edit", pk=item.pk)
    return render(request, "library/record_form.html", {
        "form": form, "file_form": FileForm(), "item": item, "files": selectors.resource_files(request.user, item),
        "failures": library_files.FAILURES, "max_mb": library_files.max_bytes() // (1024 * 1024),
    })


@login_required
@require_POST
def file_upload(request, pk: int):
    item = selectors.managed_resource(request.user, pk)
    file_form = FileForm(request.POST, request.FILES)
    if file_form.is_valid():
        try:
            services.file_add(resource=item, upload=file_form.cleaned_data.get("file"), by=request.user, request=request)
        except DomainError as error:
            file_form.add_error("file", error.fields.get("file") or error.message)
        else:
            messages.success(request, _("The file was uploaded; its text will be extracted in a moment."))
            return redirect("library:record_edit", pk=item.pk)
    collections = list(selectors.managed_collections(request.user).filter(university=item.university))
    initial = {k: getattr(item, k) for k in ("title", "description", "publisher", "issued", "type", "language", "isbn", "doi", "url", "rights",
                                             "access", "embargo_until")}
    initial |= {"collection": item.collection_id, "creators": "\n".join(item.creators or []), "subjects": "\n".join(item.subjects or [])}
    return render(request, "library/record_form.html", {
        "form": ResourceForm(collections=collections, initial=initial), "file_form": file_form, "item": item,
        "files": selectors.resource_files(request.user, item), "failures": library_files.FAILURES,
        "max_mb": library_files.max_bytes() // (1024 * 1024),
    }, status=400)


@login_required
@require_POST
def file_remove(request, pk: int):
    item = selectors.managed_file(request.user, pk)
    services.file_remove(file=item, by=request.user, request=request)
    messages.success(request, _("The file was removed."))
    return redirect("library:record_edit", pk=item.resource_id)


@login_required
@require_POST
def file_retry(request, pk: int):
    item = selectors.managed_file(request.user, pk)
    try:
        services.file_retry(file=item, by=request.user, request=request)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The text extraction was queued again."))
    return redirect("library:record_edit", pk=item.resource_id)


@login_required
@require_POST
def record_delete(request, pk: int):
    item = selectors.managed_resource(request.user, pk)
    services.resource_delete(resource=item, by=request.user, request=request)
    messages.success(request, _("The record «%(title)s» was withdrawn.") % {"title": item.title})
    return redirect("library:dashboard")


@login_required
@require_GET
def file_status(request, pk: int):
    """The extraction status of a record's files (the edit page polls it while one is pending)."""
    item = selectors.managed_resource(request.user, pk)
    return render(request, "library/_files.html", {"item": item, "files": selectors.resource_files(request.user, item),
                                                   "failures": library_files.FAILURES})


@login_required
@require_http_methods(["GET", "POST"])
def collection_form(request, pk: int | None = None):
    units = selectors.managed_universities(request.user)
    if not units:
        raise _not_found()
    collection = selectors.managed_collection(request.user, pk) if pk else None
    initial = {}
    if collection is not None:
        initial = {k: getattr(collection, k) for k in ("code", "name_kk", "name_ru", "name_en", "description")} | {"university": collection.university_id}
    form = CollectionForm(request.POST or None, universities=units if collection is None else [collection.university], initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in ("code", "name_kk", "name_ru", "name_en", "description")}
        try:
            if collection is None:
                unit = next(u for u in units if u.pk == form.cleaned_data["university"])
                collection = services.collection_create(university=unit, by=request.user, request=request, **data)
            else:
                services.collection_update(collection=collection, by=request.user, request=request, **data)
        except DomainError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The collection was saved."))
            return redirect(f"{reverse('library:dashboard')}?collection={collection.pk}")
    return render(request, "library/collection_form.html", {"form": form, "collection": collection})


# --- bulk import -------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def import_new(request):
    collections = list(selectors.managed_collections(request.user))
    if not collections:
        raise _not_found()
    form = ImportForm(request.POST or None, request.FILES or None, collections=collections)
    if request.method == "POST" and form.is_valid():
        collection = next(c for c in collections if c.pk == form.cleaned_data["collection"])
        try:
            job = services.import_start(collection=collection, upload=form.cleaned_data.get("file"), by=request.user, request=request)
        except DomainError as error:
            _form_errors(form, error)
        else:
            return redirect("library:import_job", pk=job.pk)
    from .imports import HEADER_ALIASES

    return render(request, "library/import_new.html", {"form": form, "columns": list(HEADER_ALIASES), "jobs": selectors.managed_imports(request.user)})


@login_required
@require_GET
def import_template(request):
    """An empty CSV with the column names and one example row."""
    if not selectors.managed_universities(request.user):
        raise _not_found()
    from .imports import HEADER_ALIASES

    header = ",".join(HEADER_ALIASES)
    example = ('"Қазақстан тарихы","Әбенов, Серік Қайратұлы; Исаева, Айгүл",тарих; Қазақстан,"Жоғары оқу орындарына арналған оқулық",'
               'Фолиант,2021,textbook,kk,9786010000004,,,"CC BY 4.0",subscribers,')
    response = HttpResponse(("\ufeff" + header + "\r\n" + example + "\r\n").encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="library-import.csv"'
    return response


def _job_context(request, job: ImportJob) -> dict:
    percent = 0
    if job.status == ImportJob.Status.CHECKING and job.total_rows:
        percent = round(100 * job.checked_rows / job.total_rows)
    elif job.status == ImportJob.Status.IMPORTING and job.good_rows:
        percent = round(100 * job.imported_rows / job.good_rows)
    elif job.status in (ImportJob.Status.CHECKED, ImportJob.Status.DONE):
        percent = 100
    labels = {name: field.label for name, field in ResourceForm.base_fields.items()} | {"row": _("Row")}
    bad = selectors.import_bad_rows(request.user, job) if job.status in (ImportJob.Status.CHECKED, ImportJob.Status.IMPORTING,
                                                                         ImportJob.Status.DONE) else []
    for row in bad:
        for problem in row["errors"]:
            problem["label"] = labels.get(problem["field"], problem["field"])
    return {"job": job, "percent": percent, "bad": bad, "running": job.status in (ImportJob.Status.CHECKING, ImportJob.Status.IMPORTING)}


@login_required
@require_GET
def import_job(request, pk: int):
    job = selectors.managed_import(request.user, pk)
    return render(request, "library/import_job.html", _job_context(request, job))


@login_required
@require_GET
def import_progress(request, pk: int):
    """The progress part of the import page; each poll also advances the job by one chunk, so an
    import proceeds even when no worker runs."""
    job = selectors.managed_import(request.user, pk)
    job = services.import_step(job=job)
    response = render(request, "library/_import_progress.html", _job_context(request, job))
    if job.status not in (ImportJob.Status.CHECKING, ImportJob.Status.IMPORTING):
        response["HX-Refresh"] = "true"  # the whole page changes (bad rows, the confirmation)
    return response


@login_required
@require_POST
def import_confirm(request, pk: int):
    job = selectors.managed_import(request.user, pk)
    try:
        services.import_confirm(job=job, by=request.user, request=request)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("library:import_job", pk=job.pk)


@login_required
@require_POST
def import_cancel(request, pk: int):
    job = selectors.managed_import(request.user, pk)
    try:
        services.import_cancel(job=job, by=request.user, request=request)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The import was cancelled; nothing was imported."))
    return redirect("library:import_new")


# --- usage reports -----------------------------------------------------------------------------------

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def _month_param(request, name: str, default: dt.date) -> dt.date:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    match = MONTH.match(raw)
    if not match or not 1 <= int(match.group(2)) <= 12 or not 2000 <= int(match.group(1)) <= 2100:
        raise BadInput(name, _("Enter a month as YYYY-MM."))
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


def _report_request(request):
    today = timezone.localdate().replace(day=1)
    first_default = (today - dt.timedelta(days=150)).replace(day=1)
    first = _month_param(request, "from", first_default)
    last = _month_param(request, "to", today)
    if last < first:
        raise BadInput("to", _("The last month cannot be before the first."))
    if len(usage.months_between(first, last)) > 36:
        raise BadInput("to", _("At most 36 months in one report."))
    unit_id = int_param(request, "university")
    unit = None
    if unit_id is not None:
        unit = OrgUnit.objects.filter(pk=unit_id).first()
        if unit is None:
            raise _not_found()
    return first, last, unit


@login_required
@require_GET
def usage_report(request):
    allowed = selectors.report_universities(request.user)
    try:
        first, last, unit = _report_request(request)
    except BadInput as error:
        return bad_request(error)
    report = usage.build(request.user, first=first, last=last, university=unit)
    return render(request, "library/usage.html", {
        "report": report, "metrics": usage.METRICS, "first": first, "last": last, "unit": unit,
        "universities": allowed if allowed is not None else selectors.universities(request.user), "association": allowed is None,
        "query": request.GET.urlencode(),
    })


@login_required
@require_GET
def usage_export(request, fmt: str):
    try:
        first, last, unit = _report_request(request)
    except BadInput as error:
        return bad_request(error)
    report = usage.build(request.user, first=first, last=last, university=unit)
    name = f"library-usage-{first:%Y-%m}-{last:%Y-%m}"
    if fmt == "csv":
        response = HttpResponse(usage.to_csv(report), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(usage.to_xlsx(report), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


# --- subscriptions (the association) -----------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def subscriptions(request):
    rows = selectors.subscriptions(request.user)
    q = request.GET.get("q", "").strip()[:100]
    institutions = selectors.subscription_institutions(request.user, q)
    form = SubscriptionForm(request.POST or None, institutions=selectors.subscription_institutions(request.user, "", limit=5000)
                            if request.method == "POST" else institutions,
                            initial={"starts": timezone.localdate(), "ends": timezone.localdate().replace(month=12, day=31)})
    if request.method == "POST" and form.is_valid():
        institution = OrgUnit.objects.filter(pk=form.cleaned_data["institution"]).first()
        try:
            services.subscription_create(institution=institution, starts=form.cleaned_data["starts"], ends=form.cleaned_data["ends"],
                                         note=form.cleaned_data["note"], by=request.user, request=request)
        except DomainError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The subscription was saved."))
            return redirect("library:subscriptions")
    today = timezone.localdate()
    return render(request, "library/subscriptions.html", {"rows": rows[:500], "form": form, "today": today, "q": q})


@login_required
@require_POST
def subscription_end(request, pk: int):
    sub = selectors.subscription(request.user, pk)
    raw = request.POST.get("ends", "")
    try:
        ends = dt.date.fromisoformat(raw)
    except ValueError:
        messages.error(request, _("Enter a date as YYYY-MM-DD."))
        return redirect("library:subscriptions")
    try:
        services.subscription_end(subscription=sub, ends=ends, by=request.user, request=request)
    except DomainError as error:
        messages.error(request, "; ".join(error.fields.values()) or error.message)
    else:
        messages.success(request, _("The subscription was changed."))
    return redirect("library:subscriptions")


def home_widgets(request) -> dict:
    """The library's card on the home page: a search box, and the librarian's and reports' links."""
    from bilim.core.models import Role
    from bilim.core.scope import Scope

    user = request.user
    return {"library_widget": {
        "is_librarian": bool(Scope.of(user, [Role.LIBRARIAN])),
        "sees_usage": bool(Scope.of(user, [Role.LIBRARIAN, Role.ORG_HEAD])) or services.is_association(user),
        "memberships": access.memberships(user),
    }}

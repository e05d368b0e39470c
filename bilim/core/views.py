"""Core pages: landing and role home, login/logout/password, API tokens, the org tree browser and
the working-day calendar. Thin: parse, call one selector or service, render."""

from __future__ import annotations

from datetime import date, datetime, time

from django.apps import apps
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.conf import settings
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from . import calendar, selectors, services
from .errors import DomainError
from .forms import CalendarOverrideForm, DeadlineForm, LoginForm, PasswordChangeForm, TokenForm
from .models import CalendarOverride, Level, Notification, OrgKind, Role
from .notifications import render as render_notification
from .paths import is_ascii_digits
from .scope import Scope

PAGE_SIZE = 50


def _apply_errors(form, error: DomainError) -> None:
    for field, message in error.fields.items():
        form.add_error(field if field in form.fields else None, message)
    if not error.fields:
        form.add_error(None, error.message)


# --- landing and home -----------------------------------------------------------------------------

def home(request):
    if not request.user.is_authenticated:
        return render(request, "core/landing.html")
    user = request.user
    role = selectors.primary_role(user)
    grants = selectors.user_grants(user)
    context = {"role": role, "grants": grants, "roots": selectors.scope_roots(user)}
    if role in (Role.SYSADMIN, Role.MINISTRY_OFFICER, Role.REGION_OFFICER, Role.DISTRICT_OFFICER):
        root = context["roots"][0] if context["roots"] else None
        context["summary"] = selectors.scope_summary(user)
        context["children"] = list(selectors.orgunit_children(user, root)[:40]) if root else []
        context["root"] = root
    else:
        context["organizations"] = [g.org_unit for g in grants]
    template = {
        Role.SYSADMIN: "core/home/officer.html",
        Role.MINISTRY_OFFICER: "core/home/officer.html",
        Role.REGION_OFFICER: "core/home/officer.html",
        Role.DISTRICT_OFFICER: "core/home/officer.html",
        None: "core/home/no_role.html",
    }.get(role, "core/home/member.html")
    if role is not None:
        # each app may put its widgets on the home page: AppConfig.home_widgets(request) + home_template
        context["app_widgets"] = []
        for config in apps.get_app_configs():
            if hasattr(config, "home_widgets"):
                context.update(config.home_widgets(request))
                context["app_widgets"].append(config.home_template)
        context.update(notifications_for(user))
    if "summary" in context:
        context["kinds"] = [(label, context["summary"].by_kind[value]) for value, label in OrgKind.choices if value in context["summary"].by_kind]
    return render(request, template, context)


def set_language(request):
    """Django's ``set_language``, reading the page's language from the prefix of ``next``.

    Django translates ``next`` in the language of the request (cookie, Accept-Language); when the
    page is /ru/… and the browser says kk, it could not resolve the path and left the URL in Russian."""
    next_url = request.POST.get("next", "") or request.GET.get("next", "")
    if request.method == "POST" and request.POST.get("language") not in dict(settings.LANGUAGES):
        # Django would accept any language it ships (de, fr…) and send the user to a 404
        safe = url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure())
        return redirect(next_url if safe and next_url else "/")
    language = translation.get_language_from_path(next_url)
    if language:
        translation.activate(language)
    return django_set_language(request)


def notifications_for(user, limit: int = 10) -> dict:
    """The user's latest notifications, unread first, in their language; the shown ones become read."""
    notes = list(Notification.objects.filter(user=user).order_by(F("read_at").asc(nulls_first=True), "-created_at")[:limit])
    unread = [n.pk for n in notes if n.read_at is None]
    if unread:
        Notification.objects.filter(pk__in=unread).update(read_at=timezone.now())
    language = translation.get_language() or "kk"
    rendered = [{"text": render_notification(n), "unread": n.pk in unread, "created_at": n.created_at,
                 "link": f"/{language}{n.link}" if n.link.startswith("/") else n.link} for n in notes]
    return {"notifications": rendered, "unread_count": len(unread)}


# --- accounts -------------------------------------------------------------------------------------

class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


def locked_out(request, credentials=None, *args, **kwargs):
    """django-axes calls this when a user name has failed too often."""
    return render(request, "core/locked.html", status=403)


@login_required
def password_change(request):
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(user=request.user, old_password=form.cleaned_data["old_password"],
                                     new_password=form.cleaned_data["new_password1"], request=request)
        except DomainError as error:
            _apply_errors(form, error)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password was changed."))
            return redirect("core:home")
    return render(request, "core/password_change.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def tokens(request):
    form = TokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        expires = form.cleaned_data.get("expires_at")
        expires_at = timezone.make_aware(datetime.combine(expires, time.max)) if expires else None
        try:
            _token, secret = services.token_create(user=request.user, name=form.cleaned_data["name"], expires_at=expires_at, request=request)
        except DomainError as error:
            _apply_errors(form, error)
        else:
            form = TokenForm()
    status = 400 if form.errors else 200
    return render(request, "core/tokens.html", {"form": form, "secret": secret, "tokens": selectors.user_tokens(request.user)}, status=status)


@login_required
@require_POST
def token_revoke(request, token_id: int):
    token = selectors.user_tokens(request.user).filter(pk=token_id).first()
    if token is None:
        raise Http404(_("Not found."))
    services.token_revoke(token=token, by=request.user, request=request)
    messages.success(request, _("The token was revoked."))
    return redirect("core:tokens")


# --- org tree -------------------------------------------------------------------------------------

def _search_args(request):
    level = request.GET.get("level", "")
    kind = request.GET.get("kind", "")
    errors = []
    if level and (not is_ascii_digits(level) or int(level) not in Level.values):
        errors.append(_("Unknown level."))
        level = ""
    if kind and kind not in OrgKind.values:
        errors.append(_("Unknown organization kind."))
        kind = ""
    query = request.GET.get("q", "").replace("\x00", "").strip()[:200]
    return query, (int(level) if level else None), kind, errors


@login_required
def org_browser(request, unit_id: int | None = None):
    user = request.user
    unit = selectors.orgunit_get(user, unit_id) if unit_id is not None else None
    query, level, kind, errors = _search_args(request)
    searching = bool(query or level is not None or kind)
    if searching:
        results = selectors.orgunit_search(user, query=query, level=level, kind=kind, within=unit)
    elif unit is not None:
        results = selectors.orgunit_children(user, unit)
    else:
        results = None
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page")) if results is not None else None
    context = {
        "unit": unit,
        "roots": selectors.scope_roots(user) if unit is None else [],
        "breadcrumbs": selectors.orgunit_breadcrumbs(user, unit) if unit else [],
        "page": page,
        "searching": searching,
        "query": query,
        "level": level,
        "kind": kind,
        "errors": errors,
        "levels": Level.choices,
        "kinds": OrgKind.choices,
        "summary": selectors.scope_summary(user, within=unit) if unit is not None and unit.level < Level.ORGANIZATION else None,
    }
    template = "core/org/_results.html" if request.headers.get("HX-Request") else "core/org/browser.html"
    return render(request, template, context)


# --- working-day calendar ---------------------------------------------------------------------------

@login_required
def calendar_page(request):
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    year = min(max(year, 1992), 2100)
    deadline_form = DeadlineForm(request.GET if "date" in request.GET else None)
    deadline = None
    if deadline_form.is_bound and deadline_form.is_valid():
        day = deadline_form.cleaned_data["date"]
        if 1992 <= day.year <= 2100:
            deadline = {"date": day, "effective": calendar.effective_deadline(day), "working": calendar.is_working_day(day)}
        else:
            deadline_form.add_error("date", _("Choose a year from 1992 to 2100."))
    can_edit = Scope.of(request.user, [Role.SYSADMIN])
    form = CalendarOverrideForm(request.POST or None) if can_edit else None
    if request.method == "POST":
        if not can_edit:
            return HttpResponseForbidden(_("Only a system administrator can move days."))
        if form.is_valid():
            try:
                services.calendar_override_set(day=form.cleaned_data["date"], kind=form.cleaned_data["kind"],
                                               reason=form.cleaned_data["reason"], by=request.user, request=request)
            except DomainError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("The moved day was saved."))
                return redirect(f"{request.path}?year={form.cleaned_data['date'].year}")
    off = calendar.days_off(date(year, 1, 1), date(year, 12, 31))
    weekday_off = [(d, calendar.day_off_reason(d)) for d in off if d.weekday() < 5]
    overrides = CalendarOverride.objects.filter(date__year=year)
    context = {
        "year": year, "weekday_days_off": weekday_off, "overrides": overrides, "form": form,
        "deadline_form": deadline_form, "deadline": deadline, "working_days": (date(year + 1, 1, 1) - date(year, 1, 1)).days - len(off),
        "days_off_count": len(off),
    }
    return render(request, "core/calendar.html", context, status=400 if form is not None and form.errors else 200)

"""Query parameters of pages: a malformed one is a 400 naming the parameter and the reason, in the
user's language (a plain-text answer: these come from edited URLs, not from forms)."""

from __future__ import annotations

from django.http import HttpResponseBadRequest
from django.utils.translation import gettext as _


class BadInput(Exception):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def int_param(request, name: str) -> int | None:
    """An optional positive integer query parameter; a malformed one raises ``BadInput``."""
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 12:
        raise BadInput(name, _("Enter a whole number."))
    return int(raw)


def bad_request(error: BadInput) -> HttpResponseBadRequest:
    return HttpResponseBadRequest(f"{error.field}: {error.message}", content_type="text/plain; charset=utf-8")

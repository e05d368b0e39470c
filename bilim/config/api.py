"""The versioned REST API at /api/v1/: authentication, error shape, and the routers of each app.

Every error is JSON ``{"code": <stable machine code>, "message": <in the caller's language>}``,
with ``errors: [{"field", "message"}]`` when particular fields are at fault. The language follows
the ``Accept-Language`` header (kk, ru, en)."""

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer, SessionAuth

from bilim.core.errors import DomainError
from bilim.core.services import token_authenticate


class TokenAuth(HttpBearer):
    """``Authorization: Bearer bilim_…`` — a personal token made on the account page."""

    def authenticate(self, request, token):
        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class SessionCsrfAuth(SessionAuth):
    """The browser's session; unsafe methods need the CSRF token, as on pages."""

    def __init__(self):
        super().__init__(csrf=True)

    def __call__(self, request):
        # Without a logged-in session there is nothing to protect from CSRF: let the token
        # authenticator answer (401 when it finds no valid token either).
        if not getattr(request, "user", None) or not request.user.is_authenticated:
            return None
        return super().__call__(request)


api = NinjaAPI(
    title="Bilim API",
    version="1",
    description="Kazakhstan's unified education information system. Authenticate with the session "
    "of a logged-in browser or with a personal token: `Authorization: Bearer bilim_…`.",
    auth=[TokenAuth(), SessionCsrfAuth()],
    urls_namespace="api-v1",
    docs_url="/docs",
)

PYDANTIC_MESSAGES = {
    "missing": lambda: _("This field is required."),
    "int_parsing": lambda: _("Enter a whole number."),
    "int_type": lambda: _("Enter a whole number."),
    "float_parsing": lambda: _("Enter a number."),
    "bool_parsing": lambda: _("Enter true or false."),
    "date_from_datetime_parsing": lambda: _("Enter a date as YYYY-MM-DD."),
    "date_parsing": lambda: _("Enter a date as YYYY-MM-DD."),
    "datetime_parsing": lambda: _("Enter a date and time in ISO 8601 format."),
    "string_too_long": lambda: _("The text is too long."),
    "string_too_short": lambda: _("The text is too short."),
    "greater_than_equal": lambda: _("The value is too small."),
    "less_than_equal": lambda: _("The value is too large."),
    "greater_than": lambda: _("The value is too small."),
    "less_than": lambda: _("The value is too large."),
    "enum": lambda: _("Choose one of the allowed values."),
    "literal_error": lambda: _("Choose one of the allowed values."),
    "json_invalid": lambda: _("The request body is not valid JSON."),
    "model_attributes_type": lambda: _("The request body must be a JSON object."),
    "dict_type": lambda: _("The request body must be a JSON object."),
}


def _field_name(loc) -> str:
    parts = [str(part) for part in loc if part not in ("body", "query", "path", "payload", "header", "cookie", "form")]
    return ".".join(parts) or "body"


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    errors = []
    for error in exc.errors:
        make = PYDANTIC_MESSAGES.get(error.get("type", ""))
        errors.append({"field": _field_name(error.get("loc", ())), "message": make() if make else _("This value is not valid.")})
    return api.create_response(request, {"code": "validation_error", "message": _("The request has errors."), "errors": errors}, status=422)


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return api.create_response(request, {"code": "not_found", "message": _("Not found.")}, status=404)


@api.exception_handler(AuthenticationError)
def on_unauthorized(request, exc):
    return api.create_response(
        request, {"code": "unauthorized", "message": _("Log in or send a valid API token.")}, status=401
    )


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    known = {
        400: ("bad_request", _("The request is not valid.")),
        403: ("forbidden", _("You may not do this. If you submitted a form, reload the page and try again.")),
        404: ("not_found", _("Not found.")),
        405: ("method_not_allowed", _("This method is not allowed here.")),
        409: ("conflict", _("The data was changed by someone else; reload and try again.")),
    }
    code, message = known.get(exc.status_code, ("error", _("The request could not be completed.")))
    return api.create_response(request, {"code": code, "message": message}, status=exc.status_code)


from bilim.cooperation.api import router as cooperation_router  # noqa: E402
from bilim.core.api import router as core_router  # noqa: E402
from bilim.journal.api import router as journal_router  # noqa: E402
from bilim.library.api import router as library_router  # noqa: E402
from bilim.reporting.api import router as reporting_router  # noqa: E402

api.add_router("/", core_router)
api.add_router("/reporting/", reporting_router)
api.add_router("/journal/", journal_router)
api.add_router("/library/", library_router)
api.add_router("/cooperation/", cooperation_router)

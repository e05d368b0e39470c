"""Template helpers of the library's pages: its sub-navigation and a few labels."""

from django import template

from bilim.core.models import Role
from bilim.core.scope import Scope

from .. import files, services
from ..models import Language, ResourceType

register = template.Library()


@register.inclusion_tag("library/_nav.html", takes_context=True)
def library_nav(context, active: str = ""):
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "active": active,
        "is_librarian": bool(Scope.of(user, [Role.LIBRARIAN])),
        "sees_usage": bool(Scope.of(user, [Role.LIBRARIAN, Role.ORG_HEAD])) or services.is_association(user),
        "is_association": services.is_association(user),
    }


@register.filter
def type_label(code: str) -> str:
    return str(dict(ResourceType.choices).get(code, code))


@register.filter
def language_label(code: str) -> str:
    return str(dict(Language.choices).get(code, code))


@register.filter
def failure_label(code: str) -> str:
    return str(files.FAILURES.get(code, code))


@register.filter
def filesize(size: int) -> str:
    size = int(size or 0)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return str(size)


@register.filter
def format_label(mime: str) -> str:
    return files.EXTENSION_BY_MIME.get(mime, "").lstrip(".").upper() or mime


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def any_pending(items) -> bool:
    return any(getattr(f, "status", "") == "pending" for f in items or [])


@register.filter
def sum_values(values) -> int:
    return sum(values or [])

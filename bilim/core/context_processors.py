from django.conf import settings

from .selectors import primary_role


def bilim(request):
    user = getattr(request, "user", None)
    role = primary_role(user) if user is not None and user.is_authenticated else None
    return {"bilim_languages": settings.LANGUAGES, "bilim_role": role}

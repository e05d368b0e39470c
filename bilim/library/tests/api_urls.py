"""The URLs the library's API tests run against: the project's own, plus — until the lead adds the
library's router to ``bilim/config/api.py`` — a twin of the project's API (same authentication and
error handlers) serving ``bilim.library.api.router`` at ``/api/v1/library/``."""

from django.urls import path
from ninja import NinjaAPI

from bilim.config import api as project
from bilim.config.urls import urlpatterns as project_urlpatterns
from bilim.library.api import router


def _wired() -> bool:
    return any(prefix.strip("/") == "library" for prefix, _router in project.api._routers)


if _wired():
    urlpatterns = list(project_urlpatterns)
else:
    twin = NinjaAPI(title="Bilim API (library tests)", version="1-library-tests", auth=project.api.auth, urls_namespace="api-v1-library-tests",
                    docs_url=None)
    twin._exception_handlers = dict(project.api._exception_handlers)
    twin.add_router("/library/", router)
    urlpatterns = [path("api/v1/", twin.urls), *project_urlpatterns]

"""The project's URLs with the cooperation router served at /api/v1/cooperation/ by an API of the
tests (the same authentication and error handlers as the project's), for as long as the lead has
not added ``api.add_router("/cooperation/", cooperation_router)`` to ``config/api.py``."""

from django.urls import path
from ninja import NinjaAPI

from bilim.config import api as project_api
from bilim.config.urls import urlpatterns as project_urlpatterns
from bilim.cooperation.api import router

api = NinjaAPI(title="Bilim API (cooperation tests)", version="1-cooperation-tests", auth=project_api.api.auth,
               urls_namespace="api-v1-cooperation-tests", docs_url=None)
api._exception_handlers = dict(project_api.api._exception_handlers)
api.add_router("/cooperation/", router)

urlpatterns = [path("api/v1/", api.urls), *project_urlpatterns]

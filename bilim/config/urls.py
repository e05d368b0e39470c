from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from bilim.config.api import api
from bilim.core import views as core_views
from bilim.library import oai as library_oai
from bilim.ops import views as ops_views

urlpatterns = [
    path("healthz", ops_views.healthz, name="healthz"),
    path("metrics", ops_views.metrics_view, name="metrics"),
    path("api/v1/", api.urls),
    path("oai", library_oai.endpoint, name="oai"),  # OAI-PMH 2.0 (L4, D2): harvesters use no language prefix
    path("i18n/setlang/", core_views.set_language, name="set_language"),
]

urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("", include("bilim.core.urls")),
    path("reporting/", include("bilim.reporting.urls")),
    path("reporting/reports/", include("bilim.reporting.report_urls")),
    path("journal/", include("bilim.journal.urls")),
    path("analytics/", include("bilim.analytics.urls")),
    path("rating/", include("bilim.analytics.rating_urls")),
    path("library/", include("bilim.library.urls")),
    path("cooperation/", include("bilim.cooperation.urls")),
    prefix_default_language=True,
)

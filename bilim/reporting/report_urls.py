from django.urls import path

from . import report_views

app_name = "reporting_reports"

# Summary reports (R10) and time series (R11): report_views.py.
urlpatterns = [
    path("campaigns/<int:campaign_id>/", report_views.campaign_summary, name="campaign_summary"),
    path("campaigns/<int:campaign_id>/sdmx.csv", report_views.campaign_sdmx, name="campaign_sdmx"),
    path("indicators/<slug:code>/", report_views.indicator_series, name="indicator_series"),
]

from django.urls import path

app_name = "reporting_reports"

# Summary reports (report_views.py): filled in by the reports work.
urlpatterns: list = []

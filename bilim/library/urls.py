from django.urls import path

from . import views

app_name = "library"

# Pages of the inter-university electronic library (views.py), mounted at /<lang>/library/.
urlpatterns = [
    path("", views.search, name="search"),
    path("records/<int:pk>/", views.record, name="record"),
    path("files/<int:pk>/read/", views.reader, name="reader"),
    path("files/<int:pk>/stream/", views.stream, name="stream"),
    path("files/<int:pk>/download/", views.download, name="download"),
    path("universities/<int:pk>/", views.university, name="university"),
    # librarians
    path("manage/", views.dashboard, name="dashboard"),
    path("manage/records/new/", views.record_new, name="record_new"),
    path("manage/records/<int:pk>/", views.record_edit, name="record_edit"),
    path("manage/records/<int:pk>/files/", views.file_upload, name="file_upload"),
    path("manage/records/<int:pk>/files/status/", views.file_status, name="file_status"),
    path("manage/records/<int:pk>/delete/", views.record_delete, name="record_delete"),
    path("manage/files/<int:pk>/remove/", views.file_remove, name="file_remove"),
    path("manage/files/<int:pk>/retry/", views.file_retry, name="file_retry"),
    path("manage/collections/new/", views.collection_form, name="collection_new"),
    path("manage/collections/<int:pk>/", views.collection_form, name="collection_edit"),
    path("manage/imports/", views.import_new, name="import_new"),
    path("manage/imports/template.csv", views.import_template, name="import_template"),
    path("manage/imports/<int:pk>/", views.import_job, name="import_job"),
    path("manage/imports/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("manage/imports/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("manage/imports/<int:pk>/cancel/", views.import_cancel, name="import_cancel"),
    # usage reports (a university's librarians and head; the association)
    path("usage/", views.usage_report, name="usage"),
    path("usage/report.csv", views.usage_export, {"fmt": "csv"}, name="usage_csv"),
    path("usage/report.xlsx", views.usage_export, {"fmt": "xlsx"}, name="usage_xlsx"),
    # subscriptions (the association)
    path("subscriptions/", views.subscriptions, name="subscriptions"),
    path("subscriptions/<int:pk>/end/", views.subscription_end, name="subscription_end"),
]

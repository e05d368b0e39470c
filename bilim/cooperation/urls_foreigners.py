"""Pages of the office and the foreigners (part A), under /<lang>/cooperation/ (``views``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.office_home, name="office_home"),
    path("org/<int:unit_id>/", views.office, name="office"),
    path("org/<int:unit_id>/office/edit/", views.office_edit, name="office_edit"),
    path("org/<int:unit_id>/foreigners/", views.registry, name="foreigners"),
    path("org/<int:unit_id>/foreigners/new/", views.foreigner_new, name="foreigner_new"),
    path("foreigners/<int:pk>/", views.foreigner, name="foreigner"),
    path("foreigners/<int:pk>/edit/", views.foreigner_edit, name="foreigner_edit"),
    path("foreigners/<int:pk>/departure/", views.foreigner_departure, name="foreigner_departure"),
    path("foreigners/<int:pk>/photo/", views.foreigner_photo, name="foreigner_photo"),
    path("foreigners/<int:pk>/questionnaire-<str:lang>.pdf", views.questionnaire_pdf, name="questionnaire_pdf"),
    path("statistics/", views.statistics, name="statistics"),
]

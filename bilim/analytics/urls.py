from django.urls import path

from . import views

app_name = "analytics"

# Dashboards of the school journal (J3), mounted at /<lang>/analytics/.
urlpatterns = [
    path("", views.dashboard, name="home"),
    path("units/<int:unit_id>/", views.dashboard, name="unit"),
    path("classes/<int:class_id>/", views.class_page, name="class"),
]

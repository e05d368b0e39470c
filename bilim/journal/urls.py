from django.urls import path

from . import views

app_name = "journal"

# Pages of the school journal (views.py), mounted at /<lang>/journal/.
urlpatterns = [
    path("", views.index, name="index"),
    path("class-subjects/<int:pk>/", views.grid, name="grid"),
    path("class-subjects/<int:pk>/lessons/", views.lesson_save, name="lesson_save"),
    path("schools/<int:unit_id>/", views.school, name="school"),
    path("children/", views.children, name="children"),
    path("children/request/", views.link_request, name="link_request"),
    path("children/<int:pupil_id>/", views.child, name="child"),
    path("me/", views.me, name="me"),
    path("links/", views.links, name="links"),
    path("links/count/", views.links_count, name="links_count"),
    path("links/<int:pk>/decide/", views.link_decide, name="link_decide"),
]

from django.urls import path

from . import views

app_name = "rating"

# The open regional rating (J4), mounted at /<lang>/rating/: public; publishing is the ministry's.
urlpatterns = [
    path("", views.rating_page, name="public"),
    path("publish/", views.rating_publish, name="publish"),
]

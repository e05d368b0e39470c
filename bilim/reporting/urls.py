from django.urls import path

app_name = "reporting"

# Pages of the reporting workflow (views.py): filled in by the pages work.
urlpatterns: list = []

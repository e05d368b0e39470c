from django.urls import path

from . import views

app_name = "reporting"

# Pages of the reporting workflow (views.py), mounted at /<lang>/reporting/.
urlpatterns = [
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("campaigns/new/", views.campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign"),
    path("campaigns/<int:pk>/distribute/", views.campaign_distribute, name="campaign_distribute"),
    path("campaigns/<int:pk>/list/", views.campaign_items, name="campaign_items"),
    path("campaigns/<int:pk>/drill/", views.campaign_drill, name="campaign_drill"),
    path("assignments/<int:pk>/", views.assignment_detail, name="assignment"),
    path("assignments/<int:pk>/values/", views.assignment_values, name="assignment_values"),
    path("assignments/<int:pk>/check/", views.assignment_check, name="assignment_check"),
    path("assignments/<int:pk>/submit/", views.assignment_submit, name="assignment_submit"),
    path("assignments/<int:pk>/content/", views.assignment_content, name="assignment_content"),
    path("assignments/<int:pk>/xlsx/", views.assignment_xlsx, name="assignment_xlsx"),
    path("assignments/<int:pk>/upload/", views.assignment_upload, name="assignment_upload"),
    path("assignments/<int:pk>/accept/", views.assignment_accept, name="assignment_accept"),
    path("assignments/<int:pk>/return/", views.assignment_return, name="assignment_return"),
    path("assignments/<int:pk>/extend/", views.assignment_extend, name="assignment_extend"),
]

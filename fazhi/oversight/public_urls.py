"""Public pages of the oversight app under /oversight/ (published sampling plans and draws)."""

from django.urls import path

from fazhi.oversight import public_views

app_name = "oversight_public"

urlpatterns = [
    path("spot-checks/", public_views.plan_list, name="plans"),
    path("spot-checks/<int:plan_id>/", public_views.plan_page, name="plan"),
]

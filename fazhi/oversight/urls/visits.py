"""Staff pages: supervisors and visits (明察暗访), under /staff/oversight/visits/."""

from django.urls import path

from fazhi.oversight.views import visits as views

urlpatterns = [
    path("", views.visit_list, name="visits"),
    path("new/", views.visit_file, name="visit_file"),
    path("<int:visit_id>/", views.visit_detail, name="visit"),
    path("<int:visit_id>/finding/", views.visit_to_finding, name="visit_to_finding"),
    path("roster/", views.roster, name="roster"),
    path("roster/<int:supervisor_id>/", views.supervisor_edit, name="supervisor_edit"),
    path("roster/<int:supervisor_id>/end/", views.supervisor_end, name="supervisor_end"),
    path("roster/<int:supervisor_id>/phone/", views.supervisor_phone, name="supervisor_phone"),
    path("checklist/", views.checklist, name="visit_checklist"),
    path("plans/", views.plans, name="visit_plans"),
    path("plans/<int:plan_id>/remove/", views.plan_remove, name="visit_plan_remove"),
    path("scores/", views.scores, name="visit_scores"),
]

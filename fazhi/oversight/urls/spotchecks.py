"""Staff pages: spot checks of case files (案卷评查), named `oversight:spot_check*`."""

from django.urls import path

from fazhi.oversight.views import spotchecks as views

urlpatterns = [
    path("", views.plan_list, name="spot_checks"),
    path("plans/new/", views.plan_create, name="spot_check_plan_create"),
    path("plans/<int:plan_id>/", views.plan_detail, name="spot_check_plan"),
    path("plans/<int:plan_id>/draw/", views.plan_draw, name="spot_check_plan_draw"),
    path("plans/<int:plan_id>/verify/", views.plan_verify, name="spot_check_plan_verify"),
    path("results/", views.results, name="spot_check_results"),
    path("checklists/", views.checklist_list, name="spot_check_checklists"),
    path("checklists/new/", views.checklist_create, name="spot_check_checklist_create"),
    path("checklists/<int:checklist_id>/", views.checklist_detail, name="spot_check_checklist"),
    path(
        "checklists/<int:checklist_id>/active/",
        views.checklist_active,
        name="spot_check_checklist_active",
    ),
    path("reviewers/", views.pool, name="spot_check_pool"),
    path("reviewers/<int:member_id>/remove/", views.pool_remove, name="spot_check_pool_remove"),
    path("mine/", views.my_files, name="spot_check_my_files"),
    path("files/<int:file_id>/", views.file_detail, name="spot_check_file"),
    path("files/<int:file_id>/reassign/", views.file_reassign, name="spot_check_file_reassign"),
]

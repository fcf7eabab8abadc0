"""Staff pages: committee affairs disclosure (居务 / 村务公开)."""

from django.urls import path

from fazhi.oversight.views import committees as views

urlpatterns: list = [
    path("", views.committees_home, name="committees"),
    path("postings/new/", views.posting_new, name="committee_posting_new"),
    path("committee/<int:committee_id>/", views.committee_matrix, name="committee_matrix"),
    path("check/", views.check_run, name="committee_check_run"),
    path("department/", views.department_set, name="committee_department"),
    path("items/", views.items_page, name="committee_items"),
    path("items/install/", views.items_install, name="committee_items_install"),
    path("items/new/", views.item_new, name="committee_item_new"),
    path("items/<int:item_id>/", views.item_edit, name="committee_item_edit"),
    path("overrides/", views.overrides_page, name="committee_overrides"),
    path("import/", views.import_page, name="committee_import"),
]

"""Proactive disclosure (主动公开) under /staff/disclosure/catalogue/ (views/proactive.py)."""

from django.urls import path

from fazhi.disclosure.views import proactive

urlpatterns = [
    path("", proactive.record_list, name="records"),
    path("new/", proactive.record_create, name="record_create"),
    path("timeliness/", proactive.record_timeliness, name="record_timeliness"),
    path("<int:record_id>/", proactive.record_detail, name="record"),
    path("<int:record_id>/edit/", proactive.record_edit, name="record_edit"),
    path("<int:record_id>/steps/<slug:step>/", proactive.record_step, name="record_step"),
    path("<int:record_id>/attachments/", proactive.attachment_add, name="record_attach"),
    path(
        "<int:record_id>/attachments/<int:file_id>/remove/",
        proactive.attachment_remove,
        name="record_detach",
    ),
    path(
        "<int:record_id>/findings/<int:finding_id>/<slug:action>/",
        proactive.finding_act,
        name="record_finding",
    ),
]

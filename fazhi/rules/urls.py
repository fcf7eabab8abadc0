from django.urls import path

from fazhi.rules import views
from fazhi.rules.views import aftercare, inforce

app_name = "rules"

urlpatterns = [
    path("", views.document_list, name="list"),
    path("new/", views.document_create, name="create"),
    path("in-force.xlsx", inforce.in_force_xlsx, name="in_force_xlsx"),
    path("in-force.pdf", inforce.in_force_pdf, name="in_force_pdf"),
    path("<int:document_id>/", views.document_detail, name="detail"),
    path("<int:document_id>/docx/", views.document_docx, name="docx"),
    path("<int:document_id>/steps/<slug:step>/", views.document_step, name="step"),
    path(
        "<int:document_id>/comments/<int:comment_id>/respond/",
        views.comment_respond,
        name="respond",
    ),
    # Drafting and review extras (views/drafting.py).
    path("<int:document_id>/versions/upload/", views.version_upload, name="version_upload"),
    path("<int:document_id>/versions/compare/", views.version_compare, name="version_compare"),
    path("<int:document_id>/countersign/", views.countersign_open, name="countersign_open"),
    path(
        "<int:document_id>/countersign/<int:opinion_id>/",
        views.countersign_opine,
        name="countersign_opine",
    ),
    path("<int:document_id>/adviser/request/", views.adviser_request, name="adviser_request"),
    path("<int:document_id>/adviser/answer/", views.adviser_answer, name="adviser_answer"),
    # After issuance: evaluation before expiry, cleanup campaigns, links (views/aftercare.py).
    path("<int:document_id>/links/", aftercare.document_links, name="links"),
    path(
        "<int:document_id>/links/<int:link_id>/remove/",
        aftercare.document_link_remove,
        name="link_remove",
    ),
    path("evaluations/", aftercare.evaluation_list, name="evaluations"),
    path("evaluations/<int:evaluation_id>/", aftercare.evaluation_detail, name="evaluation"),
    path(
        "evaluations/<int:evaluation_id>/<slug:action>/",
        aftercare.evaluation_act,
        name="evaluation_act",
    ),
    path("cleanups/", aftercare.campaign_list, name="cleanups"),
    path("cleanups/new/", aftercare.campaign_create, name="cleanup_create"),
    path("cleanups/<int:campaign_id>/", aftercare.campaign_detail, name="cleanup"),
    path("cleanups/<int:campaign_id>/publish/", aftercare.campaign_publish, name="cleanup_publish"),
    path("cleanups/<int:campaign_id>/results.xlsx", aftercare.campaign_xlsx, name="cleanup_xlsx"),
    path(
        "cleanups/<int:campaign_id>/items/<int:item_id>/<slug:action>/",
        aftercare.campaign_item_act,
        name="cleanup_item_act",
    ),
]

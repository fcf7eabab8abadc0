from django.urls import path

from fazhi.rules import views

app_name = "rules"

urlpatterns = [
    path("", views.document_list, name="list"),
    path("new/", views.document_create, name="create"),
    path("<int:document_id>/", views.document_detail, name="detail"),
    path("<int:document_id>/docx/", views.document_docx, name="docx"),
    path("<int:document_id>/steps/<slug:step>/", views.document_step, name="step"),
    path(
        "<int:document_id>/comments/<int:comment_id>/respond/",
        views.comment_respond,
        name="respond",
    ),
]

from django.urls import path

from fazhi.rules import public_views

app_name = "rules_public"

urlpatterns = [
    path("", public_views.library, name="library"),
    path("<int:document_id>/", public_views.document_page, name="document"),
    path("consultations/", public_views.consultations, name="consultations"),
    path(
        "consultations/<int:consultation_id>/",
        public_views.consultation_page,
        name="consultation",
    ),
]

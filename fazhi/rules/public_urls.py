from django.urls import path

from fazhi.rules import public_views
from fazhi.rules.views import aftercare

app_name = "rules_public"

urlpatterns = [
    path("", public_views.library, name="library"),
    path("in-force.xlsx", public_views.in_force_xlsx, name="in_force_xlsx"),
    path("in-force.pdf", public_views.in_force_pdf, name="in_force_pdf"),
    path("<int:document_id>/", public_views.document_page, name="document"),
    path("consultations/", public_views.consultations, name="consultations"),
    path(
        "consultations/<int:consultation_id>/",
        public_views.consultation_page,
        name="consultation",
    ),
    path("cleanups/", aftercare.public_cleanups, name="cleanups"),
    path("cleanups/<int:campaign_id>/", aftercare.public_cleanup, name="cleanup"),
]

from django.urls import path

from fazhi.disclosure import public_catalogue, public_reports, public_views

app_name = "disclosure_public"

urlpatterns = [
    path("apply/", public_views.apply, name="apply"),
    path("apply/receipt/<int:request_id>/", public_views.receipt, name="receipt"),
    path("status/", public_views.status_check, name="status"),
    path("status/supplement/", public_views.supplement, name="supplement"),
    path("status/letter/", public_views.letter, name="letter"),
    # The catalogue of proactive disclosure (public_catalogue.py).
    path("catalogue/", public_catalogue.catalogue, name="catalogue"),
    path("catalogue/<int:record_id>/", public_catalogue.record_page, name="catalogue_record"),
    path(
        "catalogue/<int:record_id>/files/<int:file_id>/",
        public_catalogue.attachment,
        name="catalogue_attachment",
    ),
    # The published annual reports (public_reports.py).
    path("reports/", public_reports.report_list, name="reports"),
    path("reports/<int:year>/", public_reports.report_page, name="report"),
    path(
        "reports/<int:year>/download.<slug:fmt>",
        public_reports.report_download,
        name="report_download",
    ),
]

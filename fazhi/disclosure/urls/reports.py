"""The annual report (年度报告) under /staff/disclosure/reports/ (views/reports.py)."""

from django.urls import path

from fazhi.disclosure.views import reports

urlpatterns = [
    path("", reports.report_list, name="reports"),
    path("open/", reports.report_open, name="report_open"),
    path("<int:report_id>/", reports.report_detail, name="report"),
    path("<int:report_id>/steps/<slug:step>/", reports.report_step, name="report_step"),
    path("<int:report_id>/download.<slug:fmt>", reports.report_download, name="report_download"),
]

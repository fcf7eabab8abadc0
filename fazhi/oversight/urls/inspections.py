"""Staff pages: inspections (日常检查、重点抽查、第三方检查) under /staff/oversight/inspections/."""

from django.urls import path

from fazhi.oversight.views import inspections as views

urlpatterns = [
    path("", views.inspection_list, name="inspections"),
    path("new/", views.inspection_create, name="inspection_create"),
    path("<int:inspection_id>/", views.inspection_detail, name="inspection"),
    path("<int:inspection_id>/edit/", views.inspection_edit, name="inspection_edit"),
    path("<int:inspection_id>/report/", views.inspection_report, name="inspection_report"),
    path("<int:inspection_id>/findings/", views.inspection_finding, name="inspection_finding"),
    path("<int:inspection_id>/submit/", views.inspection_submit, name="inspection_submit"),
    path("contracts/", views.contract_list, name="inspection_contracts"),
    path("contracts/<int:contract_id>/", views.contract_edit, name="inspection_contract"),
    path("results/", views.results, name="inspection_results"),
]

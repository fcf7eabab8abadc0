"""Staff pages: the comprehensive evaluation (综合考评) under /staff/oversight/evaluations/."""

from django.urls import path

from fazhi.oversight.views import evaluation as views

urlpatterns = [
    path("", views.evaluation_list, name="evaluations"),
    path("new/", views.evaluation_create, name="evaluation_create"),
    path("schemes/", views.scheme_list, name="evaluation_schemes"),
    path("schemes/new/", views.scheme_create, name="evaluation_scheme_create"),
    path("schemes/<int:scheme_id>/", views.scheme_detail, name="evaluation_scheme"),
    path(
        "schemes/<int:scheme_id>/steps/<slug:step>/",
        views.scheme_step,
        name="evaluation_scheme_step",
    ),
    path("<int:evaluation_id>/", views.evaluation_detail, name="evaluation"),
    path("<int:evaluation_id>/steps/<slug:step>/", views.evaluation_step, name="evaluation_step"),
    path("<int:evaluation_id>/export.xlsx", views.evaluation_xlsx, name="evaluation_xlsx"),
]

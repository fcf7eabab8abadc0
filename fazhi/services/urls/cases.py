"""Staff pages of the cases area (see fazhi/services/urls/__init__.py): /staff/services/cases/."""

from django.urls import path

from fazhi.services.views import cases as views

urlpatterns = [
    path("", views.case_list, name="cases"),
    path("new/", views.case_new, name="case_new"),
    path("lookup/", views.case_lookup, name="case_lookup"),
    path("figures/", views.case_figures, name="case_figures"),
    path("<int:pk>/", views.case_detail, name="case"),
    path("<int:pk>/reveal/<str:field>/", views.case_reveal, name="case_reveal"),
    path("<int:pk>/<str:step>/", views.case_step, name="case_step"),
]

"""Disclosure requests under /staff/disclosure/requests/ (names `disclosure:request…`)."""

from django.urls import path

from fazhi.disclosure.views import requests as views

urlpatterns = [
    path("", views.request_list, name="requests"),
    path("register/", views.request_register, name="request_register"),
    path("<int:request_id>/", views.request_detail, name="request"),
    path("<int:request_id>/steps/<slug:step>/", views.request_step, name="request_step"),
    path("<int:request_id>/letter/", views.request_letter, name="request_letter"),
]

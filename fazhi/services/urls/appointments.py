"""Staff pages of the appointments area (see fazhi/services/urls/__init__.py)."""

from django.urls import path

from fazhi.services.views import appointments as views

urlpatterns = [
    path("", views.day_list, name="appointments"),
    path("<int:appointment_id>/check-in/", views.check_in, name="appointment_check_in"),
    path("<int:appointment_id>/no-show/", views.no_show, name="appointment_no_show"),
]

"""Portal pages of the appointments area, under /services/appointments/."""

from django.urls import path

from fazhi.services.public_views import appointments as views

urlpatterns = [
    path("", views.index, name="appointments"),
    path("centers/<int:center_id>/", views.center, name="appointment_center"),
    path(
        "centers/<int:center_id>/items/<int:item_id>/",
        views.slots,
        name="appointment_slots",
    ),
    path(
        "centers/<int:center_id>/items/<int:item_id>/book/",
        views.book,
        name="appointment_book",
    ),
    path("done/<int:appointment_id>/", views.done, name="appointment_done"),
    path("lookup/", views.lookup, name="appointment_lookup"),
    path("cancel/", views.cancel, name="appointment_cancel"),
]

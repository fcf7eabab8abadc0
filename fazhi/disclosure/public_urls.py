from django.urls import path

from fazhi.disclosure import public_views

app_name = "disclosure_public"

urlpatterns = [
    path("apply/", public_views.apply, name="apply"),
    path("apply/receipt/<int:request_id>/", public_views.receipt, name="receipt"),
    path("status/", public_views.status_check, name="status"),
]

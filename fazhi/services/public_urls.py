"""Portal pages: the published power list by kind with search, and each service guide."""

from django.urls import path

from fazhi.services import public_views as views

app_name = "services_public"

urlpatterns = [
    path("", views.power_list, name="powers"),
    path("guides/<int:item_id>/", views.guide, name="guide"),
]

"""Portal pages of the power list: the list by kind with search, and each service guide."""

from django.urls import path

from fazhi.services.public_views import powers as views

urlpatterns = [
    path("", views.power_list, name="powers"),
    path("guides/<int:item_id>/", views.guide, name="guide"),
]

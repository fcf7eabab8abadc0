"""Staff pages of the centers area (see fazhi/services/urls/__init__.py)."""

from django.urls import path

from fazhi.services.views import centers as views

urlpatterns = [
    path("", views.center_list, name="centers"),
    path("new/", views.center_new, name="center_new"),
    path("<int:center_id>/", views.center_detail, name="center"),
    path("<int:center_id>/edit/", views.center_edit, name="center_edit"),
    path("<int:center_id>/items/", views.center_item_add, name="center_item_add"),
    path("items/<int:center_item_id>/", views.center_item_edit, name="center_item_edit"),
]

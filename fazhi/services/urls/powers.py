"""Staff pages of the power list and service guides, under /staff/services/."""

from django.urls import path

from fazhi.services.views import powers as views

urlpatterns = [
    path("", views.home, name="home"),
    path("powers/", views.power_list, name="powers"),
    path("powers/draft/", views.draft_start, name="draft_start"),
    path("powers/<int:list_id>/publish/", views.publish, name="publish"),
    path("powers/<int:list_id>/new/", views.power_edit, name="power_new"),
    path("powers/<int:list_id>/import/", views.import_sheet, name="import"),
    path("powers/<int:list_id>/export/", views.export_sheet, name="export"),
    path("powers/diff/", views.diff, name="diff"),
    path("power/<int:power_id>/", views.power_edit, name="power_edit"),
    path("power/<int:power_id>/remove/", views.power_remove, name="power_remove"),
    path("items/", views.item_list, name="items"),
    path("items/new/", views.item_new, name="item_new"),
    path("items/<int:item_id>/", views.item_detail, name="item"),
]

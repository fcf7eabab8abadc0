"""Staff pages of the ratings area (see fazhi/services/urls/__init__.py), under
/staff/services/ratings/; names are `services:<name>`."""

from django.urls import path

from fazhi.services.views import ratings as views

urlpatterns = [
    path("", views.rating_list, name="ratings"),
    path("statistics/", views.statistics, name="rating_statistics"),
    path("statistics/export/", views.statistics_export, name="rating_statistics_export"),
    path("counter/<int:case_id>/", views.counter, name="rating_counter"),
    path("link/<int:case_id>/", views.send_link, name="rating_link"),
    path("<int:pk>/", views.rating_detail, name="rating"),
    path("<int:pk>/<slug:step>/", views.rating_step, name="rating_step"),
]

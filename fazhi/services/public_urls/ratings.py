"""Portal pages of the ratings area, under /services/ratings/ (names `services_public:<name>`):
the public figures, and the one-time rating page a link opens."""

from django.urls import path

from fazhi.services.public_views import ratings as views

urlpatterns = [
    path("", views.figures, name="ratings"),
    path("r/<str:token>/", views.rate, name="rate"),
]

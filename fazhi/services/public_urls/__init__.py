"""Portal pages of the services app under /services/, one module per area."""

from django.urls import include, path

from fazhi.services.public_urls.powers import urlpatterns as power_patterns

app_name = "services_public"

urlpatterns = [
    *power_patterns,
    path("appointments/", include("fazhi.services.public_urls.appointments")),
    path("ratings/", include("fazhi.services.public_urls.ratings")),
]

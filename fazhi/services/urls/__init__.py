"""Staff pages of the services app under /staff/services/, one module per area.

The area modules have no app_name of their own, so every page is named `services:<name>`.
"""

from django.urls import include, path

from fazhi.services.urls.powers import urlpatterns as power_patterns

app_name = "services"

urlpatterns = [
    *power_patterns,
    path("cases/", include("fazhi.services.urls.cases")),
    path("centers/", include("fazhi.services.urls.centers")),
    path("appointments/", include("fazhi.services.urls.appointments")),
    path("ratings/", include("fazhi.services.urls.ratings")),
]

"""Staff pages of the oversight app under /staff/oversight/, one module per area.

The area modules have no app_name of their own, so every page is named `oversight:<name>`.
"""

from django.urls import include, path

from fazhi.oversight.views.home import home

app_name = "oversight"

urlpatterns = [
    path("", home, name="home"),
    path("findings/", include("fazhi.oversight.urls.findings")),
    path("spot-checks/", include("fazhi.oversight.urls.spotchecks")),
    path("visits/", include("fazhi.oversight.urls.visits")),
    path("inspections/", include("fazhi.oversight.urls.inspections")),
    path("committees/", include("fazhi.oversight.urls.committees")),
    path("evaluations/", include("fazhi.oversight.urls.evaluations")),
]

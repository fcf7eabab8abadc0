"""Staff pages of the disclosure app under /staff/disclosure/, one module per area.

The area modules have no app_name of their own, so every page is named `disclosure:<name>`.
"""

from django.urls import include, path

from fazhi.disclosure.views.home import home

app_name = "disclosure"

urlpatterns = [
    path("", home, name="home"),
    path("requests/", include("fazhi.disclosure.urls.requests")),
    path("catalogue/", include("fazhi.disclosure.urls.proactive")),
    path("reports/", include("fazhi.disclosure.urls.reports")),
]

"""Top-level URLs: the public portal at /, the staff workspace at /staff/, the API, the admin."""

from django.urls import include, path

from fazhi.api.api import api
from fazhi.core.admin_site import reference_admin
from fazhi.core.workflow_views import perform_action

urlpatterns = [
    path("", include("fazhi.portal.urls")),
    path("accounts/", include("fazhi.accounts.urls")),
    path("staff/", include("fazhi.workspace.urls")),
    path(
        "staff/workflow/<str:label>/<str:record_id>/<slug:action>/",
        perform_action,
        name="workflow_action",
    ),
    path("staff/calendar/", include("fazhi.core.calendar.urls")),
    path("staff/rules/", include("fazhi.rules.urls")),
    path("rules/", include("fazhi.rules.public_urls")),
    path("staff/disclosure/", include("fazhi.disclosure.urls")),
    path("disclosure/", include("fazhi.disclosure.public_urls")),
    path("staff/oversight/", include("fazhi.oversight.urls")),
    path("oversight/", include("fazhi.oversight.public_urls")),
    path("staff/services/", include("fazhi.services.urls")),
    path("services/", include("fazhi.services.public_urls")),
    path("staff/notifications/", include("fazhi.core.notify.urls")),
    path("files/", include("fazhi.core.files.urls")),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", reference_admin.urls),
]

handler400 = "fazhi.portal.errors.bad_request"
handler403 = "fazhi.portal.errors.permission_denied"
handler404 = "fazhi.portal.errors.page_not_found"
handler500 = "fazhi.portal.errors.server_error"

"""The project's URLs plus a separate API carrying the file routes, for the API tests."""

from django.urls import path

from fazhi.api.api import build_api
from fazhi.core.files.api import build_router
from fazhi.urls import urlpatterns as project_urlpatterns

test_api = build_api(title="files test", urls_namespace="files_test_api", docs_url=None)
test_api.add_router("/files", build_router())

urlpatterns = [path("api-test/", test_api.urls), *project_urlpatterns]

"""The project's URLs plus a separate API and a page for the Memo record, for tests."""

from django.urls import path

from fazhi.api.api import build_api
from fazhi.testing.workflow_app.views import memo_detail
from fazhi.urls import urlpatterns as project_urlpatterns

test_api = build_api(title="workflow demo", urls_namespace="workflow_demo_api", docs_url=None)
test_api.add_router("/workflow-demo", "fazhi.testing.workflow_app.api.router")

urlpatterns = [
    path("api-test/", test_api.urls),
    path("staff/memos/<int:memo_id>/", memo_detail, name="memo_detail"),
    *project_urlpatterns,
]

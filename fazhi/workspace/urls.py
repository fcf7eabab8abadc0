from django.urls import path

from fazhi.accounts import staff_views
from fazhi.core import views as core_views
from fazhi.workspace import views

app_name = "workspace"

urlpatterns = [
    path("", views.home, name="home"),
    path("organisation/", views.organisation, name="organisation"),
    path("region/", views.region, name="region"),
    path("accounts/", staff_views.account_list, name="account_list"),
    path("accounts/new/", staff_views.account_create, name="account_create"),
    path("accounts/<int:user_id>/", staff_views.account_detail, name="account_detail"),
    path(
        "accounts/<int:user_id>/<slug:action>/",
        staff_views.account_action,
        name="account_action",
    ),
    path("roles/", staff_views.role_list, name="role_list"),
    path("roles/<int:membership_id>/revoke/", staff_views.role_revoke, name="role_revoke"),
    path("audit/", core_views.audit_list, name="audit_list"),
    path("audit/export.csv", core_views.audit_export, name="audit_export"),
]

"""Public pages of the oversight app under /oversight/ (published sampling plans and draws)."""

app_name = "oversight_public"

urlpatterns: list = []

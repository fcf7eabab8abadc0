"""Staff pages of the centers area (see fazhi/services/urls/__init__.py)."""

urlpatterns: list = []

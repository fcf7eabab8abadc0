"""Staff pages of the ratings area (see fazhi/services/urls/__init__.py)."""

urlpatterns: list = []

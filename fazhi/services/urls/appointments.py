"""Staff pages of the appointments area (see fazhi/services/urls/__init__.py)."""

urlpatterns: list = []

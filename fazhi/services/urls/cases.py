"""Staff pages of the cases area (see fazhi/services/urls/__init__.py)."""

urlpatterns: list = []

"""Staff pages: inspections."""

urlpatterns: list = []

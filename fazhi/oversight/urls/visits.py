"""Staff pages: visits."""

urlpatterns: list = []

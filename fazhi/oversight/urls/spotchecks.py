"""Staff pages: spotchecks."""

urlpatterns: list = []

"""Staff pages: evaluations."""

urlpatterns: list = []

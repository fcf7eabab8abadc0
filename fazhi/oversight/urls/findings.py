"""Staff pages: findings."""

urlpatterns: list = []

"""Staff pages: committees."""

urlpatterns: list = []

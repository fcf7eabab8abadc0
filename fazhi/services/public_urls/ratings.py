"""Portal pages of the ratings area."""

urlpatterns: list = []

"""Portal pages of the appointments area."""

urlpatterns: list = []

from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "fazhi.core.search"
    label = "search"

from django.apps import AppConfig


class CalendarConfig(AppConfig):
    name = "fazhi.core.calendar"
    label = "calendar"

from django.urls import path

from fazhi.core.calendar import views

app_name = "calendar"

urlpatterns = [
    path("", views.year_page, name="year"),
    path("<int:year>/", views.year_page, name="year_of"),
    path("<int:year>/days/", views.day_set, name="day_set"),
    path("<int:year>/days/clear/", views.day_clear, name="day_clear"),
    path("<int:year>/confirm/", views.year_confirm, name="year_confirm"),
    path("<int:year>/import/", views.year_import, name="year_import"),
]

"""Staff pages: findings and their rectification, the board (督办看板), circulars (通报)."""

from django.urls import path

from fazhi.oversight.views import findings as views

urlpatterns = [
    path("", views.finding_list, name="findings"),
    path("new/", views.finding_create, name="finding_create"),
    path("board/", views.board, name="findings_board"),
    path("circulars/", views.circular_list, name="circulars"),
    path("circulars/new/", views.circular_create, name="circular_create"),
    path("circulars/<int:pk>/", views.circular_detail, name="circular_detail"),
    path("circulars/<int:pk>/issue/", views.circular_issue, name="circular_issue"),
    path("circulars/<int:pk>/download/", views.circular_download, name="circular_download"),
    path("<int:pk>/", views.finding_detail, name="finding_detail"),
    path("<int:pk>/steps/<slug:step>/", views.finding_step, name="finding_step"),
    path("<int:pk>/notice/", views.notice_download, name="finding_notice"),
]

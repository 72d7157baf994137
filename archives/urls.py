from django.urls import path

from archives import views

app_name = "archives"

urlpatterns = [
    path("", views.record_list, name="record-list"),
    path("records/<int:pk>/", views.record_detail, name="record-detail"),
    path("records/<int:pk>/files/<int:file_id>/", views.record_file, name="file"),
    path("loans/", views.loans, name="loans"),
]

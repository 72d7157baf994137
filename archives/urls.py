from django.urls import path

from archives import views

app_name = "archives"

urlpatterns = [
    path("", views.record_list, name="record-list"),
    path("records/<int:pk>/", views.record_detail, name="record-detail"),
    path("records/<int:pk>/files/<int:file_id>/", views.record_file, name="file"),
    path("records/<int:pk>/hold/", views.hold_place, name="hold-place"),
    path("records/<int:pk>/holds/<int:hold_id>/release/", views.hold_release, name="hold-release"),
    path("accession/", views.accession, name="accession"),
    path("import/", views.records_import, name="import"),
    path("classes/", views.classes, name="classes"),
    path("appraisal/", views.appraisal, name="appraisal"),
    path("appraisal/<int:pk>/", views.appraisal_detail, name="appraisal-detail"),
    path("destruction/", views.destruction, name="destruction"),
    path("loans/", views.loans, name="loans"),
    path("loans/<int:pk>/", views.loan_detail, name="loan-detail"),
    path("statistics/", views.statistics, name="statistics"),
]

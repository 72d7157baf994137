from django.urls import path

from archives import views

app_name = "archives"

urlpatterns = [
    path("", views.record_list, name="record-list"),
    path("start/", views.start, name="start"),
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
    # office: certificates, statistics report, training, chronicle
    path("certificates/", views.cert_list, name="cert-list"),
    path("certificates/new/", views.cert_create, name="cert-create"),
    path("certificates/<int:pk>/", views.cert_detail, name="cert-detail"),
    path("certificates/<int:pk>/edit/", views.cert_edit, name="cert-edit"),
    path("certificates/<int:pk>/scan/", views.cert_scan, name="cert-scan"),
    path(
        "certificates/<int:pk>/loans/<int:loan_id>/return/",
        views.cert_return,
        name="cert-return",
    ),
    path("reports/", views.report_list, name="report-list"),
    path("reports/new/", views.report_create, name="report-create"),
    path("reports/<int:pk>/", views.report_detail, name="report-detail"),
    path("reports/<int:pk>/xlsx/", views.report_xlsx, name="report-xlsx"),
    path("reports/<int:pk>/forms/<int:form_id>/reopen/", views.report_reopen, name="report-reopen"),
    path("reports/forms/", views.report_forms, name="report-forms"),
    path("reports/forms/<int:pk>/", views.report_form, name="report-form"),
    path("training/", views.training_list, name="training-list"),
    path("training/new/", views.training_create, name="training-create"),
    path("training/<int:pk>/", views.training_edit, name="training-edit"),
    path("chronicle/", views.chronicle_list, name="chronicle-list"),
    path("chronicle/new/", views.chronicle_create, name="chronicle-create"),
    path("chronicle/<int:pk>/", views.chronicle_edit, name="chronicle-edit"),
    path("yearbook/", views.yearbook, name="yearbook"),
    path("yearbook/<int:year>/", views.yearbook_pdf, name="yearbook-pdf"),
]

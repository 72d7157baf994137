from django.urls import path

from workflows import views

app_name = "workflows"

urlpatterns = [
    path("services/<slug:code>/apply/", views.apply, name="apply"),
    path("services/<slug:code>/start/", views.start_internal, name="start-internal"),
    path("requests/", views.my_requests, name="my-requests"),
    path("requests/<int:pk>/", views.request_detail, name="request-detail"),
    path("requests/<int:pk>/progress/", views.request_progress, name="request-progress"),
    path("requests/<int:pk>/withdraw/", views.request_withdraw, name="request-withdraw"),
    path("requests/<int:pk>/edit/", views.request_edit, name="request-edit"),
    path("requests/<int:pk>/cc/", views.request_cc, name="request-cc"),
    path("requests/<int:pk>/nudge/", views.request_nudge, name="request-nudge"),
    path("requests/<int:pk>/pdf/", views.request_pdf, name="request-pdf"),
    path("requests/<int:pk>/files/<int:attachment_id>/", views.attachment, name="attachment"),
    path("requests/<int:pk>/rate/", views.request_rate, name="request-rate"),
    path("tasks/", views.inbox, name="inbox"),
    path("delegation/", views.delegation, name="delegation"),
    path("ratings/follow-up/", views.follow_up, name="follow-up"),
    path("analytics/", views.analytics, name="analytics"),
    path("tasks/bulk-approve/", views.bulk_approve, name="bulk-approve"),
    path("tasks/<int:pk>/", views.task_detail, name="task-detail"),
]

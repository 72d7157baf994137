from django.urls import path

import performance.coordination_views as coordination_views
import performance.dashboard_views as dashboard_views
import performance.evaluation_views as evaluation_views
import performance.plan_views as plan_views
from performance import meeting_views, strategy_views, views

app_name = "performance"

urlpatterns = [
    path("supervision/", views.board, name="board"),
    path("supervision/new/", views.item_create, name="item-create"),
    path("supervision/notice/", views.notice, name="notice"),
    path("supervision/<int:pk>/", views.item_detail, name="item"),
    path("supervision/<int:pk>/sign/", views.item_sign, name="item-sign"),
    path("supervision/<int:pk>/return/", views.item_return, name="item-return"),
    path("supervision/<int:pk>/report/", views.item_report, name="item-report"),
    path("supervision/<int:pk>/close/", views.item_close, name="item-close"),
    path("supervision/<int:pk>/send-back/", views.item_send_back, name="item-send-back"),
    path("supervision/<int:pk>/extend/", views.item_extend, name="item-extend"),
    path("supervision/<int:pk>/reassign/", views.item_reassign, name="item-reassign"),
    path("strategy/", strategy_views.outline_latest, name="strategy"),
    path("strategy/<int:year>/", strategy_views.outline, name="outline"),
    path("strategy/<int:year>/pdf/", strategy_views.outline_pdf, name="outline-pdf"),
    path(
        "strategy/tasks/<int:pk>/supervise/", strategy_views.task_supervise, name="task-supervise"
    ),
    path("meetings/", meeting_views.meeting_list, name="meetings"),
    path("meetings/new/", meeting_views.meeting_create, name="meeting-create"),
    path("meetings/feed.ics", meeting_views.ical, name="meetings-ical"),
    path("meetings/<int:pk>/", meeting_views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/<slug:action>/", meeting_views.meeting_action, name="meeting-action"),
    path(
        "supervision/<int:pk>/reports/<int:report_id>/evidence/",
        views.evidence,
        name="evidence",
    ),
    path("plans/", plan_views.plan_list, name="plans"),
    path("plans/apply/", plan_views.plans_apply, name="plans-apply"),
    path("plans/<int:pk>/", plan_views.plan_detail, name="plan"),
    path("plans/<int:pk>/weights/", plan_views.plan_weights, name="plan-weights"),
    path("plans/<int:pk>/submit/", plan_views.plan_submit, name="plan-submit"),
    path("plans/<int:pk>/period/", plan_views.plan_period, name="plan-period"),
    path("plans/<int:pk>/weights/change/", plan_views.weights_change, name="plan-weights-change"),
    path("plans/<int:pk>/versions/", plan_views.plan_versions, name="plan-versions"),
    path("plans/<int:pk>/lines/<int:line_id>/checkin/", plan_views.checkin, name="plan-checkin"),
    path(
        "plans/<int:pk>/lines/<int:line_id>/target/", plan_views.target_change, name="plan-target"
    ),
    path(
        "plans/<int:pk>/checkins/<int:checkin_id>/evidence/",
        plan_views.checkin_evidence,
        name="plan-evidence",
    ),
]
urlpatterns += [
    path("plans/dashboard/", dashboard_views.institution_dashboard, name="plans-dashboard"),
    path("plans/<int:pk>/dashboard/", dashboard_views.unit_dashboard, name="plan-dashboard"),
]
urlpatterns += [
    path("evaluations/", evaluation_views.evaluation_list, name="evaluations"),
    path("evaluations/open/", evaluation_views.evaluation_open, name="evaluation-open"),
    path("evaluations/<int:pk>/", evaluation_views.evaluation_detail, name="evaluation"),
    path(
        "evaluations/<int:pk>/export.xlsx",
        evaluation_views.evaluation_export,
        name="evaluation-export",
    ),
    path(
        "evaluations/<int:pk>/entries/<int:entry_id>/",
        evaluation_views.entry_detail,
        name="evaluation-entry",
    ),
    path(
        "evaluations/<int:pk>/entries/<int:entry_id>/items/<int:picked_id>/evidence/",
        evaluation_views.item_evidence,
        name="evaluation-item-evidence",
    ),
    path(
        "evaluations/<int:pk>/<slug:action>/",
        evaluation_views.evaluation_action,
        name="evaluation-action",
    ),
]
urlpatterns += [
    path("coordination/", coordination_views.case_list, name="coordinations"),
    path("coordination/new/", coordination_views.case_create, name="coordination-create"),
    path("coordination/<int:pk>/", coordination_views.case_detail, name="coordination"),
    path(
        "coordination/<int:pk>/<slug:action>/",
        coordination_views.case_action,
        name="coordination-action",
    ),
]

import performance.bulletin_views as bulletin_views  # noqa: E402

urlpatterns += [
    path("supervision/notice/bulletin.pdf", bulletin_views.bulletin_pdf, name="bulletin-pdf"),
    path("supervision/notice/bulletin.xlsx", bulletin_views.bulletin_xlsx, name="bulletin-xlsx"),
]
urlpatterns += [
    path("meetings/<int:pk>/minutes.pdf", meeting_views.minutes_pdf, name="minutes-pdf"),
]

import performance.unit_result_views as unit_result_views  # noqa: E402

urlpatterns += [
    path("evaluations/my-unit/", unit_result_views.result_list, name="unit-results"),
    path("evaluations/my-unit/<int:pk>/", unit_result_views.result_detail, name="unit-result"),
]

import performance.instruction_views as instruction_views  # noqa: E402

urlpatterns += [
    path("instructions/", instruction_views.instruction_list, name="instructions"),
    path(
        "instructions/<int:pk>/supervise/",
        instruction_views.instruction_supervise,
        name="instruction-supervise",
    ),
]

from django.urls import path

from reception import case_views, views

app_name = "reception"

urlpatterns = [
    path("resources/", views.grid, name="resources"),
    path("resources/<int:pk>/", views.resource_detail, name="resource"),
    path("book/", views.book, name="book"),
    path("bookings/", views.my_bookings, name="my-bookings"),
    path("bookings/<int:pk>/", views.booking_detail, name="booking"),
    path("bookings/<int:pk>/cancel/", views.booking_cancel, name="booking-cancel"),
    path("bookings/<int:pk>/add-date/", views.series_add, name="series-add"),
    path("feeds/resources/<uuid:token>.ics", views.feed, name="feed"),
    path("cases/", case_views.case_list, name="cases"),
    path("cases/new/", case_views.case_new, name="case-new"),
    path("cases/<int:pk>/", case_views.case_detail, name="case"),
    path("cases/<int:pk>/act/", case_views.case_act, name="case-act"),
    path("message/", case_views.online_message, name="message"),
    path("lookup/", case_views.lookup, name="lookup"),
]

from reception import schedule_views  # noqa: E402

urlpatterns += [
    path("schedules/", schedule_views.week, name="schedules"),
    path("schedules/new/", schedule_views.entry_new, name="schedule-new"),
    path("schedules/entries/<int:pk>/delete/", schedule_views.entry_delete, name="schedule-delete"),
    path("schedules/leaders/<int:pk>/", schedule_views.leader_page, name="leader"),
    path("schedules/leaders/<int:pk>/revoke/", schedule_views.leader_revoke, name="leader-revoke"),
    path("feeds/leaders/<uuid:token>.ics", schedule_views.leader_feed, name="leader-feed"),
]

from reception import duty_views  # noqa: E402

urlpatterns += [
    path("duty/", duty_views.duty_page, name="duty"),
]

from reception import watch_views  # noqa: E402

urlpatterns += [
    path("duty/mine/", watch_views.mine, name="duty-mine"),
    path("duty/swap/", watch_views.swap, name="duty-swap"),
    path("duty/shifts/<int:pk>/handover/", watch_views.handover, name="duty-handover"),
    path("duty/handovers/<int:pk>/acknowledge/", watch_views.acknowledge, name="duty-acknowledge"),
    path("duty/feed/renew/", watch_views.feed_renew, name="duty-feed-renew"),
    path("duty/roster/", watch_views.roster_page, name="duty-roster"),
    path("feeds/duty/<uuid:token>.ics", watch_views.feed, name="duty-feed"),
]

from reception import case_more_views, mailbox_views, proposal_views  # noqa: E402

urlpatterns += [
    path("cases/<int:pk>/merge/", case_more_views.case_merge, name="case-merge"),
    path("cases/<int:pk>/extend/", case_more_views.case_extend, name="case-extend"),
    path("cases/<int:pk>/grade/", case_more_views.case_grade, name="case-grade"),
    path("cases/<int:pk>/notices/<int:notice>/", case_more_views.case_notice, name="case-notice"),
    path("cases/proposals/new/", case_more_views.proposal_new, name="proposal-new"),
    path("cases/mailbox/", mailbox_views.mailbox_import, name="mailbox-import"),
    path(
        "cases/<int:pk>/attachments/<int:attachment>/",
        mailbox_views.attachment,
        name="case-attachment",
    ),
    path("cases/<int:pk>/opinion/", proposal_views.opinion_give, name="case-opinion"),
    path("cases/<int:pk>/complex/", proposal_views.complex_ask, name="case-complex"),
    path("cases/<int:pk>/feedback/", proposal_views.feedback_office, name="proposal-feedback"),
    path(
        "feedback/<uuid:token>/",
        proposal_views.feedback_public,
        name="proposal-feedback-public",
    ),
    path("hotspots/", case_more_views.hotspot_page, name="hotspots"),
    path("hotspots.xlsx", case_more_views.hotspot_excel, name="hotspots-excel"),
]

from reception import emergency_views  # noqa: E402

urlpatterns += [
    path("incidents/", emergency_views.incident_list, name="incidents"),
    path("incidents/new/", emergency_views.incident_new, name="incident-new"),
    path("incidents/<int:pk>/", emergency_views.incident_detail, name="incident"),
    path("incidents/<int:pk>/ack/", emergency_views.incident_ack, name="incident-ack"),
    path("incidents/<int:pk>/add/", emergency_views.incident_add, name="incident-add"),
]

from reception import visit_views  # noqa: E402

urlpatterns += [
    path("visits/", visit_views.visit_list, name="visits"),
    path("visits/new/", visit_views.visit_new, name="visit-new"),
    path("visits/<int:pk>/", visit_views.visit_detail, name="visit"),
    path("visits/<int:pk>/plan/", visit_views.visit_plan, name="visit-plan"),
    path("visits/<int:pk>/plan/revise/", visit_views.visit_plan_reopen, name="visit-plan-revise"),
    path("visits/<int:pk>/tasks/", visit_views.visit_task, name="visit-task"),
    path("visits/<int:pk>/costs/", visit_views.visit_close, name="visit-close"),
    path("visits/<int:pk>/itinerary.pdf", visit_views.visit_pdf, name="visit-pdf"),
    path("visits/<int:pk>/itinerary.ics", visit_views.visit_ics, name="visit-ics"),
]

from reception import activity_views  # noqa: E402

urlpatterns += [
    path("activities/", activity_views.activity_list, name="activities"),
    path("activities/new/", activity_views.activity_new, name="activity-new"),
    path("activities/<int:pk>/", activity_views.activity_detail, name="activity"),
    path("activities/<int:pk>/edit/", activity_views.activity_edit, name="activity-edit"),
    path("activities/<int:pk>/book/", activity_views.activity_book, name="activity-book"),
    path(
        "activities/<int:pk>/bookings/<int:booking>/remove/",
        activity_views.activity_unbook,
        name="activity-unbook",
    ),
    path("activities/<int:pk>/tasks/", activity_views.activity_task, name="activity-task"),
    path("activities/tasks/", activity_views.unit_tasks, name="activity-tasks"),
    path("activities/tasks/<int:pk>/done/", activity_views.task_done, name="activity-task-done"),
    path(
        "activities/tasks/<int:pk>/remove/", activity_views.task_remove, name="activity-task-remove"
    ),
]

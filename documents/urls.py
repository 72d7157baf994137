from django.urls import path

from documents import views

app_name = "documents"

urlpatterns = [
    path("", views.register, name="register"),
    path("new/", views.draft_create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.draft_edit, name="edit"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/register/", views.register_number, name="register-number"),
    path("<int:pk>/void/", views.void, name="void"),
    path("<int:pk>/compare/", views.compare, name="compare"),
    path("<int:pk>/pdf/", views.pdf, name="pdf"),
    path("<int:pk>/dispatch/", views.dispatch, name="dispatch"),
    path("received/", views.received, name="received"),
    path("received/<int:pk>/sign/", views.sign, name="sign"),
    path("incoming/", views.incoming_list, name="incoming"),
    path("incoming/new/", views.incoming_create, name="incoming-create"),
    path("incoming/<int:pk>/", views.incoming_detail, name="incoming-detail"),
    path("incoming/<int:pk>/reply/", views.incoming_reply, name="incoming-reply"),
    path("incoming/<int:pk>/<slug:action>/", views.incoming_act, name="incoming-act"),
    path("seals/", views.seal_list, name="seals"),
    path("seals/<int:pk>/", views.seal_detail, name="seal-detail"),
    path("seals/<int:pk>/out/", views.seal_out, name="seal-out"),
    path("seals/<int:pk>/back/", views.seal_back, name="seal-back"),
    path("seals/uses/new/", views.seal_use_create, name="seal-use-create"),
    path("seals/uses/<int:pk>/", views.seal_use_detail, name="seal-use"),
    path("seals/uses/<int:pk>/record/", views.seal_use_record, name="seal-use-record"),
]

# Drafting tasks and government affairs information (issue #13, items 7 and 8).
from documents import drafting_views, info_views  # noqa: E402

urlpatterns += [
    path("drafting/", drafting_views.task_list, name="drafting"),
    path("drafting/new/", drafting_views.task_create, name="drafting-create"),
    path("drafting/<int:pk>/", drafting_views.task_detail, name="drafting-detail"),
    path("drafting/<int:pk>/edit/", drafting_views.task_edit, name="drafting-edit"),
    path("drafting/<int:pk>/ask/", drafting_views.task_ask, name="drafting-ask"),
    path("drafting/<int:pk>/submit/", drafting_views.task_submit, name="drafting-submit"),
    path("drafting/<int:pk>/compare/", drafting_views.task_compare, name="drafting-compare"),
    path("drafting/<int:pk>/pdf/", drafting_views.task_pdf, name="drafting-pdf"),
    path("drafting/materials/<int:pk>/", drafting_views.material_detail, name="material"),
    path("drafting/materials/<int:pk>/file/", drafting_views.material_file, name="material-file"),
    path(
        "drafting/materials/<int:pk>/chase/", drafting_views.material_chase, name="material-chase"
    ),
    path("info/", info_views.item_list, name="info"),
    path("info/new/", info_views.item_create, name="info-create"),
    path("info/<int:pk>/", info_views.item_detail, name="info-item"),
    path("info/<int:pk>/<slug:action>/", info_views.item_act, name="info-act"),
    path("info/issues/", info_views.issue_list, name="info-issues"),
    path("info/issues/new/", info_views.issue_create, name="info-issue-create"),
    path("info/issues/<int:pk>/", info_views.issue_detail, name="info-issue"),
    path("info/issues/<int:pk>/send/", info_views.issue_send, name="info-issue-send"),
    path("info/issues/<int:pk>/pdf/", info_views.issue_pdf, name="info-issue-pdf"),
    path("info/scores/", info_views.scores, name="info-scores"),
]

# Copy numbers (份号) and the government gazette, in their own modules.
from documents import copies_views, gazette_views  # noqa: E402

urlpatterns += [
    path("<int:pk>/copies/", copies_views.copies_page, name="copies"),
    path("<int:pk>/copies/print/", copies_views.print_run, name="print-run"),
    path("<int:pk>/copies/<int:k>/pdf/", copies_views.copy_pdf, name="copy-pdf"),
]
urlpatterns += [
    path("<int:pk>/public/", gazette_views.mark_public, name="mark-public"),
    path("gazette/", gazette_views.gazette_list, name="gazette"),
    path("gazette/<int:year>/<int:number>/", gazette_views.gazette_issue, name="gazette-issue"),
    path("gazette/<int:year>/<int:number>/pdf/", gazette_views.gazette_pdf, name="gazette-pdf"),
    path("gazette/manage/", gazette_views.manage_list, name="gazette-manage"),
    path("gazette/manage/new/", gazette_views.manage_create, name="gazette-create"),
    path("gazette/manage/<int:pk>/", gazette_views.manage_detail, name="gazette-compile"),
    path("gazette/manage/<int:pk>/add/", gazette_views.manage_add, name="gazette-add"),
    path("gazette/manage/<int:pk>/remove/", gazette_views.manage_remove, name="gazette-remove"),
    path("gazette/manage/<int:pk>/up/", gazette_views.manage_up, name="gazette-up"),
    path("gazette/manage/<int:pk>/publish/", gazette_views.manage_publish, name="gazette-publish"),
    path("gazette/manage/<int:pk>/pdf/", gazette_views.manage_pdf, name="gazette-preview"),
]

# Legal counsel (法律事务): documents/legal_views.py
from documents import legal_views  # noqa: E402

urlpatterns += [
    path("legal/", legal_views.review_list, name="legal-reviews"),
    path("legal/new/", legal_views.review_create, name="legal-review-create"),
    path("legal/<int:pk>/", legal_views.review_detail, name="legal-review"),
    path("legal/<int:pk>/files/<int:number>/", legal_views.review_file, name="legal-review-file"),
    path("legal/<int:pk>/<slug:action>/", legal_views.review_act, name="legal-review-act"),
    path("legal/opinions/<int:pk>/file/", legal_views.opinion_file, name="legal-opinion-file"),
    path("legal/contracts/", legal_views.contract_list, name="legal-contracts"),
    path("legal/contracts/new/", legal_views.contract_create, name="legal-contract-create"),
    path("legal/questions/", legal_views.question_list, name="legal-questions"),
    path("legal/questions/new/", legal_views.question_create, name="legal-question-create"),
    path("legal/questions/<int:pk>/", legal_views.question_detail, name="legal-question"),
    path(
        "legal/questions/<int:pk>/<slug:action>/",
        legal_views.question_act,
        name="legal-question-act",
    ),
    path("legal/cases/", legal_views.case_list, name="legal-cases"),
    path("legal/cases/new/", legal_views.case_create, name="legal-case-create"),
    path("legal/cases/<int:pk>/", legal_views.case_detail, name="legal-case"),
    path("legal/cases/<int:pk>/<slug:action>/", legal_views.case_act, name="legal-case-act"),
    path("legal/team/", legal_views.team, name="legal-team"),
    path("legal/team/new/", legal_views.counsel_create, name="legal-counsel-create"),
    path("legal/team/<int:pk>/", legal_views.counsel_edit, name="legal-counsel"),
    path("legal/team/<int:pk>/remove/", legal_views.counsel_remove, name="legal-counsel-remove"),
]

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
]

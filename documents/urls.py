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

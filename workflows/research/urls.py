from django.urls import path

from workflows.research import party_views, views

app_name = "research"

urlpatterns = [
    path("", views.inquiry, name="inquiry"),
    path("import/", views.import_page, name="import"),
    path("transfers/", views.transfer_desk, name="transfers"),
    path("history/", views.history, name="history"),
]

urlpatterns += [path("party-fees/", party_views.party_fees, name="party-fees")]

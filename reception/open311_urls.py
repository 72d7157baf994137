from django.urls import path

from reception import open311

app_name = "open311"

XML = {"fmt": "xml"}

urlpatterns = [
    path("discovery.json", open311.discovery, name="discovery"),
    path("services.json", open311.services, name="services"),
    path("requests.json", open311.requests, name="requests"),
    path("requests/<str:number>.json", open311.request_detail, name="request"),
    path("services/<slug:code>.json", open311.service_definition, name="service"),
    path("tokens/<str:token>.json", open311.token, name="token"),
    path("discovery.xml", open311.discovery, XML, name="discovery-xml"),
    path("services.xml", open311.services, XML, name="services-xml"),
    path("requests.xml", open311.requests, XML, name="requests-xml"),
    path("requests/<str:number>.xml", open311.request_detail, XML, name="request-xml"),
    path("services/<slug:code>.xml", open311.service_definition, XML, name="service-xml"),
    path("tokens/<str:token>.xml", open311.token, XML, name="token-xml"),
]

"""Open311 GeoReport v2's jurisdiction_id, as the spec has it for an endpoint serving one
jurisdiction: optional on every call; the configured one (shown in discovery) is accepted, any
other is 404 and, when the hall requires it, a call without it is 400 — in the spec's error shape
in JSON and XML, and nothing is made by a refused POST. Read through the real `georeport`
client against live_server too, which sends the jurisdiction it is given on every call."""

from xml.etree import ElementTree as ET

import pytest
import requests as http
from django.urls import reverse
from georeport import GeoReport
from jsonschema import validate

from reception.models import Case, CaseCategory, Open311Key

from .conftest import new_case
from .test_open311 import DISCOVERY, ERRORS, REQUESTS, SERVICES

HERE = "hall.example.edu.cn"


@pytest.fixture(autouse=True)
def _jurisdiction(settings):
    settings.OPEN311_JURISDICTION_ID = HERE
    settings.OPEN311_JURISDICTION_REQUIRED = False


@pytest.fixture
def reads(noise):
    case = new_case(noise, channel="online")
    return [
        ("open311:discovery", []),
        ("open311:services", []),
        ("open311:service", ["noise"]),
        ("open311:requests", []),
        ("open311:request", [case.number]),
    ]


def _xml_error(response, status):
    root = ET.fromstring(response.content)
    assert root.tag == "errors"
    assert root.find("error/code").text == str(status)
    assert root.find("error/description").text


def test_discovery_names_the_jurisdiction(client, db):
    data = client.get(reverse("open311:discovery")).json()
    validate(data, DISCOVERY)
    assert data["jurisdiction_id"] == HERE


@pytest.mark.parametrize("given", [None, "", HERE], ids=["absent", "empty", "ours"])
def test_every_read_takes_our_jurisdiction_or_none(client, reads, given):
    query = {} if given is None else {"jurisdiction_id": given}
    for name, args in reads:
        for suffix in ("", "-xml"):
            response = client.get(reverse(name + suffix, args=args), query)
            assert response.status_code == 200, (name, suffix)


def test_every_read_of_another_jurisdiction_is_404_in_the_error_shape(client, reads):
    for name, args in reads:
        response = client.get(reverse(name, args=args), {"jurisdiction_id": "elsewhere.gov"})
        assert response.status_code == 404, name
        validate(response.json(), ERRORS)
        assert "elsewhere.gov" in response.json()[0]["description"]
        xml = client.get(reverse(name + "-xml", args=args), {"jurisdiction_id": "elsewhere.gov"})
        assert xml.status_code == 404
        _xml_error(xml, 404)


def test_when_required_a_call_without_it_is_400(client, reads, settings):
    settings.OPEN311_JURISDICTION_REQUIRED = True
    for name, args in reads:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 400, name
        validate(response.json(), ERRORS)
        _xml_error(client.get(reverse(name + "-xml", args=args)), 400)
        assert client.get(reverse(name, args=args), {"jurisdiction_id": HERE}).status_code == 200


@pytest.mark.parametrize(
    ("given", "status"),
    [("elsewhere.gov", 404), (HERE, 200), (None, 200)],
    ids=["other", "ours", "absent"],
)
def test_a_post_checks_the_jurisdiction_first(client, noise, given, status):
    Open311Key.objects.create(name="City app", key="k-123")
    data = {"api_key": "k-123", "service_code": "noise", "address_string": "东门"}
    if given:
        data["jurisdiction_id"] = given
    response = client.post(reverse("open311:requests"), data)
    assert response.status_code == status
    if status != 200:
        validate(response.json(), ERRORS)
    assert Case.objects.count() == (1 if status == 200 else 0)


def test_the_georeport_client_with_our_jurisdiction_and_another(live_server, transactional_db):
    # given a category and one online case
    city = CaseCategory.objects.create(code="city", name_zh="城市管理", name_en="City")
    noise = CaseCategory.objects.create(parent=city, code="noise", name_zh="噪音", name_en="Noise")
    case = new_case(noise, channel="online")
    root = f"{live_server.url}/open311/v2"
    for fmt in ("json", "xml"):
        # when the client names our jurisdiction, every read works
        ours = GeoReport(root, jurisdiction=HERE, output_format=fmt)
        services = ours.get_service_list()
        ours.get_service_definition("noise")
        listed = ours.get_service_requests(service_request_id=case.number)
        one = ours.get_service_request(case.number)
        if fmt == "json":
            validate(services, SERVICES)
            validate(listed, REQUESTS)
        assert one["service_request_id"] == case.number
        # and when it names another, every read is refused with 404 in the error shape
        other = GeoReport(root, jurisdiction="elsewhere.gov", output_format=fmt)
        calls = (
            (other.get_service_list, ()),
            (other.get_service_definition, ("noise",)),
            (other.get_service_requests, ()),
            (other.get_service_request, (case.number,)),
        )
        for call, args in calls:
            with pytest.raises(http.HTTPError) as refused:
                call(*args)
            assert refused.value.response.status_code == 404
            if fmt == "json":
                validate(refused.value.response.json(), ERRORS)
            else:
                _xml_error(refused.value.response, 404)

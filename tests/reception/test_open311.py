"""Open311 GeoReport v2: every JSON answer validated with jsonschema against the spec's shapes;
a bad key is 403, no service_code 400, both in the spec's error shape; no personal data in GET."""

import pytest
from django.urls import reverse
from jsonschema import validate

from reception import case_services as cs
from reception.models import Case, Open311Key

from .conftest import new_case

ERRORS = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
    },
}
DISCOVERY = {
    "type": "object",
    "required": ["changeset", "contact", "key_service", "endpoints"],
    "properties": {
        "endpoints": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["specification", "url", "changeset", "type", "formats"],
                "properties": {
                    "type": {"enum": ["production", "test"]},
                    "formats": {"type": "array", "items": {"type": "string"}},
                },
            },
        }
    },
}
SERVICES = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["service_code", "service_name", "description", "metadata", "type"],
        "properties": {
            "service_code": {"type": "string"},
            "metadata": {"type": "boolean"},
            "type": {"enum": ["realtime", "batch", "blackbox"]},
        },
    },
}
CREATED = {
    "type": "array",
    "minItems": 1,
    "items": {"type": "object", "required": ["service_request_id"]},
}
REQUESTS = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["service_request_id", "status", "service_code", "requested_datetime"],
        "properties": {"status": {"enum": ["open", "closed"]}},
    },
}
PERSONAL = ("13812345678", "王小明", "wang@example.com", "127.0.0.1")


@pytest.fixture
def key(db):
    return Open311Key.objects.create(name="City app", key="k-123")


def test_discovery_and_services(client, noise):
    discovery = client.get(reverse("open311:discovery"))
    validate(discovery.json(), DISCOVERY)
    services = client.get(reverse("open311:services")).json()
    validate(services, SERVICES)
    # Only the leaves of the category tree are services.
    assert [s["service_code"] for s in services] == ["noise"]


def test_post_a_request_then_read_it_without_personal_data(client, key, noise, office, roads, ron):
    posted = client.post(
        reverse("open311:requests"),
        {
            "api_key": "k-123",
            "service_code": "noise",
            "lat": "30.27",
            "long": "120.15",
            "description": "工地夜间施工",
            "first_name": "王小明",
            "phone": "13812345678",
            "email": "wang@example.com",
        },
    )
    assert posted.status_code == 200
    validate(posted.json(), CREATED)
    number = posted.json()[0]["service_request_id"]
    case = Case.objects.get(number=number)
    assert case.channel == "online" and case.contact_phone == "13812345678"
    url = reverse("open311:request", args=[number])
    read = client.get(url)
    validate(read.json(), REQUESTS)
    assert read.json()[0]["status"] == "open"
    assert not any(p in read.content.decode() for p in PERSONAL)
    case = cs.case_dispatch(case=cs.case_accept(case=case, by=office), by=office, lead_unit=roads)
    case = cs.case_reply(case=cs.case_sign(case=case, by=ron), by=ron, reply="已停工")
    cs.case_close(case=case, by=office)
    closed = client.get(url).json()[0]
    assert closed["status"] == "closed" and closed["service_notice"] == "已停工"


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"api_key": "wrong", "service_code": "noise", "address_string": "东门"}, 403),
        ({"service_code": "noise", "address_string": "东门"}, 403),
        ({"api_key": "k-123", "address_string": "东门"}, 400),
        ({"api_key": "k-123", "service_code": "noise"}, 400),
        ({"api_key": "k-123", "service_code": "nope", "address_string": "东门"}, 404),
        ({"api_key": "k-123", "service_code": "noise", "lat": "x", "long": "y"}, 400),
    ],
)
def test_refusals_in_the_spec_error_shape(client, key, noise, data, status):
    response = client.post(reverse("open311:requests"), data)
    assert response.status_code == status
    validate(response.json(), ERRORS)
    assert response.json()[0]["code"] == status
    assert not Case.objects.exists()


def test_a_revoked_key_and_an_unknown_request(client, key, noise):
    key.is_active = False
    key.save()
    data = {"api_key": "k-123", "service_code": "noise", "address_string": "东门"}
    assert client.post(reverse("open311:requests"), data).status_code == 403
    missing = client.get(reverse("open311:request", args=["GD20260000001"]))
    assert missing.status_code == 404
    validate(missing.json(), ERRORS)


def test_a_case_from_another_channel_is_not_in_open311(client, noise):
    case = new_case(noise, channel="phone")
    assert client.get(reverse("open311:request", args=[case.number])).status_code == 404

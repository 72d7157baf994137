"""Open311 GeoReport v2, the rest of the spec: service definitions with attributes, GET requests
with its filters (ids, codes, dates in the 90-day window, status), tokens, XML for every endpoint
in the spec's element names, the per-key rate limit, and no personal data in any answer. The
read calls go through the real `georeport` client against live_server; the client has no POST,
discovery or token call, so those go through `requests`, a real HTTP client too."""

from datetime import timedelta
from xml.etree import ElementTree as ET

import pytest
import requests as http
import time_machine
from django.urls import reverse
from django.utils import timezone
from georeport import GeoReport
from jsonschema import validate

from reception import case_services as cs
from reception.models import Case, CaseCategoryAttribute, Open311Key

from .conftest import new_case
from .test_open311 import DISCOVERY, ERRORS, PERSONAL, REQUESTS, SERVICES

DEFINITION = {
    "type": "object",
    "required": ["service_code", "attributes"],
    "properties": {
        "attributes": {
            "type": "array",
            "items": {
                "type": "object",
                "required": [
                    "variable",
                    "code",
                    "datatype",
                    "required",
                    "datatype_description",
                    "order",
                    "description",
                ],
                "properties": {
                    "variable": {"type": "boolean"},
                    "required": {"type": "boolean"},
                    "datatype": {
                        "enum": [
                            "string",
                            "number",
                            "datetime",
                            "text",
                            "singlevaluelist",
                            "multivaluelist",
                        ]
                    },
                    "values": {
                        "type": "array",
                        "items": {"type": "object", "required": ["key", "name"]},
                    },
                },
            },
        }
    },
}
CREATED = {
    "type": "array",
    "minItems": 1,
    "items": {"type": "object", "required": ["service_request_id", "token"]},
}
TOKENS = {
    "type": "array",
    "items": {"type": "object", "required": ["service_request_id", "token"]},
}


@pytest.fixture
def key(db):
    return Open311Key.objects.create(name="City app", key="k-123")


@pytest.fixture
def when(noise):
    CaseCategoryAttribute.objects.create(
        category=noise,
        code="when",
        description="什么时候最吵？",
        datatype="singlevaluelist",
        required=True,
        values=[{"key": "night", "name": "夜间"}, {"key": "day", "name": "白天"}],
        order=1,
    )
    return noise


def post(client, **extra):
    data = {
        "api_key": "k-123",
        "service_code": "noise",
        "lat": "30.27",
        "long": "120.15",
        "description": "工地夜间施工",
        "first_name": "王小明",
        "phone": "13812345678",
        "email": "wang@example.com",
        "attribute[when]": "night",
    }
    data.update(extra)
    return client.post(reverse("open311:requests"), {k: v for k, v in data.items() if v})


def test_a_category_with_attributes_has_metadata_and_a_definition(client, when):
    # given a leaf category with one required list attribute
    # when the services and its definition are read
    services = client.get(reverse("open311:services")).json()
    definition = client.get(reverse("open311:service", args=["noise"]))
    # then metadata is true and the definition lists the attribute with its values
    validate(services, SERVICES)
    assert services[0]["metadata"] is True
    validate(definition.json(), DEFINITION)
    attribute = definition.json()["attributes"][0]
    assert attribute["code"] == "when" and attribute["required"] is True
    assert [v["key"] for v in attribute["values"]] == ["night", "day"]


def test_a_category_without_attributes_has_no_metadata(client, noise):
    assert client.get(reverse("open311:services")).json()[0]["metadata"] is False
    assert client.get(reverse("open311:service", args=["noise"])).json()["attributes"] == []


@pytest.mark.parametrize("code", ["city", "nope"])
def test_a_group_or_an_unknown_code_has_no_definition(client, noise, code):
    # "city" is a parent (a group), not a service
    response = client.get(reverse("open311:service", args=[code]))
    assert response.status_code == 404
    validate(response.json(), ERRORS)


def test_posting_answers_the_attributes_and_a_token_that_resolves(client, key, when):
    # when a request is posted with its answer
    response = post(client)
    # then the id and a token come back, the token resolves to the id
    validate(response.json(), CREATED)
    created = response.json()[0]
    case = Case.objects.get(number=created["service_request_id"])
    assert case.open311.attributes == {"when": "night"}
    resolved = client.get(reverse("open311:token", args=[created["token"]]))
    validate(resolved.json(), TOKENS)
    assert resolved.json()[0]["service_request_id"] == case.number
    # and the request carries its location, never the person
    read = client.get(reverse("open311:request", args=[case.number])).json()[0]
    assert (read["lat"], read["long"]) == (30.27, 120.15)
    assert not any(p in resolved.content.decode() for p in PERSONAL)


@pytest.mark.parametrize(
    "extra",
    [
        pytest.param({"attribute[when]": ""}, id="missing-required-attribute"),
        pytest.param({"attribute[when]": "noon"}, id="value-not-in-list"),
        pytest.param({"lat": "95"}, id="latitude-out-of-range"),
        pytest.param({"media_url": "javascript:alert(1)"}, id="bad-media-url"),
    ],
)
def test_a_bad_post_is_400_and_makes_nothing(client, key, when, extra):
    response = post(client, **extra)
    assert response.status_code == 400
    validate(response.json(), ERRORS)
    assert not Case.objects.exists()


@pytest.mark.parametrize("token", ["not-a-uuid", "6f1c1a7e-0000-4000-8000-000000000000"])
def test_an_unknown_token_is_404(client, db, token):
    response = client.get(reverse("open311:token", args=[token]))
    assert response.status_code == 404
    validate(response.json(), ERRORS)


def test_the_rate_limit_is_per_key(client, key, when, settings):
    # given a limit of two requests an hour per key
    settings.OPEN311_REQUESTS_PER_KEY_PER_HOUR = 2
    Open311Key.objects.create(name="Other app", key="k-456")
    assert post(client).status_code == 200
    assert post(client).status_code == 200
    # when the same key posts a third time
    refused = post(client)
    # then it is refused in the error shape, while another key still may post
    assert refused.status_code == 429
    validate(refused.json(), ERRORS)
    assert Case.objects.count() == 2
    assert post(client, api_key="k-456").status_code == 200
    # and an hour later the first key may post again
    with time_machine.travel(timezone.now() + timedelta(hours=1, minutes=1)):
        assert post(client).status_code == 200


def online(category, number_of_days_ago=0, **kw):
    case = new_case(category, channel="online", **kw)
    if number_of_days_ago:
        Case.objects.filter(pk=case.pk).update(
            created_at=timezone.now() - timedelta(days=number_of_days_ago)
        )
    return case


def numbers(response) -> list[str]:
    return sorted(r["service_request_id"] for r in response.json())


def test_get_requests_filters(client, noise, office, roads):
    # given online cases of two categories, one closed, one 100 days old, and a phone case
    from reception.models import CaseCategory

    lights = CaseCategory.objects.create(
        parent=noise.parent, code="lights", name_zh="路灯", name_en="Street lights"
    )
    a = online(noise)
    b = online(lights)
    old = online(noise, number_of_days_ago=100)
    new_case(noise, channel="phone")
    cs.case_not_accept(case=b, by=office, reason="不属于本单位")
    url = reverse("open311:requests")
    # then the default window is the last 90 days, online only
    assert numbers(client.get(url)) == sorted([a.number, b.number])
    assert numbers(client.get(url, {"service_code": "lights"})) == [b.number]
    assert numbers(client.get(url, {"service_code": "lights,noise"})) == sorted(
        [a.number, b.number]
    )
    assert numbers(client.get(url, {"status": "open"})) == [a.number]
    assert numbers(client.get(url, {"status": "closed"})) == [b.number]
    assert numbers(client.get(url, {"status": "open,closed"})) == sorted([a.number, b.number])
    # ids override every other filter, the old one included
    by_ids = client.get(url, {"service_request_id": f"{old.number},{b.number}", "status": "open"})
    assert numbers(by_ids) == sorted([old.number, b.number])
    # a window around the old one finds it alone
    start = (timezone.now() - timedelta(days=110)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (timezone.now() - timedelta(days=95)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert numbers(client.get(url, {"start_date": start, "end_date": end})) == [old.number]
    # a start alone covers 90 days from it
    assert numbers(client.get(url, {"start_date": start})) == [old.number]
    validate(client.get(url).json(), REQUESTS)


@pytest.mark.parametrize(
    "query",
    [
        pytest.param({"start_date": "yesterday"}, id="bad-date"),
        pytest.param(
            {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
            id="more-than-90-days",
        ),
        pytest.param(
            {"start_date": "2026-06-01T00:00:00Z", "end_date": "2026-05-01T00:00:00Z"},
            id="end-before-start",
        ),
        pytest.param({"status": "pending"}, id="bad-status"),
        pytest.param({"start_date": "\x00"}, id="nul-date"),
        pytest.param({"end_date": "2026-13-45T99:99:99Z"}, id="impossible-date"),
        pytest.param({"status": "open\x00"}, id="nul-status"),
        pytest.param({"service_request_id": ",".join(["x"] * 101)}, id="too-many-ids"),
    ],
)
def test_get_requests_refuses_bad_queries_in_the_error_shape(client, db, query):
    response = client.get(reverse("open311:requests"), query)
    assert response.status_code == 400
    validate(response.json(), ERRORS)


def test_get_requests_costs_the_same_queries_for_1_and_50(client, noise, django_assert_num_queries):
    online(noise)
    with django_assert_num_queries(1):
        assert len(client.get(reverse("open311:requests")).json()) == 1
    for _ in range(49):
        online(noise)
    with django_assert_num_queries(1):
        assert len(client.get(reverse("open311:requests")).json()) == 50


def test_every_endpoint_speaks_xml_in_the_spec_element_names(client, key, when):
    # given one posted request (in XML)
    response = client.post(
        reverse("open311:requests-xml"),
        {
            "api_key": "k-123",
            "service_code": "noise",
            "address_string": "东门",
            "attribute[when]": "day",
            "first_name": "王小明",
            "phone": "13812345678",
        },
    )
    assert response["Content-Type"].startswith("text/xml")
    created = ET.fromstring(response.content)
    assert created.tag == "service_requests"
    number = created.find("request/service_request_id").text
    token = created.find("request/token").text
    # then each endpoint's XML has the spec's root and item elements
    discovery = ET.fromstring(client.get(reverse("open311:discovery-xml")).content)
    assert discovery.tag == "discovery"
    assert discovery.find("endpoints/endpoint/formats/format") is not None
    services = ET.fromstring(client.get(reverse("open311:services-xml")).content)
    assert services.find("service/service_code").text == "noise"
    assert services.find("service/metadata").text == "true"
    definition = ET.fromstring(client.get(reverse("open311:service-xml", args=["noise"])).content)
    assert definition.tag == "service_definition"
    assert definition.find("attributes/attribute/values/value/key").text == "night"
    listed = ET.fromstring(client.get(reverse("open311:requests-xml")).content)
    assert [r.text for r in listed.findall("request/service_request_id")] == [number]
    one = client.get(reverse("open311:request-xml", args=[number]))
    assert ET.fromstring(one.content).find("request/status").text == "open"
    resolved = ET.fromstring(client.get(reverse("open311:token-xml", args=[token])).content)
    assert resolved.find("request/service_request_id").text == number
    for body in (one.content, listed and client.get(reverse("open311:requests-xml")).content):
        assert not any(p.encode() in body for p in PERSONAL)
    # and errors are errors/error(code, description)
    bad = client.post(reverse("open311:requests-xml"), {"api_key": "wrong"})
    assert bad.status_code == 403
    errors = ET.fromstring(bad.content)
    assert errors.tag == "errors" and errors.find("error/code").text == "403"
    assert errors.find("error/description").text


# --- through real clients against a live server -------------------------------------------


@pytest.fixture
def live_key(transactional_db):
    return Open311Key.objects.create(name="City app", key="k-live")


def test_the_georeport_client_reads_everything(live_server, live_key, transactional_db):
    # given a category with an attribute and one request posted over HTTP
    from reception.models import CaseCategory

    city = CaseCategory.objects.create(code="city", name_zh="城市管理", name_en="City")
    noise = CaseCategory.objects.create(parent=city, code="noise", name_zh="噪音", name_en="Noise")
    CaseCategoryAttribute.objects.create(
        category=noise,
        code="when",
        description="什么时候最吵？",
        datatype="singlevaluelist",
        values=[{"key": "night", "name": "夜间"}],
    )
    root = f"{live_server.url}/open311/v2"
    posted = http.post(
        f"{root}/requests.json",
        data={
            "api_key": "k-live",
            "service_code": "noise",
            "address_string": "东门外工地",
            "attribute[when]": "night",
            "description": "夜间施工",
            "first_name": "王小明",
            "phone": "13812345678",
        },
        timeout=10,
    )
    assert posted.status_code == 200
    validate(posted.json(), CREATED)
    number, token = posted.json()[0]["service_request_id"], posted.json()[0]["token"]
    discovery = http.get(f"{root}/discovery.json", timeout=10)
    validate(discovery.json(), DISCOVERY)
    assert (
        http.get(f"{root}/tokens/{token}.json", timeout=10).json()[0]["service_request_id"]
        == number
    )
    for fmt in ("json", "xml"):
        client = GeoReport(root, output_format=fmt)
        # when the client reads the services, a definition, the list and one request
        services = client.get_service_list()
        definition = client.get_service_definition("noise")
        listed = client.get_service_requests(status="open", service_code="noise")
        one = client.get_service_request(number)
        # then (xmltodict gives one item as a dict, JSON a list)
        if fmt == "json":
            validate(services, SERVICES)
            validate(definition, DEFINITION)
            validate(listed, REQUESTS)
            validate([one], REQUESTS)
            assert listed[0]["service_request_id"] == number
        else:
            assert services["service_code"] == "noise" and services["metadata"] == "true"
            assert definition["attributes"]["attribute"]["code"] == "when"
            assert listed["service_request_id"] == number
        assert one["service_request_id"] == number and one["status"] == "open"
        assert "13812345678" not in str(listed) + str(one)
    # and refusals come in the spec's shape with their HTTP codes
    bad_key = http.post(f"{root}/requests.json", data={"api_key": "no"}, timeout=10)
    no_code = http.post(
        f"{root}/requests.json", data={"api_key": "k-live", "address_string": "东门"}, timeout=10
    )
    for response, status in ((bad_key, 403), (no_code, 400)):
        assert response.status_code == status
        validate(response.json(), ERRORS)
    with pytest.raises(http.HTTPError):
        GeoReport(root).get_service_request("GD20990000001")

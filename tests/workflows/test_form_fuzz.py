"""Every field type fed invalid and hostile values: a clear error or a clean value, never a crash,
and the view saves nothing when the form is refused."""

import uuid

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hall.models import ServiceField
from workflows.forms import ApplyForm
from workflows.models import ServiceRequest

TYPES = [t for t in ServiceField.Type.values if t != "file"]
hostile = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "\x00",
            "9" * 400,
            "-1e999",
            "NaN",
            "inf",
            "２０２６－１２－０１",
            "2026-13-45",
            "🙂",
            "%s%s%n",
            "../../etc/passwd",
        ]
    ),
)


def spec(kind: str) -> ServiceField:
    return ServiceField(
        key="f",
        label_zh="字段",
        field_type=kind,
        required=True,
        options=[["a", "甲", "A"]] if kind in ("choice", "multi_choice") else [],
        validation={"min": 0, "max": 100} if kind in ("number", "money") else {},
    )


@pytest.mark.parametrize("kind", TYPES)
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=hostile, second=hostile)
def test_any_value_gives_a_clean_value_or_a_message(kind, value, second, alice):
    data = {"submit_token": str(uuid.uuid4()), "f": value, "f_0": value, "f_1": second}
    if kind == "multi_choice":
        data["f"] = [value, second]
    form = ApplyForm(data, specs=[spec(kind)], user=alice)
    if form.is_valid():
        form.form_data()  # serialises to JSON-safe values
    else:
        assert form.errors["f"] and all(str(message) for message in form.errors["f"])


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=hostile)
def test_the_view_never_fails_and_saves_nothing_on_refusal(client, make_service, alice, value):
    service = make_service()
    ServiceField.objects.get_or_create(
        service=service,
        key="count",
        defaults={"label_zh": "数量", "field_type": "number", "validation": {"min": 1, "max": 5}},
    )
    client.force_login(alice)
    before = ServiceRequest.objects.count()
    response = client.post(
        reverse("workflows:apply", args=[service.code]),
        {"submit_token": str(uuid.uuid4()), "count": value, "submit": "1"},
    )
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert ServiceRequest.objects.count() == before

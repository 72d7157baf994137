import pytest
from django.core.exceptions import ValidationError

from hall.models import ServiceField, ServiceStep
from hall.services import service_parts_check


@pytest.mark.parametrize(
    ("values", "field"),
    [
        pytest.param({"rule": "user"}, "approver", id="user-needs-approver"),
        pytest.param(
            {"rule": "department_role", "role_code": "x"}, "department", id="dept-role-needs-dept"
        ),
        pytest.param({"rule": "applicant_role"}, "role_code", id="role-needs-code"),
        pytest.param({"rule": "form_field"}, "field_key", id="picker-needs-field"),
        pytest.param({"rule": "applicant_head", "mode": "n_of_m"}, "quorum", id="n-of-m-needs-n"),
        pytest.param({"rule": "applicant_head", "quorum": 2}, "quorum", id="n-only-for-n-of-m"),
        pytest.param(
            {"rule": "applicant_head", "condition_field": "amount"},
            "condition_field",
            id="half-a-condition",
        ),
    ],
)
def test_a_step_that_cannot_be_resolved_is_refused(values, field):
    step = ServiceStep(name_zh="审批", **values)
    with pytest.raises(ValidationError) as caught:
        step.full_clean(exclude=["service"])
    assert field in caught.value.message_dict


def test_a_choice_field_needs_options():
    field = ServiceField(key="kind", label_zh="类型", field_type="choice", options=[])
    with pytest.raises(ValidationError):
        field.full_clean(exclude=["service"])


def test_choice_labels_follow_the_language(settings):
    from django.utils import translation

    field = ServiceField(options=[["a", "甲", "A"], "乙"])
    with translation.override("en"):
        assert field.choice_list() == [("a", "A"), ("乙", "乙")]
    with translation.override("zh-hans"):
        assert field.choice_list() == [("a", "甲"), ("乙", "乙")]


def test_parts_check_refuses_a_duplicate_field_key(db):
    fields = [
        {"key": "a", "label_zh": "甲", "field_type": "text"},
        {"key": "a", "label_zh": "乙", "field_type": "text"},
    ]
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError, match="twice"):
        service_parts_check(fields=fields, steps=[], contacts=[])

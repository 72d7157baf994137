"""Office admins manage the catalogue in Django admin and move it in and out as Excel or CSV."""

import json

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hall.admin import ServiceResource
from hall.models import Service, ServiceContact, ServiceField, ServiceStep
from hall.selectors import service_parts, services_with_parts


@pytest.fixture
def full_service(make_service, research_dept, reviewer_role, alice):
    service = make_service(
        code="receipt-claim",
        name_zh="科研经费报销",
        name_en="Receipt claim",
        keywords="报销, claim",
        synonyms="发票",
        materials="发票原件",
        for_graduates=True,
    )
    ServiceField.objects.create(
        service=service,
        order=1,
        key="amount",
        label_zh="金额",
        label_en="Amount",
        field_type="money",
        validation={"min": 0},
        prefill="",
    )
    ServiceField.objects.create(
        service=service,
        order=2,
        key="kind",
        label_zh="类型",
        field_type="choice",
        options=[["a", "甲", "A"], ["b", "乙", "B"]],
    )
    ServiceStep.objects.create(
        service=service,
        order=1,
        name_zh="科研院审核",
        rule="department_role",
        department=research_dept,
        role_code="reviewer",
        mode="n_of_m",
        quorum=2,
    )
    ServiceStep.objects.create(
        service=service,
        order=2,
        name_zh="指定人审批",
        rule="user",
        approver=alice,
        condition_field="amount",
        condition_operator="gt",
        condition_value="50000",
    )
    ServiceContact.objects.create(service=service, name="陈老师", phone="0571-1111")
    return service


def snapshot(service: Service) -> dict:
    service = services_with_parts().get(pk=service.pk)
    row = {
        f.name: getattr(service, f.attname)
        for f in Service._meta.concrete_fields
        if f.name not in {"id", "created_at", "updated_at", "popularity"}
    }
    return {"row": row, **service_parts(service)}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_round_trips_the_catalogue(full_service, fmt):
    # given: the catalogue exported, then the service deleted
    before = snapshot(full_service)
    exported = ServiceResource().export()
    data = getattr(exported, fmt)
    Service.objects.all().delete()
    # when: the file is imported back
    dataset = tablib.Dataset().load(data, format=fmt)
    result = ServiceResource().import_data(dataset, dry_run=False, raise_errors=True)
    # then: the same service, chain, form and contacts stand again
    assert not result.has_errors() and not result.has_validation_errors()
    assert snapshot(Service.objects.get(code="receipt-claim")) == before


def test_import_updates_by_code_and_replaces_the_chain(full_service):
    exported = ServiceResource().export()
    exported.dict[0]  # the export has one row
    rows = exported.dict
    rows[0]["name_en"] = "Research receipt claim"
    rows[0]["steps"] = json.dumps(
        [{"name_zh": "负责人", "rule": "applicant_head", "mode": "single", "time_limit_days": 1}]
    )
    dataset = tablib.Dataset(headers=exported.headers)
    for row in rows:
        dataset.append([row[h] for h in exported.headers])
    ServiceResource().import_data(dataset, dry_run=False, raise_errors=True)
    service = Service.objects.get()
    assert service.pk == full_service.pk
    assert service.name_en == "Research receipt claim"
    assert list(service.steps.values_list("name_zh", flat=True)) == ["负责人"]


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        pytest.param("not json", "JSON", id="not-json"),
        pytest.param('[{"name_zh": "x", "rule": "user"}]', "approver", id="user-rule-without-user"),
        pytest.param('[{"name_zh": "x", "rule": "oracle"}]', "rule", id="unknown-rule"),
        pytest.param(
            '[{"name_zh": "x", "rule": "user", "approver": "nobody"}]', "nobody", id="unknown-user"
        ),
        pytest.param(
            '[{"name_zh": "x", "rule": "applicant_head", "colour": 1}]', "colour", id="unknown-key"
        ),
        pytest.param(
            '[{"name_zh": "x", "rule": "form_field", "field_key": "boss"}]',
            "boss",
            id="person-field-missing",
        ),
    ],
)
def test_a_bad_import_row_is_refused_and_changes_nothing(full_service, steps, message):
    before = snapshot(full_service)
    exported = ServiceResource().export()
    row = exported.dict[0]
    row["steps"] = steps
    row["name_zh"] = "改了的名字"
    dataset = tablib.Dataset(headers=exported.headers)
    dataset.append([row[h] for h in exported.headers])
    result = ServiceResource().import_data(dataset, dry_run=False, use_transactions=True)
    assert result.has_errors() or result.has_validation_errors()
    errors = json.dumps(
        [str(e.error) for e in result.base_errors]
        + [str(r.error) for r in result.invalid_rows]
        + [str(e.error) for _, errs in result.row_errors() for e in errs],
        ensure_ascii=False,
    )
    assert message in errors
    assert snapshot(full_service) == before


def test_admin_pages_for_the_catalogue_work(client, olivia, full_service):
    client.force_login(olivia)
    for url in [
        reverse("admin:hall_service_changelist"),
        reverse("admin:hall_service_changelist") + "?q=报销",
        reverse("admin:hall_service_change", args=[full_service.pk]),
        reverse("admin:hall_service_add"),
        reverse("admin:hall_service_import"),
        reverse("admin:hall_service_export"),
        reverse("admin:hall_searchmiss_changelist"),
        reverse("admin:hall_department_changelist"),
        reverse("admin:hall_user_changelist"),
    ]:
        assert client.get(url).status_code == 200, url
    changelist = client.get(reverse("admin:hall_service_changelist")).content.decode()
    assert f'href="{full_service.get_absolute_url()}"' in changelist


def test_admin_export_downloads_csv(client, olivia, full_service):
    client.force_login(olivia)
    response = client.post(
        reverse("admin:hall_service_export"),
        {
            "format": "0",
            "resource": "0",
            **{f"serviceresource_{f}": "on" for f in ServiceResource._meta.fields},
        },
    )
    assert response.status_code == 200
    assert "科研经费报销" in response.content.decode("utf-8-sig")
    assert "科研院审核" in response.content.decode("utf-8-sig")


def test_admin_import_through_the_pages_updates_the_catalogue(client, olivia, full_service):
    # given: an exported CSV with a changed English name
    exported = ServiceResource().export()
    rows = exported.dict
    rows[0]["name_en"] = "Claim, imported"
    dataset = tablib.Dataset(headers=exported.headers)
    for row in rows:
        dataset.append([row[h] for h in exported.headers])
    upload = SimpleUploadedFile("catalogue.csv", dataset.csv.encode("utf-8"), "text/csv")
    client.force_login(olivia)
    formats = [
        f.__name__ if hasattr(f, "__name__") else str(f)
        for f in client.get(reverse("admin:hall_service_import"))
        .context["form"]
        .fields["format"]
        .choices
    ]
    csv_choice = next(i for i, label in enumerate(formats) if "csv" in str(label).lower()) - 1
    # when: uploaded, previewed, then confirmed
    preview = client.post(
        reverse("admin:hall_service_import"),
        {"resource": "0", "format": str(max(csv_choice, 0)), "import_file": upload},
    )
    assert preview.status_code == 200
    assert not preview.context["result"].has_errors()
    confirm = preview.context["confirm_form"]
    done = client.post(reverse("admin:hall_service_process_import"), confirm.initial)
    # then
    assert done.status_code == 302
    full_service.refresh_from_db()
    assert full_service.name_en == "Claim, imported"
    assert list(full_service.steps.values_list("name_zh", flat=True)) == [
        "科研院审核",
        "指定人审批",
    ]

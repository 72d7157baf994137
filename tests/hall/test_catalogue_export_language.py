"""The catalogue's export and import speak the admin's language and the hall's calendar, and
carry the English guide texts both ways."""

import io
import json

import openpyxl
import pytest
import tablib
import time_machine
from django.conf import settings
from django.urls import reverse

from hall.admin import ServiceResource
from hall.models import Service, ServiceContact, ServiceField

ENGLISH = {
    "applicant_range_en": "Faculty and staff",
    "materials_en": "1. The original invoices",
    "procedure_en": "1. Apply online.\n2. Follow it under “My requests”.",
    "fees_en": "Free",
    "faq_en": "Q: Can I withdraw it?\nA: Yes, until it is finished.",
}


@pytest.fixture
def english_service(make_service):
    service = make_service(code="receipt-claim", name_zh="科研经费报销", **ENGLISH)
    ServiceField.objects.create(
        service=service,
        key="amount",
        label_zh="金额",
        label_en="Amount",
        field_type="money",
        help_text="含税",
        help_text_en="Tax included",
    )
    ServiceContact.objects.create(
        service=service,
        name="陈老师",
        office="行政楼201",
        office_en="Admin Building 201",
        hours="工作日",
        hours_en="Working days",
    )
    return service


def export(client, fmt: str):
    form = client.get(reverse("admin:hall_service_export")).context["form"]
    value = next(v for v, label in form.fields["format"].choices if str(label).lower() == fmt)
    return client.post(
        reverse("admin:hall_service_export"),
        {
            "format": str(value),
            "resource": "0",
            **{f"serviceresource_{f}": "on" for f in ServiceResource._meta.fields},
        },
    )


def test_export_then_import_round_trips_the_english_texts(english_service):
    # given the catalogue exported, then the English texts wiped
    exported = ServiceResource().export()
    Service.objects.filter(pk=english_service.pk).update(**dict.fromkeys(ENGLISH, ""))
    ServiceField.objects.update(help_text_en="")
    ServiceContact.objects.update(office_en="", hours_en="")

    # when the file is imported back
    dataset = tablib.Dataset().load(exported.xlsx, format="xlsx")
    result = ServiceResource().import_data(dataset, dry_run=False, raise_errors=True)

    # then every English text stands again, each in its own column
    assert not result.has_errors() and not result.has_validation_errors()
    assert set(ENGLISH) <= set(exported.headers)
    service = Service.objects.get(code="receipt-claim")
    assert {field: getattr(service, field) for field in ENGLISH} == ENGLISH
    assert service.fields.get().help_text_en == "Tax included"
    contact = service.contacts.get()
    assert (contact.office_en, contact.hours_en) == ("Admin Building 201", "Working days")
    assert json.loads(exported.dict[0]["contacts"])[0]["office_en"] == "Admin Building 201"


def test_the_export_dialog_names_its_columns_in_chinese(client, olivia, english_service):
    # given an office admin reading the admin in Chinese
    client.force_login(olivia)

    # when the export dialog opens
    html = client.get(reverse("admin:hall_service_export")).content.decode()

    # then the columns carry their Chinese names, not their codes
    assert "全选" in html and "Select all" not in html
    assert "中文名称" in html and "英文名称" in html
    assert "申请材料（英文）" in html
    assert "Name Zh" not in html and "Materials En" not in html


def test_the_export_dialog_names_its_columns_in_english(client, olivia, english_service):
    # given an office admin who chose English
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(olivia)

    # when
    html = client.get(reverse("admin:hall_service_export")).content.decode()

    # then
    assert "Name (Chinese)" in html and "Required materials (English)" in html
    assert "Name Zh" not in html


def test_the_exported_sheet_is_named_after_the_model(client, olivia, english_service):
    # given
    client.force_login(olivia)

    # when the catalogue is exported as Excel
    response = export(client, "xlsx")

    # then its sheet is "服务事项", not tablib's "Tablib Dataset"
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["服务事项"]


def test_the_export_file_is_dated_by_the_halls_day_not_utcs(client, olivia, english_service):
    # given 20:00 UTC on New Year's Eve, already 04:00 on 1 January in Shanghai
    with time_machine.travel("2026-12-31 20:00 +0000", tick=False):
        client.force_login(olivia)

        # when the catalogue is exported
        response = export(client, "csv")

    # then the file is dated 2027-01-01
    assert response.status_code == 200
    assert 'filename="Service-2027-01-01.csv"' in response["Content-Disposition"]


def test_the_chinese_admin_index_leaves_viewflows_english_models_out(client, olivia):
    # given
    client.force_login(olivia)

    # when
    html = client.get(reverse("admin:index")).content.decode()

    # then the hall's models are there, in Chinese, and viewflow's "Process list" is not
    assert "服务事项" in html
    assert "Process list" not in html and "viewflow" not in html.lower()
    assert client.get("/admin/viewflow/process/").status_code == 404

"""Archival codes as people type them, and organization codes as DA/T 22-2015 gives them."""

import re
import unicodedata

import pytest
import tablib
from django.urls import reverse
from django.utils.translation import override

from archives import selectors
from archives import services as archive
from archives.admin import OrganizationCodeResource
from archives.demo import seed_demo_archives
from archives.models import Fonds, OrganizationCode, Record
from hall.demo import DEPARTMENTS
from hall.models import Department
from tests.archives.conftest import package


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def filed(fonds, research_dept, media):
    archive.record_file(package=package(1, department=research_dept.pk))
    record = archive.record_file(package=package(2, department=research_dept.pk))
    assert record.code == "Z001-WS·2026-D30-KYY-0002"
    return record


@pytest.mark.parametrize(
    "typed",
    [
        "Z001-WS-2026-D30-KYY-0002",
        "Z001-WS.2026-D30-KYY-0002",
        "z001.ws.2026.d30.kyy.0002",
        "Z001－WS－2026－D30－KYY－0002",
        "Ｚ００１－ＷＳ・２０２６－Ｄ３０－ＫＹＹ－０００２",
        "Ｚ００１．ＷＳ．２０２６．Ｄ３０．ＫＹＹ．０００２",
        "Z001-WS‧2026-D30-KYY-0002",
        "Z001—WS—2026—D30—KYY—0002",
    ],
)
def test_a_code_typed_with_hyphens_dots_or_full_width_forms_finds_the_record(
    filed, archivist, typed
):
    # when
    found = list(selectors.search(archivist, q=typed))
    # then
    assert found == [filed]


@pytest.mark.parametrize(
    "typed", ["Z001-WS-2026", "z001.ws.2026-d30-kyy", "Ｚ００１－ＷＳ－２０２６"]
)
def test_the_start_of_a_code_typed_with_other_separators_finds_its_class(filed, archivist, typed):
    # when
    found = set(selectors.search(archivist, q=typed))
    # then
    assert filed in found and len(found) == 2


def test_the_record_list_finds_a_code_typed_with_hyphens(client, filed, archivist):
    # given
    client.force_login(archivist)
    # when
    page = client.get("/archives/", {"q": "Z001-WS-2026-D30-KYY-0002"})
    # then
    assert list(page.context["page"].object_list) == [filed]


def test_codes_listed_for_a_loan_are_mended_the_same_way():
    # when
    codes = archive.codes_of(
        "z001-ws-2026-d30-kyy-0002, Ｚ００１．ＷＳ．２０２６．Ｄ３０．ＫＹＹ．０００２"
    )
    # then
    assert codes == ["Z001-WS·2026-D30-KYY-0002"]


def test_text_with_hyphens_that_is_no_code_is_searched_as_typed(fonds, archivist, media):
    # given
    record = archive.record_file(
        package=archive.FilingPackage(title="校-院两级会议纪要", date=package(1).date, files=[])
    )
    # when
    found = list(selectors.search(archivist, q="校-院"))
    # then
    assert found == [record]


# --- organization codes (DA/T 22-2015: three capital letters or digits) ----------------------


def _org_codes():
    return sorted(OrganizationCode.objects.values_list("fonds__code", "department__code", "code"))


@pytest.mark.parametrize("typed", ["XZBGS", "BG", "B-S", "办公室", "BGSS", ""])
def test_the_admin_refuses_an_organization_code_off_the_standard(
    client, olivia, fonds, people, typed
):
    # given
    finance = Department.objects.get(code="finance")
    before = _org_codes()
    client.force_login(olivia)
    # when
    page = client.post(
        reverse("admin:archives_organizationcode_add"),
        {"fonds": fonds.pk, "department": finance.pk, "code": typed},
    )
    # then: refused in the admin's language (Chinese by default)
    assert page.status_code == 200
    assert _org_codes() == before
    if typed:
        assert "3 位大写字母或数字" in page.content.decode()


@pytest.mark.parametrize("typed", ["CWC", "cwc", "ＣＷＣ", "C01"])
def test_the_admin_takes_a_three_character_organization_code(client, olivia, fonds, people, typed):
    # given
    finance = Department.objects.get(code="finance")
    client.force_login(olivia)
    # when
    client.post(
        reverse("admin:archives_organizationcode_add"),
        {"fonds": fonds.pk, "department": finance.pk, "code": typed},
    )
    # then
    saved = OrganizationCode.objects.get(fonds=fonds, department=finance).code
    assert saved == unicodedata.normalize("NFKC", typed).upper()


def test_a_code_from_before_the_rule_stays_and_its_records_keep_their_codes(
    client, olivia, fonds, people, archivist, media
):
    # given: a five-letter code assigned before the rule, and a record filed under it
    finance = Department.objects.get(code="finance")
    legacy = OrganizationCode.objects.create(fonds=fonds, department=finance, code="XZBGS")
    record = archive.record_file(package=package(1, department=finance.pk))
    assert record.code == "Z001-WS·2026-D30-XZBGS-0001"
    office = Department.objects.get(code="president-office")
    client.force_login(olivia)
    # when: an admin moves the code to another department without retyping it
    client.post(
        reverse("admin:archives_organizationcode_change", args=[legacy.pk]),
        {"fonds": fonds.pk, "department": office.pk, "code": "XZBGS"},
    )
    # then
    legacy.refresh_from_db()
    assert (legacy.department, legacy.code) == (office, "XZBGS")
    record.refresh_from_db()
    assert record.code == "Z001-WS·2026-D30-XZBGS-0001"
    assert list(selectors.search(archivist, q="Z001-WS-2026-D30-XZBGS-0001")) == [record]


def test_changing_an_old_code_must_give_the_standard_form(client, olivia, fonds, people):
    # given
    finance = Department.objects.get(code="finance")
    legacy = OrganizationCode.objects.create(fonds=fonds, department=finance, code="XZBGS")
    client.force_login(olivia)
    # when
    client.post(
        reverse("admin:archives_organizationcode_change", args=[legacy.pk]),
        {"fonds": fonds.pk, "department": finance.pk, "code": "CWCX"},
    )
    # then
    legacy.refresh_from_db()
    assert legacy.code == "XZBGS"


def test_an_imported_organization_code_off_the_standard_is_refused_and_nothing_is_saved(
    fonds, people
):
    # given
    before = _org_codes()
    dataset = tablib.Dataset(headers=["fonds", "department", "code"])
    dataset.append(["Z001", "finance", "CWC"])
    dataset.append(["Z001", "president-office", "XZBGS"])
    # when
    with override("en"):
        result = OrganizationCodeResource().import_data(
            dataset, dry_run=False, use_transactions=True, rollback_on_validation_errors=True
        )
    # then
    assert result.has_validation_errors()
    assert "three capital letters or digits" in str(result.invalid_rows[0].error)
    assert _org_codes() == before


def test_an_imported_organization_code_of_the_standard_form_is_saved(fonds, people):
    # given
    dataset = tablib.Dataset(headers=["fonds", "department", "code"])
    dataset.append(["Z001", "finance", "cwc"])
    # when
    result = OrganizationCodeResource().import_data(dataset, dry_run=False, use_transactions=True)
    # then
    assert not result.has_errors() and not result.has_validation_errors()
    assert ("Z001", "finance", "CWC") in _org_codes()


def test_the_demo_fonds_gives_every_department_a_three_character_code(db):
    # given
    for order, (code, zh, en, _kind, _parent) in enumerate(DEPARTMENTS):
        Department.objects.create(code=code, name_zh=zh, name_en=en, order=order)
    Department.objects.create(code="new-office", name_zh="新办公室", order=99)
    # when
    seed_demo_archives()
    seed_demo_archives()
    # then
    codes = dict(OrganizationCode.objects.values_list("department__code", "code"))
    assert len(codes) == len(DEPARTMENTS) + 1
    assert all(re.fullmatch(r"[A-Z0-9]{3}", c) for c in codes.values()), codes
    assert len(set(codes.values())) == len(codes)
    assert codes["president-office"] == "XZB"
    assert codes["logistics"] == "HQC"
    assert codes["smart-campus"] == "ZHX"
    assert Record.objects.filter(
        code__regex=r"^Z001-WS·\d{4}-(Y|D30|D10)-[A-Z0-9]{3}-\d{4}$"
    ).count() == (Record.objects.count())


def test_the_demo_keeps_codes_a_database_already_has(db):
    # given: a database seeded before the rule
    for order, (code, zh, en, _kind, _parent) in enumerate(DEPARTMENTS):
        Department.objects.create(code=code, name_zh=zh, name_en=en, order=order)
    fonds = Fonds.objects.create(code="Z001", name="示范大学全宗")
    office = Department.objects.get(code="president-office")
    OrganizationCode.objects.create(fonds=fonds, department=office, code="XZBGS")
    # when
    seed_demo_archives()
    # then
    assert OrganizationCode.objects.get(department=office).code == "XZBGS"
    assert Record.objects.get(source_ref="archives.demo:9").org_code == "XZBGS"


def test_the_admin_pages_of_organization_codes_open(client, olivia, fonds):
    # given
    client.force_login(olivia)
    # when
    pages = [
        client.get(reverse(f"admin:archives_organizationcode_{name}"))
        for name in ("changelist", "add", "import", "export")
    ]
    # then
    assert [p.status_code for p in pages] == [200, 200, 200, 200]

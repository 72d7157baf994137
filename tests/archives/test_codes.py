"""Archival codes as people type them, and organization codes as DA/T 22-2015 gives them."""

import pytest

from archives import selectors
from archives import services as archive
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

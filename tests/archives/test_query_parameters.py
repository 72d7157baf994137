"""Every query parameter of every archives page is read through a form: a NUL byte, a number
too large for the database, a year out of range, text where a number belongs, or 4,000
characters gets a message and is ignored; the page still renders, never a 500."""

import pytest
from django.contrib.messages import constants
from django.urls import reverse

from archives import services as archive
from tests.archives.conftest import package

VALUES = {
    "nul": "a\x00b",
    "huge": "99999999999999999999",
    "negative": "-1",
    "10000": "10000",
    "9999": "9999",
    "non-numeric": "abc",
    "unicode": "文件·档案",
    "long": "9" * 4000,
}
# Which of VALUES each kind of parameter refuses (the rest are fine values for it).
BAD = {
    "text100": {"nul", "long"},
    "text10": {"nul", "long", "huge"},
    "year": {"nul", "huge", "negative", "10000", "9999", "non-numeric", "unicode", "long"},
    "id": {"nul", "huge", "negative", "non-numeric", "unicode", "long"},
    "page": {"nul", "huge", "negative", "non-numeric", "unicode", "long"},
    "days": {"nul", "huge", "negative", "10000", "9999", "non-numeric", "unicode", "long"},
    "choice": set(VALUES),
}
# Every archives page that reads its query string, with each parameter it reads.
PAGES = {
    "archives:record-list": {
        "q": "text100",
        "year": "year",
        "retention": "choice",
        "status": "choice",
        "org": "text10",
        "department": "id",
        "fixity": "choice",
        "page": "page",
    },
    "archives:statistics": {"from": "year", "to": "year", "format": "choice"},
    "archives:loans": {"show": "choice", "page": "page"},
    "archives:cert-list": {"kind": "choice", "within": "days", "expired": "choice", "page": "page"},
    "archives:chronicle-list": {"year": "year", "page": "page"},
    "archives:training-list": {"page": "page"},
    "archives:report-list": {"page": "page"},
    "archives:report-forms": {"page": "page"},
    "archives:appraisal": {"page": "page"},
    "archives:destruction": {"page": "page"},
    "archives:import": {"template": "text10"},
}
CASES = [
    pytest.param(page, parameter, kind, value_id, id=f"{page.split(':')[1]}-{parameter}-{value_id}")
    for page, parameters in PAGES.items()
    for parameter, kind in parameters.items()
    for value_id in VALUES
]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def some_records(fonds, research_dept, media):
    return [archive.record_file(package=package(n, department=research_dept.pk)) for n in (1, 2)]


def _warnings(response) -> list[str]:
    if response.context is None:  # a download (the import template)
        return []
    return [str(m) for m in response.context["messages"] if m.level == constants.WARNING]


@pytest.mark.parametrize(("page", "parameter", "kind", "value_id"), CASES)
def test_a_hostile_query_value_gets_a_message_or_is_used_and_never_a_500(
    client, archivist, some_records, page, parameter, kind, value_id
):
    # given
    client.force_login(archivist)
    # when
    response = client.get(reverse(page), {parameter: VALUES[value_id]})
    # then
    assert response.status_code == 200
    warnings = _warnings(response)
    if value_id in BAD[kind]:
        assert len(warnings) == 1 and "已忽略" in warnings[0], warnings
    else:
        assert warnings == []


def test_a_nul_byte_in_the_search_shows_the_unfiltered_list_with_a_message(
    client, archivist, some_records
):
    # given
    client.force_login(archivist)
    # when
    response = client.get(reverse("archives:record-list"), {"q": "文件\x00", "org": "KYY\x00"})
    # then
    assert response.status_code == 200
    assert set(response.context["page"].object_list) == set(some_records)
    text = response.content.decode()
    assert "搜索" in text and "已忽略" in text


@pytest.mark.parametrize("year", ["99999999999999999999", "-1", "10000", "9999"])
def test_the_statistics_ignore_a_year_out_of_range_and_count_every_year(
    client, archivist, some_records, year
):
    # given
    client.force_login(archivist)
    # when
    response = client.get(reverse("archives:statistics"), {"from": year, "to": year})
    # then
    assert response.status_code == 200
    assert response.context["year_from"] is None and response.context["year_to"] is None
    assert response.context["stats"]["by_year"] == [{"year": 2026, "n": 2, "width": 100}]
    assert len(_warnings(response)) == 2


def test_the_statistics_still_take_a_year_range(client, archivist, some_records):
    # given
    client.force_login(archivist)
    # when
    response = client.get(reverse("archives:statistics"), {"from": "2025", "to": "2026"})
    # then
    assert (response.context["year_from"], response.context["year_to"]) == (2025, 2026)
    assert _warnings(response) == []


def test_the_message_is_in_english_for_an_english_reader(client, archivist, settings):
    # given
    client.force_login(archivist)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    # when
    response = client.get(reverse("archives:chronicle-list"), {"year": "10000"})
    # then
    assert response.status_code == 200
    assert _warnings(response) == [
        "“Year” was left out: Ensure this value is less than or equal to 2100."
    ]


def test_the_pager_links_keep_good_filters_and_drop_a_refused_value(
    client, archivist, some_records
):
    # given
    client.force_login(archivist)
    # when: the year is refused, the search text is fine
    response = client.get(reverse("archives:record-list"), {"q": "文件", "year": "abc"})
    # then: the next page's links carry the search, not the value that was refused
    assert response.context["querystring"] == "q=%E6%96%87%E4%BB%B6"

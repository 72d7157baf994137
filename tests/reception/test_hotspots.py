"""Hot spots (热点): counts by category, unit, period and place, the on-time and reopened rates,
the CSS bar chart and the Excel export; only the office sees them; the page costs the same queries
for 1 case and for 50."""

from datetime import date
from io import BytesIO

import pytest
import time_machine
from openpyxl import load_workbook

from reception import case_services as cs
from reception.hotspots import bars, hotspots
from reception.models import Case, CaseCategory

from .conftest import at, new_case

URL = "/reception/hotspots/"


@pytest.fixture
def lighting(db):
    return CaseCategory.objects.create(code="lighting", name_zh="道路照明", name_en="Lighting")


def handled(office, ron, unit, category, *, received, closed, **kw):
    """A case received, dispatched and closed at the given moments."""
    with time_machine.travel(received, tick=False):
        case = cs.case_accept(case=new_case(category, **kw), by=office)
        case = cs.case_sign(case=cs.case_dispatch(case=case, by=office, lead_unit=unit), by=ron)
        case = cs.case_reply(case=case, by=ron, reply="已处理")
    with time_machine.travel(closed, tick=False):
        return cs.case_close(case=case, by=office)


def test_the_figures_count_what_happened_in_the_period(office, ron, roads, noise, lighting):
    # given: three noise cases and one lighting case in Dec 2026; one closed late, one reopened
    # (urgent cases are due the same day at 17:30)
    on_time = handled(
        office,
        ron,
        roads,
        noise,
        received=at("2026-12-07", "09:00"),
        closed=at("2026-12-07", "16:00"),
        kind="urgent",
        place="东门",
    )
    handled(
        office,
        ron,
        roads,
        noise,
        received=at("2026-12-08", "09:00"),
        closed=at("2026-12-09", "10:00"),
        kind="urgent",
        place="东门",
    )
    with time_machine.travel(at("2026-12-15", "09:00"), tick=False):
        cs.case_callback(case=on_time, by=office, satisfaction="dissatisfied")
        new_case(noise, place="西门")
        new_case(lighting)
        merged = new_case(noise)
        from reception.case_merging import case_merge

        case_merge(case=merged, into=Case.objects.filter(place="西门").get(), by=office)
    with time_machine.travel(at("2026-11-30", "09:00"), tick=False):
        new_case(lighting)  # outside the period
    # when
    spots = hotspots(start=date(2026, 12, 1), end=date(2026, 12, 31))
    # then
    assert spots.total == 4
    assert spots.by_category == [("噪音", 3), ("道路照明", 1)]
    assert spots.by_unit == [("市政处", 2)]
    assert spots.by_place == [("东门", 2), ("西门", 1)]
    assert spots.by_period == [("2026-12-07", 2), ("2026-12-14", 2)]
    # the reopened case is not closed any more; the one left closed was a day late
    assert (spots.closed, spots.on_time, spots.on_time_rate) == (1, 0, 0.0)
    assert (spots.reopened, spots.reopened_rate) == (1, 25.0)
    monthly = hotspots(start=date(2026, 11, 1), end=date(2026, 12, 31), period="month")
    assert monthly.by_period == [("2026-11", 1), ("2026-12", 4)]


def test_a_late_case_lowers_the_on_time_rate(office, ron, roads, noise):
    handled(
        office,
        ron,
        roads,
        noise,
        received=at("2026-12-07", "09:00"),
        closed=at("2026-12-07", "12:00"),
        kind="urgent",
    )
    handled(
        office,
        ron,
        roads,
        noise,
        received=at("2026-12-08", "09:00"),
        closed=at("2026-12-09", "10:00"),
        kind="urgent",
    )
    spots = hotspots(start=date(2026, 12, 1), end=date(2026, 12, 31))
    assert (spots.closed, spots.on_time, spots.on_time_rate) == (2, 1, 50.0)


def test_bars_are_widths_of_the_largest():
    assert bars([("a", 4), ("b", 1)]) == [("a", 4, 100), ("b", 1, 25)]
    assert bars([]) == []


@pytest.mark.parametrize(
    ("who", "status"), [("office", 200), ("ron", 404), ("charlie", 404), ("anonymous", 302)]
)
@pytest.mark.parametrize("url", [URL, "/reception/hotspots.xlsx"])
def test_only_the_office_sees_the_hot_spots(client, office, ron, charlie_user, who, status, url):
    people = {"office": office, "ron": ron, "charlie": charlie_user}
    if who in people:
        client.force_login(people[who])
    assert client.get(url).status_code == status


def test_the_page_and_the_export_in_both_languages(client, office, noise, settings):
    with time_machine.travel(at("2026-12-07", "09:00"), tick=False):
        new_case(noise, place="东门")
    client.force_login(office)
    query = {"from": "2026-12-01", "to": "2026-12-31"}
    page = client.get(URL, query).content.decode()
    assert "Hot spots" in page and "Noise" in page and 'style="width:100%"' in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page = client.get(URL, query).content.decode()
    assert "热点" in page and "噪音" in page and "按类别" in page
    response = client.get("/reception/hotspots.xlsx", query)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames[:2] == ["汇总", "按类别"]
    assert [tuple(r) for r in book["按类别"].iter_rows(values_only=True)] == [
        ("按类别", "工单数"),
        ("噪音", 1),
    ]


def test_bad_parameters_give_a_message_and_the_default_period(client, office):
    client.force_login(office)
    response = client.get(URL, {"from": "yesterday", "period": "decade"}, follow=True)
    assert response.status_code == 200
    assert "was left out" in response.content.decode()
    response = client.get(URL, {"from": "2026-12-31", "to": "2026-01-01"})
    assert response.status_code == 200 and "at most two years" in response.content.decode()


@pytest.mark.parametrize("n", [1, 50])
def test_the_page_costs_the_same_queries_for_1_and_50_cases(
    client, office, noise, lighting, roads, django_assert_num_queries, n
):
    with time_machine.travel(at("2026-12-07", "09:00"), tick=False):
        for i in range(n):
            case = new_case(noise if i % 2 else lighting, place=f"地点{i % 7}")
            if i % 3 == 0:
                cs.case_dispatch(
                    case=cs.case_accept(case=case, by=office), by=office, lead_unit=roads
                )
    client.force_login(office)
    client.get(URL)  # warm the session
    with django_assert_num_queries(QUERIES):
        assert client.get(URL, {"from": "2026-12-01", "to": "2026-12-31"}).status_code == 200


QUERIES = 9  # the same at 1 and 50: every figure is one grouped query


def test_the_page_keeps_its_figures_for_ten_minutes(client, office, noise):
    query = {"from": "2026-12-01", "to": "2026-12-31"}
    with time_machine.travel(at("2026-12-07", "09:00"), tick=False):
        new_case(noise)
    client.force_login(office)
    assert client.get(URL, query).context["spots"].total == 1
    with time_machine.travel(at("2026-12-07", "09:01"), tick=False):
        new_case(noise)
    # the same period again: the kept figures; another period: counted afresh
    assert client.get(URL, query).context["spots"].total == 1
    assert client.get(URL, {**query, "to": "2026-12-30"}).context["spots"].total == 2


def test_a_channel_narrows_the_figures_and_the_week_chart_is_drawn(client, office, noise):
    with time_machine.travel(at("2026-12-07", "10:00"), tick=False):
        new_case(noise)
        new_case(noise, channel="mailbox", contact_email="a@example.cn")
    with time_machine.travel(at("2026-12-15", "10:00"), tick=False):
        new_case(noise, channel="mailbox", contact_email="b@example.cn")
    spots = hotspots(start=date(2026, 12, 1), end=date(2026, 12, 31), channel="mailbox")
    assert spots.total == 2 and spots.by_period == [("2026-12-07", 1), ("2026-12-14", 1)]
    assert hotspots(start=date(2026, 12, 1), end=date(2026, 12, 31)).total == 3
    client.force_login(office)
    page = client.get(URL, {"from": "2026-12-01", "to": "2026-12-31", "channel": "mailbox"})
    body = page.content.decode()
    assert '<svg class="spot-chart"' in body and "<title>2026-12-14: 1</title>" in body
    assert '<option value="mailbox" selected>' in body
    # each filter keeps its label above its box (a phone wraps whole fields, not a label apart)
    assert (
        '<div class="field"><label for="id_channel">Channel</label><select id="id_channel"' in body
    )
    assert "channel=mailbox" in body  # the Excel link keeps the channel
    book = load_workbook(
        BytesIO(
            client.get(
                "/reception/hotspots.xlsx",
                {"from": "2026-12-01", "to": "2026-12-31", "channel": "mailbox"},
            ).content
        )
    )
    assert book.active["B3"].value == 2


def test_a_bad_channel_is_a_message_and_all_channels(client, office, noise):
    client.force_login(office)
    response = client.get(URL, {"channel": "pigeon"})
    assert response.status_code == 200
    assert "is not one of the choices" in response.content.decode()

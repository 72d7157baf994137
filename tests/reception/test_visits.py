"""Visits: the office makes a visit, the standard of its level shows on its page, itinerary items
book resources through the bookings service (a refusal names the holder and adds nothing) and go
on the leaders' week with the visit as their source; who sees visits (URL × persona)."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from hall.models import User
from reception import schedules, services, visits
from reception.models import Booking, ItineraryItem, Leader, ScheduleEntry, Visit
from tests.reception.conftest import at

NOW = "2026-12-07T08:00:00+08:00"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def president(db):
    user = User.objects.create_user("pres", password="pw", full_name="王校长")
    return Leader.objects.create(user=user, position_zh="校长", position_en="President")


@pytest.fixture
def visit(oscar):
    return visits.visit_create(
        user=oscar,
        title="省教育厅调研",
        organisation="浙江省教育厅",
        guests="张处长 高教处处长\n李科长",
        level="bureau",
        starts_on=date(2026, 12, 8),
        ends_on=date(2026, 12, 9),
        people=5,
    )


def add(oscar, visit, start="09:00", end="10:00", **kw):
    values = dict(place="行政楼301", activity="座谈会")
    values.update(kw)
    return visits.item_add(
        user=oscar,
        visit_id=visit.pk,
        starts_at=at("2026-12-08", start),
        ends_at=at("2026-12-08", end),
        **values,
    )


def test_an_item_with_a_resource_is_a_booking_and_with_a_leader_an_entry(
    oscar, visit, room, president
):
    # when an item books the room and goes on the president's week
    item = add(oscar, visit, resource_id=room.pk, leader_id=president.pk)
    # then the booking is confirmed and the entry carries the visit as its source
    assert item.booking.status == Booking.Status.CONFIRMED and item.booking.resource == room
    entry = item.schedule_entry
    assert entry.leader == president and entry.source == f"reception.visit:{visit.pk}"
    assert entry.source_url == visit.get_absolute_url()
    assert entry in schedules_week()


def schedules_week():

    return list(schedules.week_entries(date(2026, 12, 7)))


def test_a_taken_slot_refuses_the_item_and_names_the_holder(oscar, visit, room, bob):
    # given bob holds the room 09:00–10:00
    services.booking_create(
        resource_id=room.pk,
        booker=bob,
        title="组会",
        starts_at=at("2026-12-08", "09:00"),
        ends_at=at("2026-12-08", "10:00"),
    )
    # when the itinerary wants it at 09:30
    with pytest.raises(visits.VisitError) as refused:
        add(oscar, visit, "09:30", "10:30", resource_id=room.pk)
    # then nothing is added and the message says who holds it
    assert bob.full_name in refused.value.message
    assert not ItineraryItem.objects.exists() and Booking.objects.count() == 1


@pytest.mark.parametrize(
    "kw",
    [
        pytest.param({"start": "11:00", "end": "10:00"}, id="ends-before-start"),
        pytest.param({"place": " "}, id="no-place"),
        pytest.param({"leader_id": 99999}, id="unknown-leader"),
    ],
)
def test_refused_items_change_nothing(oscar, visit, kw):
    with pytest.raises(visits.VisitError):
        add(oscar, visit, **kw)
    assert not ItineraryItem.objects.exists() and not ScheduleEntry.objects.exists()


def test_an_item_outside_the_visit_dates_is_refused(oscar, visit):
    with pytest.raises(visits.VisitError):
        visits.item_add(
            user=oscar,
            visit_id=visit.pk,
            starts_at=at("2026-12-10", "09:00"),
            ends_at=at("2026-12-10", "10:00"),
            place="东门",
            activity="送行",
        )


def test_only_the_office_makes_visits(alice, president):
    with pytest.raises(visits.VisitError):
        visits.visit_create(
            user=president.user,
            title="x",
            organisation="y",
            guests="z",
            level="bureau",
            starts_on=date(2026, 12, 8),
            ends_on=date(2026, 12, 8),
        )
    assert not Visit.objects.exists()


def test_the_page_shows_the_standard_and_adds_an_item(client, oscar, visit, standard, room):
    client.force_login(oscar)
    url = reverse("reception:visit", args=[visit.pk])
    page = client.get(url).content.decode()
    assert "分管副校长陪同" in page and "协议酒店标准间" in page
    response = client.post(
        url,
        {
            "starts_at": "2026-12-08T14:00",
            "ends_at": "2026-12-08T15:00",
            "place": "图书馆",
            "activity": "参观图书馆",
            "resource": room.pk,
        },
    )
    assert response.status_code == 302
    assert "参观图书馆" in client.get(url).content.decode()
    assert ItineraryItem.objects.get().booking.resource == room


@pytest.mark.parametrize(
    ("who", "status"),
    [("oscar", 200), ("president", 200), ("alice", 404), (None, 302)],
)
@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_url_persona_matrix(client, settings, oscar, president, alice, visit, who, status, lang):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    people = {"oscar": oscar, "president": president.user, "alice": alice}
    if who:
        client.force_login(people[who])
    for url in (reverse("reception:visits"), reverse("reception:visit", args=[visit.pk])):
        assert client.get(url).status_code == status
    new = client.get(reverse("reception:visit-new")).status_code
    assert new == {"oscar": 200, None: 302}.get(who, 404)
    # a leader reads but may not add
    posted = client.post(reverse("reception:visit", args=[visit.pk]), {"place": "x"})
    assert posted.status_code == {"oscar": 200, None: 302}.get(who, 404)


def test_the_list_costs_the_same_queries_for_1_and_50(
    client, oscar, visit, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(oscar)
    url = reverse("reception:visits")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n in range(49):
        Visit.objects.create(
            title=f"调研{n}",
            organisation="某单位",
            guests="某某",
            level="other",
            starts_on=date(2026, 12, 8),
            ends_on=date(2026, 12, 8),
            host=oscar,
        )
    with django_assert_num_queries(len(one.captured_queries)):
        assert client.get(url).content.decode().count("<tr><td") == 50

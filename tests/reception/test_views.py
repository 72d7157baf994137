"""The booking pages: who sees what, constant queries, the form's refusals, the feed."""

from datetime import timedelta

import pytest
import vobject
from django.urls import reverse

from reception import services
from reception.models import Booking
from tests.reception.conftest import at


@pytest.fixture(autouse=True)
def _december(time_machine):
    time_machine.move_to(at("2026-12-01", "09:00"), tick=False)


def book(resource, who, day="2026-12-07", start="09:00", hours=1, title="组会"):
    starts = at(day, start)
    return services.booking_create(
        resource_id=resource.pk,
        booker=who,
        title=title,
        starts_at=starts,
        ends_at=starts + timedelta(hours=hours),
    )


@pytest.mark.parametrize(
    "who,status",
    [("alice", 200), ("mona", 200), ("olivia", 200), ("bob", 404), ("anonymous", 302)],
)
def test_a_booking_page_opens_for_its_booker_and_managers_only(
    client, room, alice, bob, mona, olivia, who, status
):
    # given
    booking = book(room, alice)
    people = {"alice": alice, "bob": bob, "mona": mona, "olivia": olivia}
    if who in people:
        client.force_login(people[who])
    # when
    response = client.get(booking.get_absolute_url())
    # then
    assert response.status_code == status


@pytest.mark.parametrize("who,status", [("alice", 404), ("mona", 200)])
def test_only_the_booker_or_a_manager_may_cancel_through_the_page(
    client, room, bob, alice, mona, who, status
):
    booking = book(room, bob)
    client.force_login({"alice": alice, "mona": mona}[who])
    response = client.post(reverse("reception:booking-cancel", args=[booking.pk]))
    booking.refresh_from_db()
    assert response.status_code in ((302,) if status == 200 else (404,))
    assert booking.status == ("cancelled" if status == 200 else "confirmed")


def _grid_rows(room, alice, logistics, n):
    from reception.models import Resource

    for i in range(n):
        res = Resource.objects.create(
            code=f"room-{i}", name_zh=f"会议室{i}", kind="room", department=logistics
        )
        book(res, alice, title=f"会{i}")


@pytest.mark.parametrize("n", [1, 19])
def test_the_grid_costs_the_same_queries_for_1_and_20_rooms(
    client, room, alice, logistics, django_assert_num_queries, n
):
    # given
    _grid_rows(room, alice, logistics, n)
    client.force_login(alice)
    # when / then: user, the count, the resources, bookings, blackouts, the bell (the second
    # page reads the bell from the cache), whether the incidents' link is for this person
    for view, queries in (("day", 7), ("week", 6)):
        with django_assert_num_queries(queries):
            response = client.get(
                reverse("reception:resources"), {"kind": "room", "day": "2026-12-07", "view": view}
            )
        assert response.status_code == 200
    assert "张爱丽" in response.content.decode()


@pytest.mark.parametrize("n", [1, 50])
def test_my_bookings_cost_the_same_queries_for_1_and_50(
    client, room, alice, django_assert_num_queries, n
):
    for i in range(n):
        book(room, alice, day=(at("2026-12-07", "09:00") + timedelta(days=i)).date().isoformat())
    client.force_login(alice)
    with django_assert_num_queries(4):
        response = client.get(reverse("reception:my-bookings"))
    assert response.content.decode().count("组会") == n


def test_booking_in_the_form_refuses_a_taken_slot_naming_the_holder(client, room, alice, bob):
    # given
    book(room, alice, title="课题组会")
    client.force_login(bob)
    data = {
        "resource": room.pk,
        "title": "班会",
        "day": "2026-12-07",
        "start": "09:30",
        "end": "10:30",
        "attendees": 10,
    }
    # when
    response = client.post(reverse("reception:book"), data, follow=True)
    # then
    assert response.status_code == 200
    assert "张爱丽" in response.content.decode()
    assert not Booking.objects.filter(booker=bob).exists()
    data["start"], data["end"] = "11:00", "12:00"
    response = client.post(reverse("reception:book"), data)
    assert response.status_code == 302
    assert Booking.objects.get(booker=bob).status == "confirmed"


def test_a_series_in_the_form_lists_its_conflicts_then_skips_them(client, room, alice, bob):
    book(room, alice, day="2026-12-14", start="14:00", title="课题组会")
    client.force_login(bob)
    data = {
        "resource": room.pk,
        "title": "周会",
        "day": "2026-12-07",
        "start": "14:00",
        "end": "15:00",
        "attendees": 5,
        "repeat": "WEEKLY",
        "weekdays": [0],
        "count": 3,
    }
    response = client.post(reverse("reception:book"), data)
    assert response.status_code == 200
    assert "2026-12-14" in response.content.decode()
    assert not Booking.objects.filter(booker=bob).exists()
    data["skip_conflicts"] = "on"
    response = client.post(reverse("reception:book"), data)
    assert response.status_code == 302
    assert Booking.objects.filter(booker=bob).count() == 2


def test_the_resource_feed_is_valid_icalendar_with_stable_uids(client, room, alice, mona):
    # given
    book(room, alice, title="课题组会")
    book(room, alice, day="2026-12-08", title="答辩")
    url = reverse("reception:feed", args=[room.feed_token])
    # when
    first, second = client.get(url), client.get(url)
    # then
    assert first.status_code == 200
    assert first["Content-Type"].startswith("text/calendar")
    cal = vobject.readOne(first.content.decode())
    cal.validate()
    uids = sorted(e.uid.value for e in cal.vevent_list)
    assert len(uids) == 2
    again = vobject.readOne(second.content.decode())
    assert sorted(e.uid.value for e in again.vevent_list) == uids
    assert {e.summary.value for e in cal.vevent_list} == {"课题组会", "答辩"}


def test_a_changed_feed_token_revokes_the_old_address(client, room):
    import uuid

    old = reverse("reception:feed", args=[room.feed_token])
    room.feed_token = uuid.uuid4()
    room.save()
    assert client.get(old).status_code == 404
    assert client.get(reverse("reception:feed", args=[room.feed_token])).status_code == 200


def test_the_feed_address_is_shown_to_managers_only(client, room, alice, mona):
    client.force_login(alice)
    assert str(room.feed_token) not in client.get(room.get_absolute_url()).content.decode()
    client.force_login(mona)
    assert str(room.feed_token) in client.get(room.get_absolute_url()).content.decode()


def test_the_grid_links_the_incidents_only_for_whom_they_are(client, alice, bob):
    from hall.models import Role

    url = reverse("reception:resources")
    incidents = reverse("reception:incidents")
    client.force_login(alice)
    assert incidents not in client.get(url).content.decode()
    assert client.get(incidents).status_code == 404
    role = Role.objects.create(department=bob.department, code="schedule-office", name_zh="值班室")
    role.holders.add(bob)
    client.force_login(bob)
    assert incidents in client.get(url).content.decode()
    assert client.get(incidents).status_code == 200


def test_a_series_reads_in_words_on_its_booking_page(client, room, bob):
    """The booker reads "Weekly on Monday, Thursday, 3 times", not the RRULE."""
    data = {
        "resource": room.pk,
        "title": "周会",
        "day": "2026-12-07",
        "start": "14:00",
        "end": "15:00",
        "attendees": 5,
        "repeat": "WEEKLY",
        "weekdays": [0, 3],
        "count": 3,
    }
    client.force_login(bob)
    assert client.post(reverse("reception:book"), data).status_code == 302
    booking = Booking.objects.filter(booker=bob).first()
    page = client.get(booking.get_absolute_url()).content.decode()
    assert "FREQ=" not in page
    assert "Weekly on Monday, Thursday, 3 times" in page
    client.cookies["django_language"] = "zh-hans"
    page = client.get(booking.get_absolute_url()).content.decode()
    assert "每周星期一、星期四，共 3 次" in page


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        ("FREQ=DAILY;COUNT=1", "Daily, 1 time"),
        ("FREQ=DAILY;UNTIL=20261231T235959", "Daily, until 2026-12-31"),
        ("FREQ=WEEKLY;BYDAY=FR;UNTIL=20270115T235959", "Weekly on Friday, until 2027-01-15"),
        ("FREQ=WEEKLY", "Weekly"),
    ],
)
def test_a_series_rule_in_words(rule, words):
    from reception.selectors import series_description

    assert series_description(rule) == words


def test_the_feed_address_wraps_on_a_phone(client, room, mona):
    """The long feed address breaks anywhere (class "break"), not past a 390 px screen."""
    client.force_login(mona)
    page = client.get(room.get_absolute_url()).content.decode()
    assert (
        f'<a class="break" href="http://testserver/reception/feeds/resources/{room.feed_token}.ics"'
        in page
    )

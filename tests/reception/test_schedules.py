"""Leaders' schedules: who sees them (a URL × persona matrix), the week page's constant queries,
the office's entries (typed in or from a booking), and the per-leader feed under its token."""

import uuid

import pytest
import time_machine
import vobject
from django.urls import reverse

from hall.models import User
from reception import schedules, services
from reception.models import Leader, ScheduleEntry
from reception.schedules import ScheduleError
from tests.reception.conftest import at

NOW = "2026-12-07T08:00:00+08:00"  # a Monday


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _leader(username, name, position, order=0):
    user = User.objects.create_user(username, password="pw", full_name=name)
    return Leader.objects.create(
        user=user, position_zh=position, position_en="Vice-president", order=order
    )


@pytest.fixture
def president(db):
    return _leader("pres", "王校长", "校长")


@pytest.fixture
def vice(db):
    return _leader("vice", "李副校长", "副校长", order=1)


def _entry(leader, title="校务会", day="2026-12-08", start="09:00", end="10:30", **extra):
    return ScheduleEntry.objects.create(
        leader=leader, title=title, starts_at=at(day, start), ends_at=at(day, end), **extra
    )


def _login(client, user):
    if user is not None:
        client.force_login(user)
    return client


# --- who may see -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, week, leader, new",
    [
        ("oscar", 200, 200, 200),
        ("pres", 200, 200, 404),
        ("vice", 200, 200, 404),
        ("alice", 404, 404, 404),
        ("olivia", 200, 200, 200),
        ("anonymous", 302, 302, 302),
    ],
)
def test_visibility_matrix(client, oscar, president, vice, alice, olivia, who, week, leader, new):
    users = {"oscar": oscar, "pres": president.user, "vice": vice.user, "alice": alice}
    users["olivia"] = olivia
    _login(client, users.get(who))
    _entry(president)
    assert client.get(reverse("reception:schedules")).status_code == week
    assert client.get(reverse("reception:leader", args=[president.pk])).status_code == leader
    assert client.get(reverse("reception:schedule-new")).status_code == new


def test_feed_address_only_for_the_leader_and_the_office(client, oscar, president, vice):
    feed = reverse("reception:leader-feed", args=[president.feed_token])
    page = reverse("reception:leader", args=[president.pk])
    assert feed in _login(client, president.user).get(page).content.decode()
    assert feed not in _login(client, vice.user).get(page).content.decode()
    assert feed in _login(client, oscar).get(page).content.decode()


def test_an_outsider_cannot_revoke_or_delete(client, alice, vice, president):
    entry = _entry(president)
    token = president.feed_token
    _login(client, alice)
    assert client.post(reverse("reception:leader-revoke", args=[president.pk])).status_code == 404
    assert client.post(reverse("reception:schedule-delete", args=[entry.pk])).status_code == 404
    # another leader sees the schedules but keeps neither the entries nor a colleague's feed
    _login(client, vice.user)
    assert client.post(reverse("reception:leader-revoke", args=[president.pk])).status_code == 404
    assert client.post(reverse("reception:schedule-delete", args=[entry.pk])).status_code == 404
    president.refresh_from_db()
    assert president.feed_token == token
    assert ScheduleEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize("rows", [1, 50])
def test_a_leader_s_page_has_constant_queries(
    client, oscar, president, rows, django_assert_num_queries
):
    for n in range(rows):
        _entry(president, title=f"会议{n}", day=f"2026-12-{7 + n % 7:02d}")
    _login(client, oscar)
    # user, office role, the leader, whether the office keeps the feed, the week's entries, the
    # header's unread count
    with django_assert_num_queries(6):
        response = client.get(reverse("reception:leader", args=[president.pk]))
    assert response.content.decode().count("会议") == rows


# --- the week page -----------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 50])
def test_week_page_has_constant_queries(
    client, oscar, president, vice, rows, django_assert_num_queries
):
    for n in range(rows):
        _entry(president if n % 2 else vice, title=f"会议{n}", day=f"2026-12-{7 + n % 7:02d}")
    _login(client, oscar)
    # user, office role, leaders, entries, the header's unread count, filter choices
    with django_assert_num_queries(6):
        response = client.get(reverse("reception:schedules"))
    assert response.status_code == 200
    assert response.content.decode().count('class="sched-time"') == rows


def test_week_page_shows_this_week_only_and_filters_by_leader(client, oscar, president, vice):
    _entry(president, title="校务会", day="2026-12-08")
    _entry(vice, title="招生工作会", day="2026-12-10")
    _entry(president, title="下周的会", day="2026-12-15")
    _login(client, oscar)
    html = client.get(reverse("reception:schedules")).content.decode()
    assert "校务会" in html and "招生工作会" in html and "下周的会" not in html
    html = client.get(reverse("reception:schedules"), {"week": "2026-12-16"}).content.decode()
    assert "下周的会" in html and "校务会" not in html
    html = client.get(reverse("reception:schedules"), {"leader": vice.pk}).content.decode()
    assert "招生工作会" in html and "校务会" not in html


def test_a_bad_leader_is_left_out_with_a_message(client, oscar, president):
    _entry(president)
    _login(client, oscar)
    html = client.get(reverse("reception:schedules"), {"leader": "99999"}).content.decode()
    assert "No such leader." in html and "校务会" in html


# --- the office's entries ----------------------------------------------------------------------


def test_office_types_an_entry_in(client, oscar, president):
    _login(client, oscar)
    response = client.post(
        reverse("reception:schedule-new"),
        {
            "leader": president.pk,
            "title": "接待兄弟院校来访",
            "day": "2026-12-09",
            "start": "14:00",
            "end": "16:00",
            "place": "行政楼第一会议室",
        },
    )
    assert response.status_code == 302
    entry = ScheduleEntry.objects.get()
    assert (entry.title, entry.created_by, entry.starts_at) == (
        "接待兄弟院校来访",
        oscar,
        at("2026-12-09", "14:00"),
    )
    assert "接待兄弟院校来访" in client.get(response["Location"]).content.decode()


def test_an_entry_without_its_time_is_refused(client, oscar, president):
    _login(client, oscar)
    response = client.post(
        reverse("reception:schedule-new"), {"leader": president.pk, "title": "x"}
    )
    assert response.status_code == 200
    assert "Needed unless the entry comes from a booking." in response.content.decode()
    assert not ScheduleEntry.objects.exists()


def test_entry_from_a_booking_takes_its_time_and_place(oscar, president, room, mona):
    booking = services.booking_create(
        resource_id=room.pk,
        booker=mona,
        title="学科建设推进会",
        starts_at=at("2026-12-10", "09:00"),
        ends_at=at("2026-12-10", "11:00"),
    )
    entry = schedules.entry_create(user=oscar, leader_id=president.pk, booking_id=booking.pk)
    assert (entry.title, entry.starts_at, entry.ends_at) == (
        "学科建设推进会",
        booking.starts_at,
        booking.ends_at,
    )
    assert entry.source == f"reception.booking:{booking.pk}"
    assert entry.source_url == booking.get_absolute_url()
    assert entry.place == room.name_zh


def test_entry_refusals_change_nothing(oscar, president, alice):
    with pytest.raises(ScheduleError, match="Only the office"):
        schedules.entry_create(
            user=alice,
            leader_id=president.pk,
            title="x",
            starts_at=at("2026-12-08", "09:00"),
            ends_at=at("2026-12-08", "10:00"),
        )
    with pytest.raises(ScheduleError, match="No confirmed booking has the number 424242"):
        schedules.entry_create(user=oscar, leader_id=president.pk, booking_id=424242)
    with pytest.raises(ScheduleError, match="end must come after"):
        schedules.entry_create(
            user=oscar,
            leader_id=president.pk,
            title="x",
            starts_at=at("2026-12-08", "10:00"),
            ends_at=at("2026-12-08", "09:00"),
        )
    assert not ScheduleEntry.objects.exists()


def test_office_removes_an_entry(client, oscar, president):
    entry = _entry(president)
    _login(client, oscar)
    assert client.post(reverse("reception:schedule-delete", args=[entry.pk])).status_code == 302
    assert not ScheduleEntry.objects.exists()


# --- the feed ----------------------------------------------------------------------------------


def test_feed_validates_is_confidential_and_keeps_its_uids(client, president, vice):
    _entry(president, title="校务会", place="行政楼", participants="各部门负责人")
    _entry(president, title="听课", day="2026-12-09")
    _entry(vice, title="别人的会")
    url = reverse("reception:leader-feed", args=[president.feed_token])
    first = client.get(url)  # no login: calendar clients have none
    assert first.status_code == 200
    assert first["Content-Type"].startswith("text/calendar")
    cal = vobject.readOne(first.content.decode())
    cal.validate()
    events = cal.vevent_list
    assert sorted(e.summary.value for e in events) == ["听课", "校务会"]
    assert {e.contents["class"][0].value for e in events} == {"CONFIDENTIAL"}
    second = vobject.readOne(client.get(url).content.decode())
    assert sorted(e.uid.value for e in events) == sorted(e.uid.value for e in second.vevent_list)
    assert sorted(e.dtstamp.value for e in events) == sorted(
        e.dtstamp.value for e in second.vevent_list
    )


def test_revoked_token_and_no_token_give_404(client, president):
    _entry(president)
    old = reverse("reception:leader-feed", args=[president.feed_token])
    assert client.get(old).status_code == 200
    _login(client, president.user)
    assert client.post(reverse("reception:leader-revoke", args=[president.pk])).status_code == 302
    client.logout()
    president.refresh_from_db()
    assert client.get(old).status_code == 404
    assert (
        client.get(reverse("reception:leader-feed", args=[president.feed_token])).status_code == 200
    )
    assert client.get(reverse("reception:leader-feed", args=[uuid.uuid4()])).status_code == 404
    assert client.get("/reception/feeds/leaders/.ics").status_code == 404
    assert client.get("/reception/feeds/leaders/not-a-token.ics").status_code == 404


def test_an_inactive_leaders_feed_gives_404(client, president):
    president.is_active = False
    president.save()
    assert (
        client.get(reverse("reception:leader-feed", args=[president.feed_token])).status_code == 404
    )

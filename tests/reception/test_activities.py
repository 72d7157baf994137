"""Large activities: bookings made through the booking services, service tasks for the units,
who sees an activity, and the list's cost."""

from datetime import timedelta

import pytest
from django.urls import reverse

from hall.models import Department, Notification, Role, User
from reception import activities as act
from reception.models import Activity, ActivityBooking, ActivityTask, Booking
from reception.services import BookingError
from tests.reception.conftest import at


@pytest.fixture(autouse=True)
def _december(time_machine):
    time_machine.move_to(at("2026-12-01", "09:00"), tick=False)


@pytest.fixture
def olive(db):
    """The Service Center's office."""
    dept = Department.objects.create(code="service-center", name_zh="服务中心")
    user = User.objects.create_user("olive", password="pw", full_name="奥利芙", department=dept)
    Role.objects.create(department=dept, code=act.OFFICE_ROLE, name_zh="活动办").holders.add(user)
    return user


@pytest.fixture
def gala(alice):
    return act.activity_create(
        organiser=alice,
        title="校庆文艺晚会",
        starts_on=at("2026-12-07", "00:00").date(),
        ends_on=at("2026-12-08", "00:00").date(),
        attendance=800,
        place="大礼堂",
    )


def book(activity, who, resource, start, end, day="2026-12-07"):
    return act.activity_book(
        activity_id=activity.pk,
        user=who,
        resource_id=resource.pk,
        starts_at=at(day, start),
        ends_at=at(day, end),
    )


def test_an_activity_books_through_the_booking_services(gala, alice, room, hall_room, car, areas):
    # when
    first = book(gala, alice, room, "09:00", "11:00")
    second = book(gala, alice, hall_room, "18:00", "21:00")
    third = book(gala, alice, car, "08:00", "09:00", day="2026-12-08")
    # then: the hall needs approval like any booking of it
    assert first.status == Booking.Status.CONFIRMED
    assert second.status == Booking.Status.PENDING and second.request_id
    assert third.status == Booking.Status.CONFIRMED
    assert [b.pk for b in act.activity_bookings(gala)] == [first.pk, second.pk, third.pk]


def test_a_conflict_inside_an_activity_is_refused_naming_the_holder_and_changes_nothing(
    gala, alice, bob, room
):
    # given: bob holds the room
    from reception import services

    services.booking_create(
        resource_id=room.pk,
        booker=bob,
        title="课题组会",
        starts_at=at("2026-12-07", "09:00"),
        ends_at=at("2026-12-07", "10:00"),
    )
    before = Booking.objects.count()
    # when
    with pytest.raises(BookingError) as refused:
        book(gala, alice, room, "09:30", "11:00")
    # then
    assert bob.full_name in refused.value.message
    assert "课题组会" in refused.value.message
    assert Booking.objects.count() == before
    assert not ActivityBooking.objects.exists()


def test_a_booking_outside_the_activity_days_is_refused(gala, alice, room):
    with pytest.raises(act.ActivityError):
        book(gala, alice, room, "09:00", "10:00", day="2026-12-09")
    assert not Booking.objects.exists()


def test_only_the_organiser_or_the_office_books_for_an_activity(gala, bob, olive, room):
    with pytest.raises(act.ActivityError):
        book(gala, bob, room, "09:00", "10:00")
    assert book(gala, olive, room, "09:00", "10:00").booker == olive


def test_a_task_notifies_its_unit_and_is_marked_done_once(gala, alice, logistics, mona, bob):
    # when
    task = act.task_add(
        activity_id=gala.pk,
        user=alice,
        kind="sound",
        title="音响调试",
        department=logistics,
        due_at=at("2026-12-07", "17:00"),
    )
    # then: logistics' staff are told; an outsider may not mark it
    assert Notification.objects.filter(recipient=mona, kind="activity").count() == 1
    with pytest.raises(act.ActivityError):
        act.task_done(task_id=task.pk, user=bob)
    act.task_done(task_id=task.pk, user=mona)
    task.refresh_from_db()
    assert task.done_by == mona and task.done_at == at("2026-12-01", "09:00")
    with pytest.raises(act.ActivityError, match="already"):
        act.task_done(task_id=task.pk, user=alice)


def test_a_task_needs_a_unit_and_a_due_time(gala, alice, logistics):
    with pytest.raises(act.ActivityError):
        act.task_add(
            activity_id=gala.pk,
            user=alice,
            kind="cleaning",
            title="",
            department=None,
            due_at=at("2026-12-07", "17:00"),
        )
    with pytest.raises(act.ActivityError):
        act.task_add(
            activity_id=gala.pk,
            user=alice,
            kind="cleaning",
            title="",
            department=logistics,
            due_at=None,
        )
    assert not ActivityTask.objects.exists()


# --- pages ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, status",
    [("alice", 200), ("olive", 200), ("bob", 404), ("charlie_user", 404), ("anonymous", 302)],
    ids=["organiser", "office", "other-staff", "outsider", "anonymous"],
)
def test_who_sees_an_activity(client, request, gala, olive, who, status):
    # given
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    # when / then
    for name in ("reception:activity",):
        response = client.get(reverse(name, args=[gala.pk]))
        assert response.status_code == status
        if status == 302:
            assert "/login" in response["Location"] or "login" in response["Location"]
    for name in ("reception:activity-book", "reception:activity-task"):
        response = client.post(reverse(name, args=[gala.pk]), {})
        assert response.status_code == (400 if status == 200 else status)


def test_the_page_shows_bookings_and_tasks_with_their_states(client, gala, alice, room, logistics):
    # given
    book(gala, alice, room, "09:00", "10:00")
    act.task_add(
        activity_id=gala.pk,
        user=alice,
        kind="security",
        title="入场安检",
        department=logistics,
        due_at=at("2026-12-07", "17:00"),
    )
    client.force_login(alice)
    # when
    page = client.get(reverse("reception:activity", args=[gala.pk])).content.decode()
    # then
    assert "Admin Building Room 301" in page and "Confirmed" in page
    assert "入场安检" in page and "Logistics" in page and "Mark as done" in page


def test_the_form_refuses_a_conflict_naming_the_holder(client, gala, alice, bob, room):
    # given
    from reception import services

    services.booking_create(
        resource_id=room.pk,
        booker=bob,
        title="课题组会",
        starts_at=at("2026-12-07", "09:00"),
        ends_at=at("2026-12-07", "10:00"),
    )
    client.force_login(alice)
    data = {
        "resource": room.pk,
        "day": "2026-12-07",
        "start": "09:30",
        "end": "10:30",
        "attendees": 5,
    }
    # when
    response = client.post(reverse("reception:activity-book", args=[gala.pk]), data)
    # then
    assert response.status_code == 409
    assert bob.full_name in response.content.decode()
    assert not ActivityBooking.objects.exists()


def test_the_unit_marks_its_task_on_its_task_list(client, gala, alice, logistics, mona):
    task = act.task_add(
        activity_id=gala.pk,
        user=alice,
        kind="cleaning",
        title="会后保洁",
        department=logistics,
        due_at=at("2026-12-08", "22:00"),
    )
    client.force_login(mona)
    assert "会后保洁" in client.get(reverse("reception:activity-tasks")).content.decode()
    assert client.get(reverse("reception:activity", args=[gala.pk])).status_code == 404
    response = client.post(reverse("reception:activity-task-done", args=[task.pk]))
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.done_by == mona


def test_an_outsider_cannot_mark_a_task(client, gala, alice, logistics, bob):
    task = act.task_add(
        activity_id=gala.pk,
        user=alice,
        kind="cleaning",
        title="会后保洁",
        department=logistics,
        due_at=at("2026-12-08", "22:00"),
    )
    client.force_login(bob)
    assert client.post(reverse("reception:activity-task-done", args=[task.pk])).status_code == 404
    task.refresh_from_db()
    assert task.done_at is None


def test_a_new_activity_is_made_on_its_page(client, alice):
    client.force_login(alice)
    data = {
        "title": "新生开学典礼",
        "starts_on": "2026-12-10",
        "ends_on": "2026-12-10",
        "attendance": 3000,
        "place": "体育馆",
    }
    response = client.post(reverse("reception:activity-new"), data)
    activity = Activity.objects.get()
    assert response["Location"] == activity.get_absolute_url()
    assert activity.organiser == alice


@pytest.mark.parametrize("n", [1, 50])
def test_the_list_costs_the_same_queries_for_1_and_50(
    client, alice, olive, logistics, django_assert_num_queries, n
):
    # given: activities with a task each
    for i in range(n):
        a = act.activity_create(
            organiser=alice,
            title=f"活动{i}",
            starts_on=at("2026-12-07", "00:00").date() + timedelta(days=i),
            ends_on=at("2026-12-07", "00:00").date() + timedelta(days=i),
        )
        ActivityTask.objects.create(
            activity=a,
            kind="sound",
            title="音响",
            department=logistics,
            due_at=at("2026-12-07", "09:00"),
        )
    for who in (alice, olive):
        client.force_login(who)
        # when / then: session user, the office role, the count, the rows, the bell
        with django_assert_num_queries(5 if who == alice else 5):
            response = client.get(reverse("reception:activities"))
        assert response.content.decode().count(">活动") == n

"""Large activities on their pages: the organiser or the office edits one, takes a booking off
it (a booking still on is cancelled through the booking services) and withdraws an open service
task (its unit is told); the units are reminded of a task once before its due time; every object
URL is 404 for a student, another staff member and the tasks' unit (for the activity's own pages),
and anonymous people are sent to log in.

alice organises the gala; olive is the office; mona works in logistics (the unit of the tasks);
bob is a student; sam other staff."""

from datetime import timedelta

import pytest
from django.urls import reverse

from hall.models import Identity, Notification, User
from reception import activities as act
from reception.models import Activity, ActivityBooking, ActivityTask, Booking
from tests.reception.conftest import at
from workflows.reminders import app_ticks

from .test_activities import book, gala, olive  # noqa: F401 - fixtures


@pytest.fixture(autouse=True)
def _december(time_machine):
    time_machine.move_to(at("2026-12-01", "09:00"), tick=False)


@pytest.fixture
def sam(school):
    return User.objects.create_user(
        "sam", password="pw", full_name="萨姆", department=school, identity=Identity.STAFF
    )


@pytest.fixture
def task(gala, alice, logistics, mona):  # noqa: F811
    return act.task_add(
        activity_id=gala.pk,
        user=alice,
        kind="sound",
        title="音响调试",
        department=logistics,
        due_at=at("2026-12-07", "17:00"),
    )


FIELDS = {
    "title": "校庆文艺晚会（彩排）",
    "starts_on": "2026-12-07",
    "ends_on": "2026-12-09",
    "attendance": 900,
    "place": "大礼堂",
    "description": "",
}


def test_the_organiser_edits_the_activity_on_its_page(client, gala, alice):  # noqa: F811
    client.force_login(alice)
    assert client.get(reverse("reception:activity-edit", args=[gala.pk])).status_code == 200
    response = client.post(reverse("reception:activity-edit", args=[gala.pk]), FIELDS)
    assert response["Location"] == gala.get_absolute_url()
    gala.refresh_from_db()
    assert gala.title == "校庆文艺晚会（彩排）" and gala.attendance == 900
    assert str(gala.ends_on) == "2026-12-09"


def test_the_office_edits_too(client, gala, olive):  # noqa: F811
    client.force_login(olive)
    response = client.post(reverse("reception:activity-edit", args=[gala.pk]), FIELDS)
    assert response.status_code == 302


def test_days_that_leave_a_booking_outside_are_refused_and_change_nothing(
    client,
    gala,  # noqa: F811
    alice,
    room,
):
    # given a booking on the 8th
    book(gala, alice, room, "09:00", "10:00", day="2026-12-08")
    client.force_login(alice)
    # when the days shrink to the 7th only
    data = {**FIELDS, "ends_on": "2026-12-07"}
    response = client.post(reverse("reception:activity-edit", args=[gala.pk]), data, follow=True)
    # then the page says which booking, and nothing changed
    assert "2026-12-08" in response.content.decode()
    gala.refresh_from_db()
    assert gala.title == "校庆文艺晚会" and str(gala.ends_on) == "2026-12-08"


def test_a_booking_taken_off_the_activity_is_cancelled_and_unlinked(
    client,
    gala,  # noqa: F811
    alice,
    room,
):
    booking = book(gala, alice, room, "09:00", "10:00")
    client.force_login(alice)
    url = reverse("reception:activity-unbook", args=[gala.pk, booking.pk])
    assert client.post(url).status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert not ActivityBooking.objects.exists()
    # and again: it is no longer the activity's
    with pytest.raises(act.ActivityError):
        act.activity_unbook(activity_id=gala.pk, user=alice, booking_id=booking.pk)


def test_a_booking_of_another_activity_is_not_taken_off(gala, alice, room):  # noqa: F811
    other = act.activity_create(
        organiser=alice,
        title="运动会",
        starts_on=gala.starts_on,
        ends_on=gala.ends_on,
    )
    booking = book(other, alice, room, "09:00", "10:00")
    with pytest.raises(act.ActivityError):
        act.activity_unbook(activity_id=gala.pk, user=alice, booking_id=booking.pk)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_an_open_task_is_withdrawn_and_its_unit_told(client, gala, alice, task, mona):  # noqa: F811
    client.force_login(alice)
    assert client.post(reverse("reception:activity-task-remove", args=[task.pk])).status_code == 302
    assert not ActivityTask.objects.exists()
    assert Notification.objects.filter(recipient=mona, subject__contains="已撤销").count() == 1


def test_a_done_task_stays(gala, alice, task, mona):  # noqa: F811
    act.task_done(task_id=task.pk, user=mona)
    with pytest.raises(act.ActivityError, match="record"):
        act.task_remove(task_id=task.pk, user=alice)
    assert ActivityTask.objects.filter(pk=task.pk).exists()


def test_the_unit_may_not_withdraw_its_own_task(client, task, mona):
    client.force_login(mona)
    assert client.post(reverse("reception:activity-task-remove", args=[task.pk])).status_code == 404
    assert ActivityTask.objects.filter(pk=task.pk).exists()


# --- reminders ------------------------------------------------------------------------------


def _reminders(mona):
    return Notification.objects.filter(recipient=mona, kind="reminder").count()


def test_the_unit_is_reminded_once_before_the_due_time(task, mona, time_machine, settings):
    settings.RECEPTION_TASK_REMIND_HOURS = 24
    # a minute more than a day before: nothing yet
    time_machine.move_to(task.due_at - timedelta(hours=24, minutes=1), tick=False)
    assert app_ticks()["reception.activities.due"] == 0
    # within the day: once, however many ticks run
    time_machine.move_to(task.due_at - timedelta(hours=23), tick=False)
    assert app_ticks()["reception.activities.due"] == 1
    assert app_ticks()["reception.activities.due"] == 0
    time_machine.move_to(task.due_at - timedelta(minutes=5), tick=False)
    assert app_ticks()["reception.activities.due"] == 0
    assert _reminders(mona) == 1


def test_a_done_or_past_task_is_not_reminded(task, mona, time_machine):
    act.task_done(task_id=task.pk, user=mona)
    time_machine.move_to(task.due_at - timedelta(hours=1), tick=False)
    assert app_ticks()["reception.activities.due"] == 0
    ActivityTask.objects.filter(pk=task.pk).update(done_at=None)
    time_machine.move_to(task.due_at + timedelta(minutes=1), tick=False)
    assert app_ticks()["reception.activities.due"] == 0
    assert _reminders(mona) == 0


# --- URL × persona -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("alice", True),
        ("olive", True),
        ("sam", False),
        ("bob", False),
        ("mona", False),
        (None, False),
    ],
    ids=["organiser", "office", "other-staff", "student", "unit", "anonymous"],
)
def test_every_activity_url_is_404_for_whom_it_is_not(
    client,
    request,
    gala,  # noqa: F811
    alice,
    room,
    task,
    who,
    sees,
):
    booking = book(gala, alice, room, "09:00", "10:00")
    if who:
        client.force_login(request.getfixturevalue(who))
    gets = [
        reverse("reception:activity", args=[gala.pk]),
        reverse("reception:activity-edit", args=[gala.pk]),
    ]
    posts = [
        reverse("reception:activity-edit", args=[gala.pk]),
        reverse("reception:activity-book", args=[gala.pk]),
        reverse("reception:activity-task", args=[gala.pk]),
        reverse("reception:activity-unbook", args=[gala.pk, booking.pk]),
        reverse("reception:activity-task-remove", args=[task.pk]),
    ]
    for url in gets:
        response = client.get(url)
        if who is None:
            assert response.status_code == 302 and "login" in response["Location"]
        else:
            assert response.status_code == (200 if sees else 404), url
    # the unit marks its own task (before the posts below withdraw it); others may not
    done = client.post(reverse("reception:activity-task-done", args=[task.pk]))
    assert done.status_code == {None: 302, "sam": 404, "bob": 404}.get(who, 302)
    for url in posts:
        response = client.post(url, {})
        if who is None:
            assert response.status_code == 302 and "login" in response["Location"]
        elif not sees:
            assert response.status_code == 404, url
    if not sees:
        booking.refresh_from_db()
        assert booking.status == Booking.Status.CONFIRMED
        assert ActivityTask.objects.filter(pk=task.pk).exists()
        assert Activity.objects.get().title == "校庆文艺晚会"


@pytest.mark.parametrize("n", [1, 50])
def test_the_unit_task_list_costs_the_same_queries_for_1_and_50(
    client,
    gala,  # noqa: F811
    logistics,
    mona,
    django_assert_num_queries,
    n,
):
    ActivityTask.objects.bulk_create(
        ActivityTask(
            activity=gala,
            kind="sound",
            title=f"任务{i}",
            department=logistics,
            due_at=at("2026-12-07", "09:00"),
        )
        for i in range(n)
    )
    client.force_login(mona)
    client.get(reverse("reception:activity-tasks"))
    # session user, the count, the rows, the bell (cached after the first page)
    with django_assert_num_queries(3):
        response = client.get(reverse("reception:activity-tasks"))
    assert response.content.decode().count("任务") >= n


@pytest.mark.parametrize("n", [1, 50])
def test_the_activity_page_costs_the_same_queries_for_1_and_50(
    client,
    gala,  # noqa: F811
    alice,
    logistics,
    django_assert_num_queries,
    n,
):
    ActivityTask.objects.bulk_create(
        ActivityTask(
            activity=gala,
            kind="sound",
            title=f"任务{i}",
            department=logistics,
            due_at=at("2026-12-07", "09:00"),
        )
        for i in range(n)
    )
    client.force_login(alice)
    url = reverse("reception:activity", args=[gala.pk])
    client.get(url)
    # session user, the activity, its bookings, its tasks, the office role, the bell
    with django_assert_num_queries(7):
        response = client.get(url)
    assert response.content.decode().count("/remove/") == n

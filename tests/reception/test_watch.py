"""The watch beyond the roster: swaps through the catalogue chain, the handover log the next
shift acknowledges, missed handovers on the tick, each person's duty calendar, on duty now on
the home page, and the office's roster page."""

from datetime import date

import icalendar
import pytest
import recurring_ical_events
import time_machine
import vobject
from django.urls import reverse

from hall.models import Area, Identity, Notification, Role, User
from reception import duty, schedules, watch
from reception.models import DutyFeed, DutyShift, DutySwap, Handover
from tests.reception.conftest import at
from workflows import services as engine
from workflows.models import ApprovalTask, ServiceRequest, TaskCandidate
from workflows.reminders import app_ticks

NOW = at("2026-12-07", "10:00")  # a Monday


@pytest.fixture
def area(db):
    return Area.objects.create(code="general", name_zh="综合", name_en="General")


@pytest.fixture
def clerk(logistics, area):
    user = User.objects.create_user("clerk", password="pw", full_name="值班秘书")
    Role.objects.create(
        department=logistics, code=schedules.OFFICE_ROLE, name_zh="秘书"
    ).holders.add(user)
    return user


@pytest.fixture
def crew(db):
    return [
        User.objects.create_user(
            f"s{i}", password="pw", full_name=f"值班员{i}", phone=f"1380000{i:04d}"
        )
        for i in range(3)
    ]


@pytest.fixture
def roster(clerk, crew):
    """Two weeks from Monday 7 December: leaders and staff rotate through the same three."""
    ids = [u.pk for u in crew]
    with time_machine.travel(NOW, tick=False):
        duty.roster_generate(
            user=clerk,
            first=date(2026, 12, 7),
            last=date(2026, 12, 20),
            leader_ids=ids,
            staff_ids=ids,
        )
    return {(s.day.isoformat(), s.post): s for s in DutyShift.objects.select_related("person")}


def _staff(roster, day):
    return roster[(day, DutyShift.Post.STAFF)]


def _decide_all(request_id, action="approve"):
    for _ in range(3):
        task = ApprovalTask.objects.filter(request_id=request_id, status="pending").first()
        if task is None:
            return
        user = task.assignee
        if user is None:
            user = TaskCandidate.objects.filter(task=task).select_related("user").first().user
            engine.task_claim(task_id=task.pk, user=user)
        engine.task_decide(task_id=task.pk, user=user, action=action, comment="不行")


# --- swaps -------------------------------------------------------------------------------------


def test_a_swap_asked_agreed_and_approved_trades_the_two_shifts(roster, clerk):
    # given
    mine, theirs = _staff(roster, "2026-12-09"), _staff(roster, "2026-12-10")
    asker, partner = mine.person, theirs.person
    with time_machine.travel(NOW, tick=False):
        swap = watch.swap_request(
            user=asker, shift_id=mine.pk, other_shift_id=theirs.pk, reason="家中有事"
        )
        first = ApprovalTask.objects.get(request_id=swap.request_id, status="pending")
        # when: the colleague agrees, then the duty office approves
        assert first.assignee_id == partner.pk
        _decide_all(swap.request_id)
    # then
    mine.refresh_from_db()
    theirs.refresh_from_db()
    swap.refresh_from_db()
    assert (mine.person_id, theirs.person_id) == (partner.pk, asker.pk)
    assert swap.status == DutySwap.Status.APPROVED
    assert ServiceRequest.objects.get(pk=swap.request_id).status == "approved"
    assert set(Notification.objects.filter(kind="duty").values_list("recipient_id", flat=True)) == {
        asker.pk,
        partner.pk,
    }


def test_a_refused_swap_leaves_the_roster_as_it_was(roster, clerk):
    # given
    mine, theirs = _staff(roster, "2026-12-09"), _staff(roster, "2026-12-10")
    with time_machine.travel(NOW, tick=False):
        swap = watch.swap_request(
            user=mine.person, shift_id=mine.pk, other_shift_id=theirs.pk, reason="x"
        )
        # when
        _decide_all(swap.request_id, action="reject")
    # then
    swap.refresh_from_db()
    assert swap.status == DutySwap.Status.REFUSED
    assert DutyShift.objects.get(pk=mine.pk).person_id == mine.person_id


@pytest.mark.parametrize(
    "case, message",
    [
        ("not mine", "only give away a shift of your own"),
        ("my own", "colleague's shift"),
        ("other post", "same post"),
        ("started", "not started"),
        ("no reason", "Say why"),
        ("twice", "already waiting"),
    ],
)
def test_swap_refusals_say_why_and_change_nothing(roster, clerk, case, message):
    # given
    mine, theirs = _staff(roster, "2026-12-09"), _staff(roster, "2026-12-10")
    user, other, reason = mine.person, theirs, "x"
    if case == "not mine":
        user = theirs.person
        other = _staff(roster, "2026-12-11")
    elif case == "my own":
        other = _staff(roster, "2026-12-12")  # the rotation of three gives the 12th back
    elif case == "other post":
        other = roster[("2026-12-10", DutyShift.Post.LEADER)]
    elif case == "started":
        mine = _staff(roster, "2026-12-06") if ("2026-12-06", "staff") in roster else mine
    elif case == "no reason":
        reason = "  "
    with time_machine.travel(at("2026-12-09", "20:00") if case == "started" else NOW, tick=False):
        if case == "twice":
            watch.swap_request(user=user, shift_id=mine.pk, other_shift_id=other.pk, reason="x")
        before = (DutySwap.objects.count(), ServiceRequest.objects.count())
        # when / then
        with pytest.raises(watch.DutyError, match=message):
            watch.swap_request(user=user, shift_id=mine.pk, other_shift_id=other.pk, reason=reason)
    assert (DutySwap.objects.count(), ServiceRequest.objects.count()) == before
    assert (
        DutyShift.objects.get(pk=mine.pk).person_id
        == roster[(mine.day.isoformat(), "staff")].person_id
    )


def test_an_approval_after_the_roster_changed_is_refused_with_its_message(roster, clerk, crew):
    # given: a swap waits while the office gives the colleague's shift to someone else
    mine, theirs = _staff(roster, "2026-12-09"), _staff(roster, "2026-12-10")
    with time_machine.travel(NOW, tick=False):
        swap = watch.swap_request(
            user=mine.person, shift_id=mine.pk, other_shift_id=theirs.pk, reason="x"
        )
        DutyShift.objects.filter(pk=theirs.pk).update(person=mine.person)
        # when / then
        with pytest.raises(engine.RequestError, match="roster has changed"):
            _decide_all(swap.request_id)
    swap.refresh_from_db()
    assert swap.status == DutySwap.Status.PENDING


# --- handovers -----------------------------------------------------------------------------------


def test_the_shift_hands_over_and_the_next_shift_acknowledges(roster):
    # given
    tonight, tomorrow = _staff(roster, "2026-12-07"), _staff(roster, "2026-12-08")
    with time_machine.travel(at("2026-12-08", "07:30"), tick=False):
        # when: written, then rewritten before it is acknowledged
        watch.handover_write(user=tonight.person, shift_id=tonight.pk, events="草稿", pending="")
        handover = watch.handover_write(
            user=tonight.person, shift_id=tonight.pk, events="22:40 停电报修", pending="报告主任"
        )
    with time_machine.travel(at("2026-12-08", "18:00"), tick=False):
        with pytest.raises(watch.DutyError, match="next shift acknowledges"):
            watch.handover_acknowledge(user=tonight.person, handover_id=handover.pk)
        watch.handover_acknowledge(user=tomorrow.person, handover_id=handover.pk)
        # then: acknowledged once, and then it cannot change
        with pytest.raises(watch.DutyError, match="already acknowledged"):
            watch.handover_acknowledge(user=tomorrow.person, handover_id=handover.pk)
        with pytest.raises(watch.DutyError, match="cannot change"):
            watch.handover_write(user=tonight.person, shift_id=tonight.pk, events="x", pending="")
    handover.refresh_from_db()
    assert handover.acknowledged_by_id == tomorrow.person_id
    assert handover.events == "22:40 停电报修"
    assert Notification.objects.filter(recipient=tomorrow.person, kind="duty").count() == 1


def test_handover_refusals(roster):
    # given
    tonight = _staff(roster, "2026-12-07")
    other = _staff(roster, "2026-12-08").person
    # then
    with (
        time_machine.travel(at("2026-12-07", "12:00"), tick=False),
        pytest.raises(watch.DutyError, match="not started"),
    ):
        watch.handover_write(user=tonight.person, shift_id=tonight.pk, events="x", pending="")
    with time_machine.travel(at("2026-12-08", "07:00"), tick=False):
        with pytest.raises(watch.DutyError, match="Only the person on this shift"):
            watch.handover_write(user=other, shift_id=tonight.pk, events="x", pending="")
        with pytest.raises(watch.DutyError, match="Write what happened"):
            watch.handover_write(user=tonight.person, shift_id=tonight.pk, events=" ", pending="")
    with (
        time_machine.travel(at("2026-12-09", "07:00"), tick=False),
        pytest.raises(watch.DutyError, match="too long ago"),
    ):
        watch.handover_write(user=tonight.person, shift_id=tonight.pk, events="x", pending="")
    assert not Handover.objects.exists()


def test_a_missed_handover_is_flagged_and_the_office_told_once(roster, clerk):
    # given: Monday night's staff hands over, its leader does not
    monday = _staff(roster, "2026-12-07")
    with time_machine.travel(at("2026-12-08", "07:50"), tick=False):
        watch.handover_write(user=monday.person, shift_id=monday.pk, events="正常", pending="")
    # when: two ticks after the grace
    with time_machine.travel(at("2026-12-08", "10:30"), tick=False):
        first, second = app_ticks()["duty.missed"], app_ticks()["duty.missed"]
        missed = watch.missed_handovers()
    # then
    assert [(s.day.isoformat(), s.post) for s in missed] == [("2026-12-07", "leader")]
    assert (first, second) == (1, 0)
    assert Notification.objects.filter(recipient=clerk, kind="duty").count() == 1


# --- each person's calendar ---------------------------------------------------------------------


def test_a_persons_feed_validates_and_expands_to_their_rotation(client, roster, crew):
    # given
    person = crew[0]
    feed = watch.feed_of(person)
    url = reverse("reception:duty-feed", args=[feed.token])
    # when
    with time_machine.travel(NOW, tick=False):
        first, second = client.get(url), client.get(url)
    # then
    assert first.status_code == 200
    assert first["Content-Type"].startswith("text/calendar")
    vobject.readOne(first.content.decode()).validate()
    cal = icalendar.Calendar.from_ical(first.content)
    expanded = recurring_ical_events.of(cal).between(date(2026, 12, 7), date(2026, 12, 21))
    days = sorted(
        {e["DTSTART"].dt.astimezone(at("2026-12-07", "00:00").tzinfo).date() for e in expanded}
    )
    mine = sorted({s.day for s in DutyShift.objects.filter(person=person)})
    assert days == mine
    # three people in turn: every third day, whatever the weekend
    assert all((b - a).days == 3 for a, b in zip(mine, mine[1:], strict=False))
    uids = lambda body: sorted(  # noqa: E731
        str(e["UID"]) for e in icalendar.Calendar.from_ical(body).walk("VEVENT")
    )
    assert uids(first.content) == uids(second.content)


def test_a_renewed_feed_address_revokes_the_old_one(client, crew):
    # given
    person = crew[0]
    old = watch.feed_of(person).token
    # when
    watch.feed_renew(user=person)
    # then
    assert client.get(reverse("reception:duty-feed", args=[old])).status_code == 404
    new = DutyFeed.objects.get(user=person).token
    assert client.get(reverse("reception:duty-feed", args=[new])).status_code == 200
    assert client.get("/reception/feeds/duty/not-a-token.ics").status_code == 404


# --- on duty now on the home page -----------------------------------------------------------


def test_the_home_page_shows_who_is_on_duty_to_staff_only(
    client, roster, crew, django_assert_num_queries
):
    # given
    on = _staff(roster, "2026-12-07").person
    student = User.objects.create_user("stu", password="pw", identity=Identity.UNDERGRADUATE)
    with time_machine.travel(at("2026-12-07", "20:00"), tick=False):
        client.force_login(crew[1])
        client.get("/")  # fills the caches
        # when
        body = client.get("/").content.decode()
        client.force_login(student)
        student_body = client.get("/").content.decode()
    # then
    assert "On duty now" in body and on.full_name in body and on.phone in body
    assert "On duty now" not in student_body


def test_on_duty_now_follows_a_roster_change(
    roster, clerk, crew, django_capture_on_commit_callbacks
):
    # given
    with time_machine.travel(at("2026-12-07", "20:00"), tick=False):
        before = {name for _p, name, _ph, _e in watch.on_duty_cached()}
        # when: the office makes the roster anew with only crew[2]
        with django_capture_on_commit_callbacks(execute=True):
            duty.roster_generate(
                user=clerk,
                first=date(2026, 12, 7),
                last=date(2026, 12, 8),
                leader_ids=[crew[2].pk],
                staff_ids=[crew[2].pk],
            )
        after = {name for _p, name, _ph, _e in watch.on_duty_cached()}
    # then
    assert before != after
    assert after == {crew[2].full_name}


# --- pages and who may see them ----------------------------------------------------------------


@pytest.mark.parametrize(
    "who, mine, roster_page",
    [("office", 200, 200), ("staff", 200, 404), ("student", 404, 404), ("anonymous", 302, 302)],
)
def test_who_may_open_the_watch_pages(client, roster, clerk, crew, who, mine, roster_page):
    # given
    users = {
        "office": clerk,
        "staff": crew[0],
        "student": User.objects.create_user("stu", password="pw", identity=Identity.UNDERGRADUATE),
    }
    # when
    with time_machine.travel(NOW, tick=False):
        if who in users:
            client.force_login(users[who])
        got = [
            client.get(reverse("reception:duty-mine")).status_code,
            client.get(reverse("reception:duty-roster")).status_code,
        ]
        posted = client.post(
            reverse("reception:duty-acknowledge", args=[1]), follow=False
        ).status_code
    # then
    assert got == [mine, roster_page]
    assert posted == {"office": 302, "staff": 302, "student": 404, "anonymous": 302}[who]


def test_my_duty_page_offers_swaps_and_its_queries_do_not_grow(
    client, roster, crew, django_assert_num_queries
):
    # given
    with time_machine.travel(NOW, tick=False):
        client.force_login(crew[0])
        client.get(reverse("reception:duty-mine"))
        # when
        with django_assert_num_queries(6):
            body = client.get(reverse("reception:duty-mine")).content.decode()
        # two swaps waiting cost no more
        mine = sorted(
            (s for s in roster.values() if s.person_id == crew[0].pk and s.post == "staff"),
            key=lambda s: s.starts_at,
        )
        others = [s for s in roster.values() if s.person_id == crew[1].pk and s.post == "staff"]
        for given, taken in zip(mine[:2], others[:2], strict=True):
            watch.swap_request(user=crew[0], shift_id=given.pk, other_shift_id=taken.pk, reason="x")
        with django_assert_num_queries(6):
            waiting = client.get(reverse("reception:duty-mine")).content.decode()
    # then
    assert body.count("Ask for a swap") == len(
        [s for s in roster.values() if s.person_id == crew[0].pk and s.starts_at > NOW]
    )
    assert "Make my calendar address" in body
    assert waiting.count("Swap waiting for approval") == 2


def test_the_roster_page_makes_a_roster_and_refuses_unknown_people(client, clerk, crew):
    # given
    client.force_login(clerk)
    names = "\n".join(u.username for u in crew)
    # when
    bad = client.post(
        reverse("reception:duty-roster"),
        {"first": "2026-12-21", "last": "2026-12-27", "leaders": "nobody", "staff": names},
    )
    page = client.get(reverse("reception:duty-roster")).content.decode()
    good = client.post(
        reverse("reception:duty-roster"),
        # without JavaScript: numbers or user names by lines or commas, as the picker fills them
        {
            "first": "2026-12-21",
            "last": "2026-12-27",
            "leaders": names,
            "staff": ", ".join(u.number or u.username for u in crew),
        },
    )
    # then
    assert bad.status_code == 200 and "No such people: nobody" in bad.content.decode()
    assert page.count('data-people="/people/search/"') == 2  # both lists are the picker
    assert good.status_code == 302
    assert DutyShift.objects.count() == 14


def test_a_roster_is_not_made_anew_over_handovers(roster, clerk, crew):
    # given
    monday = _staff(roster, "2026-12-07")
    with time_machine.travel(at("2026-12-08", "07:00"), tick=False):
        watch.handover_write(user=monday.person, shift_id=monday.pk, events="正常", pending="")
    # then
    with pytest.raises(schedules.ScheduleError, match="already have a handover"):
        duty.roster_generate(
            user=clerk,
            first=date(2026, 12, 7),
            last=date(2026, 12, 8),
            leader_ids=[crew[0].pk],
            staff_ids=[crew[0].pk],
        )
    assert DutyShift.objects.filter(pk=monday.pk).exists()

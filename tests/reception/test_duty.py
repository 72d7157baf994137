"""The duty roster: a rotation over lists of people aware of the official calendar (National
Day 2026 and its make-up Saturday, an institution's closure), and who is on duty now."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from hall.models import CalendarDay, Identity, Role, User
from reception import duty, schedules
from reception.models import DutyShift
from reception.schedules import ScheduleError
from tests.reception.conftest import at


@pytest.fixture
def clerk(logistics):
    user = User.objects.create_user("clerk", password="pw", full_name="值班秘书")
    Role.objects.create(
        department=logistics, code=schedules.OFFICE_ROLE, name_zh="秘书"
    ).holders.add(user)
    return user


def _people(prefix, n):
    return [
        User.objects.create_user(
            f"{prefix}{i}", password="pw", full_name=f"{prefix}{i}", phone=f"1380000{i:04d}"
        )
        for i in range(n)
    ]


def test_rotation_follows_the_official_calendar(clerk):
    leaders, staff = _people("lead", 2), _people("staff", 3)
    made = duty.roster_generate(
        user=clerk,
        first=date(2026, 9, 30),
        last=date(2026, 10, 10),
        leader_ids=[u.pk for u in leaders],
        staff_ids=[u.pk for u in staff],
    )
    assert made == 22
    rows = {(s.day, s.post): s for s in DutyShift.objects.all()}
    # 30 Sep is a working day: the night watch; 1-7 Oct are National Day: round the clock
    assert not rows[(date(2026, 9, 30), "staff")].is_rest_day
    assert rows[(date(2026, 9, 30), "staff")].starts_at == at("2026-09-30", "17:30")
    for d in range(1, 8):
        shift = rows[(date(2026, 10, d), "leader")]
        assert shift.is_rest_day and shift.starts_at == at(f"2026-10-{d:02d}", "08:00")
    # Saturday 10 Oct is the make-up working day
    assert not rows[(date(2026, 10, 10), "leader")].is_rest_day
    assert rows[(date(2026, 10, 10), "leader")].ends_at == at("2026-10-11", "08:00")
    # each post takes turns in order, carrying on from day to day
    days = sorted({day for day, _post in rows})
    assert [rows[(d, "staff")].person for d in days[:6]] == [*staff, *staff]
    assert [rows[(d, "leader")].person for d in days[:4]] == [*leaders, *leaders]


def test_a_closure_on_the_hall_calendar_is_a_rest_day_and_regenerating_replaces(clerk):
    CalendarDay.objects.create(date=date(2026, 10, 14), is_workday=False, note="校运会")
    people = _people("p", 2)
    ids = [u.pk for u in people]
    duty.roster_generate(
        user=clerk, first=date(2026, 10, 13), last=date(2026, 10, 15), leader_ids=ids, staff_ids=ids
    )
    duty.roster_generate(
        user=clerk, first=date(2026, 10, 13), last=date(2026, 10, 15), leader_ids=ids, staff_ids=ids
    )
    assert DutyShift.objects.count() == 6
    rest = dict(DutyShift.objects.filter(post="staff").values_list("day", "is_rest_day"))
    assert rest == {date(2026, 10, 13): False, date(2026, 10, 14): True, date(2026, 10, 15): False}


def test_refusals_change_nothing(clerk, charlie_user):
    ids = [charlie_user.pk]
    with pytest.raises(ScheduleError, match="Only the office"):
        duty.roster_generate(
            user=charlie_user,
            first=date(2026, 10, 1),
            last=date(2026, 10, 2),
            leader_ids=ids,
            staff_ids=ids,
        )
    with pytest.raises(ScheduleError, match="at least one leader"):
        duty.roster_generate(
            user=clerk,
            first=date(2026, 10, 1),
            last=date(2026, 10, 2),
            leader_ids=[],
            staff_ids=ids,
        )
    with pytest.raises(ScheduleError, match="No such person: 987654"):
        duty.roster_generate(
            user=clerk,
            first=date(2026, 10, 1),
            last=date(2026, 10, 2),
            leader_ids=[987654],
            staff_ids=ids,
        )
    with pytest.raises(ScheduleError, match="at most a year"):
        duty.roster_generate(
            user=clerk,
            first=date(2026, 10, 2),
            last=date(2026, 10, 1),
            leader_ids=ids,
            staff_ids=ids,
        )
    assert not DutyShift.objects.exists()


def _roster(clerk, n_days=3):
    leaders, staff = _people("lead", 2), _people("staff", 2)
    duty.roster_generate(
        user=clerk,
        first=date(2026, 10, 1),
        last=date(2026, 10, n_days),
        leader_ids=[u.pk for u in leaders],
        staff_ids=[u.pk for u in staff],
    )
    return leaders, staff


def test_on_duty_now_names_and_phones(client, clerk):
    leaders, staff = _roster(clerk)
    staff_member = User.objects.create_user("s", password="pw", identity=Identity.STAFF)
    client.force_login(staff_member)
    with time_machine.travel(at("2026-10-02", "03:00"), tick=False):  # the night of 1 Oct
        now = duty.on_duty_now()
        html = client.get(reverse("reception:duty")).content.decode()
    assert [s.person for s in now] == [leaders[0], staff[0]]
    now_part = html.split('class="sched-list duty-now"')[1].split("</ul>")[0]
    assert leaders[0].phone in now_part and staff[0].phone in now_part
    assert staff[1].phone not in now_part


@pytest.mark.parametrize(
    "identity, status", [(Identity.STAFF, 200), (Identity.UNDERGRADUATE, 404), (None, 302)]
)
def test_who_sees_the_duty_page(client, db, identity, status):
    if identity is not None:
        client.force_login(User.objects.create_user("u", password="pw", identity=identity))
    assert client.get(reverse("reception:duty")).status_code == status


@pytest.mark.parametrize("days", [1, 14])
@pytest.mark.parametrize("office", [False, True])
def test_duty_page_has_constant_queries(client, clerk, days, office, django_assert_num_queries):
    with time_machine.travel(at("2026-10-01", "09:00"), tick=False):
        _roster(clerk, n_days=days)
        who = clerk if office else User.objects.create_user("s", password="pw")
        client.force_login(who)
        # user, on duty now, the roster, the office's role, the header's unread count; and
        # for the office the missed handovers
        with django_assert_num_queries(6 if office else 5):
            response = client.get(reverse("reception:duty"))
    assert response.content.decode().count('class="sched-time"') == 2 * days

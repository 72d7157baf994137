"""A visit's plan: the budget checked against the reception standard (caps per person a day ×
people × days), refused with a clear message and nothing changed; the chain
``reception-visit-plan`` with its conditional higher approver (both branches); the units'
service tasks with done marks; the printable itinerary, the iCalendar feed; after the visit the
costs and the summary filed once in the archives; who sees what (URL × persona)."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
import vobject
from django.urls import reverse

from archives.models import Record
from hall.models import Area, Notification, Role, User
from reception import activities, visit_plans, visits
from reception.models import ActivityTask, Leader, Visit
from reception.tasks import file_visit
from tests.reception.conftest import at
from workflows import services as engine
from workflows.models import ApprovalTask, ServiceRequest, TaskCandidate

NOW = "2026-12-07T08:00:00+08:00"
AFTER = "2026-12-10T09:00:00+08:00"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def head(office_dept):
    """The office's head: the chain's first step."""
    Area.objects.create(code="general", name_zh="综合", name_en="General")
    user = User.objects.create_user("head", password="pw", full_name="主任", department=office_dept)
    office_dept.heads.add(user)
    return user


@pytest.fixture
def vp(office_dept):
    """The higher approver of over-standard plans (and a leader, who reads visits)."""
    user = User.objects.create_user("vp", password="pw", full_name="副校长")
    Role.objects.create(
        department=office_dept, code=visit_plans.HIGHER_ROLE, name_zh="接待审批"
    ).holders.add(user)
    Leader.objects.create(user=user, position_zh="副校长", position_en="Vice-president")
    return user


@pytest.fixture
def visit(oscar, head, vp, standard):
    """A two-day visit of three people with one item; its chain has its head and approver."""
    visit = visits.visit_create(
        user=oscar,
        title="省教育厅调研",
        organisation="浙江省教育厅",
        guests="张处长\n李科长",
        level="bureau",
        starts_on=date(2026, 12, 8),
        ends_on=date(2026, 12, 9),
        people=3,
    )
    visits.item_add(
        user=oscar,
        visit_id=visit.pk,
        starts_at=at("2026-12-08", "09:00"),
        ends_at=at("2026-12-08", "11:00"),
        place="行政楼301",
        activity="座谈会",
    )
    return visit


def plan(oscar, visit, **kw):
    # caps for 3 people × 2 days: meals 720, rooms 2700, cars 600, gifts 0
    values = dict(meals=600, rooms=2400, cars=300, gifts=0, reason="")
    values.update(kw)
    return visit_plans.plan_submit(user=oscar, visit_id=visit.pk, **values)


def pending(visit):
    return ApprovalTask.objects.filter(request_id=visit.request_id, status="pending").first()


def decide(task, action="approve"):
    user = task.assignee
    if user is None:
        user = TaskCandidate.objects.filter(task=task).select_related("user").first().user
        engine.task_claim(task_id=task.pk, user=user)
    engine.task_decide(task_id=task.pk, user=user, action=action, comment="意见")
    return user


def _snapshot(visit):
    visit.refresh_from_db()
    return (
        visit.status,
        visit.meals_planned,
        visit.gifts_planned,
        visit.over_reason,
        visit.request_id,
        ServiceRequest.objects.count(),
    )


# --- the budget check --------------------------------------------------------------------------


def test_the_caps_are_per_person_a_day_times_people_times_days(visit, standard):
    lines = {line.key: line for line in visit_plans.lines(visit, standard)}
    assert lines["meals"].cap == Decimal(720) and lines["rooms"].cap == Decimal(2700)
    assert lines["cars"].cap == Decimal(600) and lines["gifts"].cap == Decimal(0)


@pytest.mark.parametrize(
    ("kw", "words"),
    [
        pytest.param({"meals": 900}, "over the standard (meals ¥900.00 > ¥720.00)", id="over"),
        pytest.param({"gifts": 1}, "gifts ¥1.00 > ¥0.00", id="gifts-not-allowed"),
        pytest.param({"meals": -5}, "cannot be negative", id="negative"),
        pytest.param({"rooms": "lots"}, "number of yuan", id="not-a-number"),
    ],
)
def test_a_plan_the_check_refuses_changes_nothing(oscar, visit, kw, words):
    # given
    before = _snapshot(visit)
    # when
    with pytest.raises(visits.VisitError) as refused:
        plan(oscar, visit, **kw)
    # then
    assert words in refused.value.message
    assert _snapshot(visit) == before


def test_a_level_without_a_standard_is_refused(oscar, visit, standard):
    standard.delete()
    with pytest.raises(visits.VisitError, match="No reception standard"):
        plan(oscar, visit)
    assert Visit.objects.get(pk=visit.pk).status == Visit.Status.DRAFT


def test_a_plan_without_an_itinerary_is_refused(oscar, visit):
    visit.items.all().delete()
    with pytest.raises(visits.VisitError, match="itinerary"):
        plan(oscar, visit)
    assert not ServiceRequest.objects.exists()


def test_only_the_office_sends_a_plan_and_only_once(oscar, visit, alice):
    with pytest.raises(visits.VisitError, match="Only the office"):
        plan(alice, visit)
    plan(oscar, visit)
    with pytest.raises(visits.VisitError, match="already waiting"):
        plan(oscar, visit)
    assert ServiceRequest.objects.count() == 1


# --- the chain's two branches ------------------------------------------------------------------


def test_a_plan_within_the_standard_is_approved_by_the_head_alone(oscar, visit, head, vp):
    # when
    visit = plan(oscar, visit)
    assert visit.status == Visit.Status.PENDING and not visit.over_standard
    assert decide(pending(visit)) == head
    # then: no higher approver's step came up
    visit.refresh_from_db()
    assert visit.status == Visit.Status.APPROVED and pending(visit) is None
    request = ServiceRequest.objects.get(pk=visit.request_id)
    assert request.status == "approved" and request.form_data["visit_over_standard"] == "no"
    assert not ApprovalTask.objects.filter(request=request, assignee=vp).exists()
    assert Notification.objects.filter(recipient=oscar, subject__contains="已批准").exists()


def test_a_plan_over_the_standard_with_a_reason_goes_to_the_higher_approver(oscar, visit, head, vp):
    # when
    visit = plan(oscar, visit, meals=900, reason="兄弟院校联合调研，增加一次工作晚餐")
    assert visit.over_standard and visit.over_reason.startswith("兄弟院校")
    assert decide(pending(visit)) == head
    visit.refresh_from_db()
    # then: the head's approval is not the end; the higher approver decides
    assert visit.status == Visit.Status.PENDING
    assert decide(pending(visit)) == vp
    visit.refresh_from_db()
    assert visit.status == Visit.Status.APPROVED
    assert ServiceRequest.objects.get(pk=visit.request_id).form_data["visit_over_standard"] == "yes"


def test_a_rejected_plan_is_planned_again_and_can_be_sent_again(oscar, visit, vp):
    # given an over-standard plan the higher approver rejects
    visit = plan(oscar, visit, meals=900, reason="晚宴")
    decide(pending(visit))
    decide(pending(visit), action="reject")
    # then it is being planned again
    visit.refresh_from_db()
    assert visit.status == Visit.Status.DRAFT
    # and, within the standard now, it goes to the head alone
    visit = plan(oscar, visit, meals=700)
    assert not visit.over_standard and ServiceRequest.objects.count() == 2


# --- service tasks -----------------------------------------------------------------------------


def test_a_unit_is_told_of_its_task_and_marks_it_done(client, oscar, visit, logistics, mona):
    # when
    task = visit_plans.task_add(
        user=oscar,
        visit_id=visit.pk,
        kind=ActivityTask.Kind.ROOMS,
        title="协议酒店三间标准间",
        department=logistics,
        due_at=at("2026-12-07", "18:00"),
    )
    # then the unit is told and sees it on its task list, not the visit
    assert Notification.objects.filter(recipient=mona, subject__contains="协议酒店").exists()
    client.force_login(mona)
    assert "协议酒店三间标准间" in client.get(reverse("reception:activity-tasks")).content.decode()
    assert client.get(visit.get_absolute_url()).status_code == 404
    response = client.post(reverse("reception:activity-task-done", args=[task.pk]))
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.done_by == mona and task.done_at is not None


def _visit_task(oscar, visit, logistics):
    return visit_plans.task_add(
        user=oscar,
        visit_id=visit.pk,
        kind=ActivityTask.Kind.CARS,
        title="接站商务车",
        department=logistics,
        due_at=at("2026-12-07", "18:00"),
    )


def test_the_office_withdraws_a_visit_task_and_the_unit_is_told(
    client, oscar, visit, logistics, mona
):
    # given an open task of the visit (no activity: it is the visit's)
    task = _visit_task(oscar, visit, logistics)
    client.force_login(oscar)
    assert "/remove/" in client.get(visit.get_absolute_url()).content.decode()
    # when the office withdraws it on the visit's page
    response = client.post(reverse("reception:activity-task-remove", args=[task.pk]))
    # then it is gone, the office is back on the visit, and the unit is told under the visit
    assert response.status_code == 302 and response["Location"] == visit.get_absolute_url()
    assert not ActivityTask.objects.exists()
    told = Notification.objects.get(recipient=mona, subject__contains="已撤销")
    assert told.subject == f"接待服务任务已撤销：{visit.title}：接站商务车"


@pytest.mark.parametrize("who", ["alice", "mona", "vp"])
def test_an_outsider_may_not_withdraw_a_visit_task(
    client, oscar, vp, alice, visit, logistics, mona, who
):
    task = _visit_task(oscar, visit, logistics)
    person = {"alice": alice, "mona": mona, "vp": vp}[who]
    # the page is 404 for them, and the service refuses with a message
    client.force_login(person)
    assert client.post(reverse("reception:activity-task-remove", args=[task.pk])).status_code == 404
    with pytest.raises(activities.ActivityError, match="Only the organiser or the office"):
        activities.task_remove(task_id=task.pk, user=person)
    assert ActivityTask.objects.filter(pk=task.pk, done_at__isnull=True).exists()


def test_a_done_visit_task_stays_on_the_record(oscar, visit, logistics, mona):
    task = _visit_task(oscar, visit, logistics)
    activities.task_done(task_id=task.pk, user=mona)
    with pytest.raises(activities.ActivityError, match="stays on the record"):
        activities.task_remove(task_id=task.pk, user=oscar)
    assert ActivityTask.objects.filter(pk=task.pk).exists()


def test_a_visit_task_of_another_kind_is_refused(oscar, visit, logistics):
    with pytest.raises(visits.VisitError):
        visit_plans.task_add(
            user=oscar,
            visit_id=visit.pk,
            kind=ActivityTask.Kind.SOUND,
            title="",
            department=logistics,
            due_at=at("2026-12-07", "18:00"),
        )
    assert not ActivityTask.objects.exists()


# --- the itinerary on paper and in calendars ---------------------------------------------------


def test_the_itinerary_pdf_and_the_calendar(client, oscar, visit):
    client.force_login(oscar)
    pdf = client.get(reverse("reception:visit-pdf", args=[visit.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    url = reverse("reception:visit-ics", args=[visit.pk])
    first, second = client.get(url).content.decode(), client.get(url).content.decode()
    calendar = vobject.readOne(first)
    calendar.validate()
    uids = [e.uid.value for e in calendar.vevent_list]
    assert uids == [e.uid.value for e in vobject.readOne(second).vevent_list]
    assert uids == [f"visit-item-{visit.items.get().pk}@127.0.0.1"]
    assert calendar.vevent.summary.value == "座谈会（浙江省教育厅）"


# --- after the visit ---------------------------------------------------------------------------


def approved(oscar, visit):
    visit = plan(oscar, visit)
    decide(pending(visit))
    visit.refresh_from_db()
    return visit


def test_the_costs_are_refused_before_the_visit_is_over(oscar, visit):
    visit = approved(oscar, visit)
    with pytest.raises(visits.VisitError, match="once the visit is over"):
        visit_plans.visit_close(user=oscar, visit_id=visit.pk, meals=500, summary="顺利")
    with time_machine.travel(AFTER, tick=False), pytest.raises(visits.VisitError, match="summary"):
        visit_plans.visit_close(user=oscar, visit_id=visit.pk, meals=500, summary=" ")
    visit.refresh_from_db()
    assert visit.status == Visit.Status.APPROVED and visit.meals_actual == 0


def test_a_draft_visit_cannot_be_settled(oscar, visit):
    with time_machine.travel(AFTER, tick=False), pytest.raises(visits.VisitError, match="approved"):
        visit_plans.visit_close(user=oscar, visit_id=visit.pk, summary="x")


def test_the_costs_file_the_visit_once(
    oscar, visit, celery_eager, django_capture_on_commit_callbacks
):
    visit = approved(oscar, visit)
    # when
    with (
        time_machine.travel(AFTER, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        visit_plans.visit_close(
            user=oscar,
            visit_id=visit.pk,
            meals=800,
            rooms=2400,
            cars=200,
            summary="调研顺利，双方就一流课程建设达成共识。",
        )
    # then one record, and filing again changes nothing
    record = Record.objects.get(source_ref=f"reception.visit:{visit.pk}")
    assert file_visit(visit.pk) == record.code and Record.objects.count() == 1
    visit.refresh_from_db()
    assert visit.status == Visit.Status.CLOSED and visit.record_code == record.code
    meals = next(x for x in visit_plans.lines(visit, visit_plans.standard_for(visit)))
    assert meals.actual_over  # 800 spent against a cap of 720


# --- who sees what -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("oscar", 200), ("vp", 200), ("alice", 404), ("mona", 404), (None, 302)],
)
def test_url_persona_matrix(client, oscar, vp, alice, mona, visit, who, status):
    people = {"oscar": oscar, "vp": vp, "alice": alice, "mona": mona}
    if who:
        client.force_login(people[who])
    for name in ("visit", "visit-pdf", "visit-ics"):
        assert client.get(reverse(f"reception:{name}", args=[visit.pk])).status_code == status
    # only the office writes; a leader reads
    for name in ("visit-plan", "visit-task", "visit-close"):
        code = client.post(reverse(f"reception:{name}", args=[visit.pk]), {}).status_code
        if who == "oscar":
            assert code in (200, 302)  # the form's answer or the office's redirect
        else:
            assert code == {None: 302}.get(who, 404)


def test_the_page_sends_the_plan_and_shows_a_refusal(client, oscar, visit):
    client.force_login(oscar)
    url = reverse("reception:visit-plan", args=[visit.pk])
    # when the plan is over the standard without a reason
    page = client.post(url, {"meals": "900", "rooms": "0", "cars": "0", "gifts": "0"})
    # then the page says why and nothing is sent
    assert "over the standard" in page.content.decode() and not ServiceRequest.objects.exists()
    response = client.post(url, {"meals": "900", "reason": "晚宴", "rooms": "", "cars": ""})
    assert response.status_code == 302
    assert Visit.objects.get(pk=visit.pk).status == Visit.Status.PENDING


# --- the plan's form, its read-only amounts once approved, a settled itinerary -----------------


def test_a_plan_of_nothing_but_zeros_is_refused_and_nothing_saved(client, oscar, visit):
    # given
    before = _snapshot(visit)
    # when, through the service and through the page
    with pytest.raises(visits.VisitError, match="Every amount of the plan is zero"):
        plan(oscar, visit, meals=0, rooms=0, cars=0, gifts=0)
    client.force_login(oscar)
    page = client.post(reverse("reception:visit-plan", args=[visit.pk]), {"meals": "0"})
    # then the page says why and nothing changed
    assert "Every amount of the plan is zero" in page.content.decode()
    assert _snapshot(visit) == before


def test_only_the_money_fields_of_the_plan_say_yuan(client, oscar, visit):
    client.force_login(oscar)
    page = client.get(visit.get_absolute_url()).content.decode()
    assert '<label for="id_meals">Meals (¥)</label>' in page
    assert '<label for="id_gifts">Gifts (¥)</label>' in page
    assert '<label for="id_reason">Reason for going over the standard</label>' in page


def test_an_approved_plan_is_read_only_and_revised_through_the_chain(client, oscar, visit):
    # given an approved plan
    visit = approved(oscar, visit)
    client.force_login(oscar)
    page = client.get(visit.get_absolute_url()).content.decode()
    # then its page has no plan form but says how to change it
    assert "visit-plan-form" not in page and "The approved plan's amounts are read-only" in page
    # and sending a plan again is refused, the amounts unchanged
    before = _snapshot(visit)
    page = client.post(
        reverse("reception:visit-plan", args=[visit.pk]), {"meals": "700", "rooms": "2600"}
    )
    assert "already waiting for approval or approved" in page.content.decode()
    assert _snapshot(visit) == before
    # when the office takes it back to revise it
    response = client.post(reverse("reception:visit-plan-revise", args=[visit.pk]))
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.status == Visit.Status.DRAFT and visit.meals_planned == Decimal(600)
    assert Notification.objects.filter(recipient=oscar, subject__contains="退回修改").exists()
    # then the changed plan goes through the chain again
    visit = plan(oscar, visit, meals=700)
    assert visit.status == Visit.Status.PENDING and ServiceRequest.objects.count() == 2
    decide(pending(visit))
    visit.refresh_from_db()
    assert visit.status == Visit.Status.APPROVED and visit.meals_planned == Decimal(700)


def test_only_an_approved_plan_is_revised_and_only_by_the_office(client, oscar, vp, visit):
    with pytest.raises(visits.VisitError, match="Only an approved plan"):
        visit_plans.plan_reopen(user=oscar, visit_id=visit.pk)
    visit = approved(oscar, visit)
    with pytest.raises(visits.VisitError, match="Only the office"):
        visit_plans.plan_reopen(user=vp, visit_id=visit.pk)
    client.force_login(vp)
    assert client.post(reverse("reception:visit-plan-revise", args=[visit.pk])).status_code == 404
    visit.refresh_from_db()
    assert visit.status == Visit.Status.APPROVED


ITEM = {
    "starts_at": "2026-12-09T14:00",
    "ends_at": "2026-12-09T15:00",
    "place": "图书馆",
    "activity": "参观图书馆",
}


def test_a_refused_item_shows_the_message_and_adds_nothing(client, oscar, visit):
    client.force_login(oscar)
    page = client.post(visit.get_absolute_url(), {**ITEM, "ends_at": "2026-12-09T13:00"})
    assert page.status_code == 200
    assert "The end must come after the start." in page.content.decode()
    assert visit.items.count() == 1


def test_a_settled_visit_s_itinerary_no_longer_changes(client, oscar, visit):
    # given a settled visit
    visit = approved(oscar, visit)
    with time_machine.travel(AFTER, tick=False):
        visit_plans.visit_close(user=oscar, visit_id=visit.pk, meals=500, summary="顺利")
    client.force_login(oscar)
    # then its page has no form for items, and posting one is refused, nothing added
    assert 'name="place"' not in client.get(visit.get_absolute_url()).content.decode()
    page = client.post(visit.get_absolute_url(), ITEM)
    assert "its itinerary no longer changes" in page.content.decode()
    assert visit.items.count() == 1


def test_the_admin_keeps_what_the_chain_decided_read_only(admin_client, oscar, visit):
    url = reverse("admin:reception_visit_change", args=[visit.pk])
    page = admin_client.get(url).content.decode()
    assert 'name="meals_planned"' in page and 'name="items-0-place"' in page
    assert 'name="status"' not in page
    visit = approved(oscar, visit)
    page = admin_client.get(url).content.decode()
    assert 'name="meals_planned"' not in page and 'name="items-0-place"' in page
    Visit.objects.filter(pk=visit.pk).update(status=Visit.Status.CLOSED)
    assert 'name="items-0-place"' not in admin_client.get(url).content.decode()


@pytest.mark.parametrize("rows", [1, 50])
def test_the_visit_page_costs_the_same_queries_for_1_and_50_items_and_tasks(
    client, oscar, vp, visit, car, logistics, rows, django_assert_num_queries
):
    # given items that book the car and go on the vice-president's week, and units' tasks
    from datetime import timedelta

    visit.items.all().delete()
    leader = Leader.objects.get(user=vp)
    first = at("2026-12-08", "00:00")
    for n in range(rows):
        starts = first + timedelta(minutes=40 * n)
        visits.item_add(
            user=oscar,
            visit_id=visit.pk,
            starts_at=starts,
            ends_at=starts + timedelta(minutes=30),
            place=f"地点{n}",
            activity=f"活动{n}",
            resource_id=car.pk,
            leader_id=leader.pk,
        )
        ActivityTask.objects.create(
            visit=visit, kind="cars", title=f"任务{n}", department=logistics, due_at=starts
        )
    client.force_login(oscar)
    # when / then: 13 however many (the user, roles, the visit, its standard, the items with
    # their bookings and entries, the tasks, the forms' choices, the header's unread count)
    with django_assert_num_queries(13):
        page = client.get(visit.get_absolute_url()).content.decode()
    assert page.count("活动") >= rows and page.count("任务") >= rows

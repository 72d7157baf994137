"""Coordination of disputes: a case between units, positions, meetings and opinions, the
proposal, the leader's decision through the chain, and the supervision item it becomes."""

import pytest
from django.urls import reverse

from hall.models import User
from performance import coordination as co
from performance.models import Coordination, CoordinationNote, Item
from workflows import services as engine
from workflows.models import ApprovalTask


@pytest.fixture
def case(office):
    return co.case_open(
        user=office["sam"],
        title="实验楼用房归属争议",
        matter="计算机学院与科学研究院对实验楼三层用房的使用权存在争议。",
        parties=[office["school"], office["research"]],
        coordinator=office["sam"],
        leader=office["lee"],
    )


def test_only_the_office_opens_a_case_between_two_parties_at_least(office):
    values = {
        "title": "争议",
        "matter": "用房",
        "coordinator": office["sam"],
        "leader": office["lee"],
    }
    with pytest.raises(co.CoordinationError, match="at least two parties"):
        co.case_open(user=office["sam"], parties=[office["school"]], **values)
    with pytest.raises(co.CoordinationError, match="Only the office"):
        co.case_open(user=office["hank"], parties=[office["school"], office["research"]], **values)
    assert not Coordination.objects.exists()


def test_parties_state_positions_and_the_coordinator_records_and_proposes(office, case):
    note = co.note_add(
        user=office["hank"], case_id=case.pk, kind="position", text="该层为学院实验室"
    )
    assert note.unit == office["school"]
    with pytest.raises(co.CoordinationError, match="Only a party"):
        co.note_add(user=office["charlie"], case_id=case.pk, kind="position", text="x")
    with pytest.raises(co.CoordinationError, match="Only the coordinator records"):
        co.note_add(user=office["hank"], case_id=case.pk, kind="meeting", text="x")
    co.note_add(user=office["sam"], case_id=case.pk, kind="meeting", text="11月20日召开协调会")
    with pytest.raises(co.CoordinationError, match="Only the coordinator proposes"):
        co.proposal_set(user=office["rita"], case_id=case.pk, text="x")
    assert CoordinationNote.objects.count() == 2
    with pytest.raises(co.CoordinationError, match="Propose a solution"):
        co.case_submit(user=office["sam"], case_id=case.pk)
    case.refresh_from_db()
    assert case.status == Coordination.Status.OPEN and case.request is None


def test_the_leaders_decision_becomes_a_supervision_item(office, case):
    # given a proposal sent to the leader
    co.proposal_set(user=office["sam"], case_id=case.pk, text="三层东侧归学院，西侧归研究院")
    co.case_submit(user=office["sam"], case_id=case.pk)
    case.refresh_from_db()
    assert case.status == Coordination.Status.SUBMITTED
    with pytest.raises(co.CoordinationError, match="no longer being coordinated"):
        co.note_add(user=office["hank"], case_id=case.pk, kind="position", text="补充")
    # when the leader approves
    task = ApprovalTask.objects.get(status="pending", request=case.request)
    assert task.assignee_id == office["lee"].pk
    engine.task_decide(task_id=task.pk, user=office["lee"], action="approve", comment="同意")
    # then the decision is kept and a supervision item is assigned to the parties
    case.refresh_from_db()
    assert case.status == Coordination.Status.DECIDED
    assert "领导意见：同意" in case.decision
    item = Item.objects.get(source_ref=f"performance.coordination:{case.pk}")
    assert case.item == item and item.leader == office["lee"]
    assert item.lead_unit == office["school"]
    assert list(item.co_units.all()) == [office["research"]]


def test_a_rejection_returns_the_case_to_coordination(office, case):
    co.proposal_set(user=office["sam"], case_id=case.pk, text="方案")
    co.case_submit(user=office["sam"], case_id=case.pk)
    task = ApprovalTask.objects.get(status="pending", request__form_data__case__id=case.pk)
    engine.task_decide(task_id=task.pk, user=office["lee"], action="reject", comment="再议")
    case.refresh_from_db()
    assert case.status == Coordination.Status.OPEN and not Item.objects.exists()


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("sam", True),  # the office (and the coordinator)
        ("lee", True),  # the leader who decides
        ("hank", True),  # a party's head
        ("rita", True),  # the other party's staff
        ("lina", False),  # a student of a party
        ("charlie", False),  # an outsider
        (None, False),  # anonymous
    ],
)
def test_a_cases_pages_by_persona(client, office, case, who, sees):
    if who:
        client.force_login(User.objects.get(username=who))
    page = client.get(case.get_absolute_url())
    assert page.status_code == (200 if sees else (302 if who is None else 404))
    listing = client.get(reverse("performance:coordinations"))
    if who:
        assert (case.get_absolute_url() in listing.content.decode()) is sees
    post = client.post(
        reverse("performance:coordination-action", args=[case.pk, "note"]),
        {"kind": "position", "text": "立场"},
    )
    assert post.status_code == (302 if sees or who is None else 404)
    assert CoordinationNote.objects.exists() is (who in ("hank", "rita"))


def test_the_office_opens_a_case_through_the_page(client, office):
    client.force_login(office["sam"])
    data = {
        "title": "用房争议",
        "matter": "争议内容",
        "parties": [office["school"].pk, office["research"].pk],
        "coordinator": office["sam"].username,
        "leader": office["lee"].username,
    }
    page = client.post(reverse("performance:coordination-create"), data)
    case = Coordination.objects.get()
    assert page.url == case.get_absolute_url()
    client.force_login(office["hank"])
    assert client.post(reverse("performance:coordination-create"), data).status_code == 404


def test_an_unknown_coordinator_is_refused_with_a_message(client, office):
    # given: the picker's field holds what was typed, without JavaScript
    client.force_login(office["sam"])
    data = {
        "title": "用房争议",
        "matter": "争议内容",
        "parties": [office["school"].pk],
        "coordinator": "nobody-here",
        "leader": office["lee"].username,
    }
    # when
    page = client.post(reverse("performance:coordination-create"), data, follow=True)
    # then
    assert not Coordination.objects.exists()
    assert "nobody-here" in page.content.decode()
    data["coordinator"] = ""
    page = client.post(reverse("performance:coordination-create"), data, follow=True)
    assert not Coordination.objects.exists()
    body = page.content.decode()
    assert 'data-people="/people/search/"' in body  # the list page's fields are the picker


def test_the_list_costs_the_same_at_1_and_50_cases(client, office, case, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(office["hank"])
    url = reverse("performance:coordinations")
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    for n in range(49):
        more = Coordination.objects.create(
            title=f"争议{n}",
            matter="m",
            coordinator=office["sam"],
            leader=office["lee"],
            created_by=office["sam"],
        )
        more.parties.set([office["school"], office["research"]])
    with django_assert_num_queries(len(ctx.captured_queries)):
        page = client.get(url)
    assert len(page.context["table"]) == 50


def test_the_open_form_names_the_units_in_the_readers_language(client, office):
    # given a unit with an English name and the office reading in English
    unit = office["school"]
    unit.name_en = "School of Computing"
    unit.save(update_fields=["name_en"])
    client.force_login(office["sam"])
    # when the office opens the coordination list
    page = client.get(reverse("performance:coordinations")).content.decode()
    # then the parties to choose read in English, and each field sits in its own box
    assert f'<option value="{unit.pk}">School of Computing</option>' in page
    assert 'class="stacked coord-open"' in page

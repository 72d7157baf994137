"""A leader's instruction (批示) on an incoming document made a supervision item in one step from
its page: filled in from the instruction and its document, for the office only, once."""

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse

from documents.models import Incoming, Instruction
from hall.models import User
from performance import instructions
from performance.models import Item, SourceKind
from performance.services import SupervisionError
from tests.performance.conftest import at


@pytest.fixture
def instruction(office):
    incoming = Incoming.objects.create(
        department=office["office"],
        source=Incoming.Source.FILE,
        sender="省教育厅",
        title="关于开展教学质量专项检查的通知",
        received_at=at("2026-11-20 09:00"),
        status=Incoming.Status.HANDLING,
        lead_unit=office["school"],
        due_date=at("2026-12-04 09:00").date(),
    )
    incoming.co_units.set([office["research"]])
    return Instruction.objects.create(
        incoming=incoming, leader=office["lee"], text="请计算机学院牵头，月底前报送自查报告。"
    )


def _post(client, instruction, office, **extra):
    data = {
        "title": "落实批示：教学质量专项检查",
        "requirement": "",
        "criteria": "报送自查报告",
        "leader": office["lee"].pk,
        "lead_unit": office["school"].pk,
        "co_units": [office["research"].pk],
        "days": "8",
        "milestones": "",
        **extra,
    }
    return client.post(reverse("performance:instruction-supervise", args=[instruction.pk]), data)


def test_the_page_is_filled_in_from_the_instruction_and_its_document(client, office, instruction):
    client.force_login(office["sam"])
    # Thursday 26 November: the document is due on Friday 4 December, six working days on
    with time_machine.travel(at("2026-11-26 10:00"), tick=False):
        response = client.get(reverse("performance:instruction-supervise", args=[instruction.pk]))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["title"] == "落实批示：关于开展教学质量专项检查的通知"
    assert form.initial["requirement"] == instruction.text
    assert form.initial["leader"] == office["lee"].pk
    assert form.initial["lead_unit"] == office["school"].pk
    assert form.initial["co_units"] == [office["research"].pk]
    assert form.initial["days"] == 6
    page = response.content.decode()
    assert f"documents.instruction:{instruction.pk}" in page
    assert f"/documents/incoming/{instruction.incoming_id}/#instruction-{instruction.pk}" in page


def test_posting_makes_the_item_with_the_instruction_as_its_source(client, office, instruction):
    client.force_login(office["sam"])
    with time_machine.travel(at("2026-11-26 10:00"), tick=False):
        response = _post(client, instruction, office)
    item = Item.objects.get()
    assert response.status_code == 302 and response["Location"] == item.get_absolute_url()
    assert item.source_kind == SourceKind.INSTRUCTION
    assert item.source_ref == f"documents.instruction:{instruction.pk}"
    assert item.source_title == "李领导批示：关于开展教学质量专项检查的通知"
    assert item.source_url == (
        f"/documents/incoming/{instruction.incoming_id}/#instruction-{instruction.pk}"
    )
    assert item.requirement == instruction.text  # left blank: the instruction's text
    assert (item.leader, item.lead_unit, item.days) == (office["lee"], office["school"], 8)
    assert list(item.co_units.all()) == [office["research"]]
    # eight working days from Thursday 26 November: Tuesday 8 December
    assert item.deadline.date().isoformat() == "2026-12-08"


def test_a_second_time_is_refused_and_the_page_shows_the_item(client, office, instruction):
    client.force_login(office["sam"])
    _post(client, instruction, office)
    first = Item.objects.get()
    # the same instruction again, as from a second tab: refused, nothing made
    response = _post(client, instruction, office, title="再来一次")
    assert response.status_code == 200
    assert [str(m) for m in get_messages(response.wsgi_request)][-1] == (
        "This instruction is already supervised."
    )
    assert list(Item.objects.all()) == [first]
    page = client.get(
        reverse("performance:instruction-supervise", args=[instruction.pk])
    ).content.decode()
    assert first.get_absolute_url() in page and '<form method="post" class="apply-form"' not in page


def test_the_service_refuses_twice_and_refuses_others(office, instruction):
    values = {
        "instruction_id": instruction.pk,
        "title": "落实批示",
        "criteria": "报送自查报告",
        "leader": office["lee"],
        "lead_unit": office["school"],
        "days": 5,
    }
    with pytest.raises(SupervisionError, match="Only the supervision office"):
        instructions.instruction_supervise(user=office["hank"], **values)
    instructions.instruction_supervise(user=office["sam"], **values)
    with pytest.raises(SupervisionError) as caught:
        instructions.instruction_supervise(user=office["sam"], **values)
    assert caught.value.message == "This instruction is already supervised."
    assert Item.objects.count() == 1


# sam: the office; lee: the leader who instructed; hank: heads the lead unit; alice: its staff;
# rita: the co-unit; charlie: nobody.
OPENS = {"sam": 200, "lee": 404, "hank": 404, "alice": 404, "rita": 404, "charlie": 404,
         None: 302}  # fmt: skip


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("who", list(OPENS), ids=str)
def test_only_the_office_opens_the_page(client, office, instruction, who, method):
    if who:
        client.force_login(User.objects.get(username=who))
    url = reverse("performance:instruction-supervise", args=[instruction.pk])
    response = client.get(url) if method == "get" else _post(client, instruction, office)
    expected = OPENS[who]
    if method == "post" and expected == 200:
        expected = 302  # made, and sent to the item
    assert response.status_code == expected
    if who is None:
        assert "/login/" in response["Location"]
    assert Item.objects.count() == (1 if method == "post" and who == "sam" else 0)


def test_an_unknown_instruction_is_404_for_the_office(client, office):
    client.force_login(office["sam"])
    url = reverse("performance:instruction-supervise", args=[999999])
    assert client.get(url).status_code == 404


def _many(office, n):
    for k in range(n):
        incoming = Incoming.objects.create(
            department=office["office"],
            source=Incoming.Source.FILE,
            sender="省教育厅",
            title=f"来文{k}",
            received_at=at("2026-11-20 09:00"),
        )
        Instruction.objects.create(incoming=incoming, leader=office["lee"], text=f"批示{k}")


def test_the_list_shows_each_instruction_and_whether_it_is_supervised(client, office, instruction):
    client.force_login(office["sam"])
    url = reverse("performance:instructions")
    page = client.get(url).content.decode()
    supervise = reverse("performance:instruction-supervise", args=[instruction.pk])
    assert instruction.incoming.title in page and supervise in page
    _post(client, instruction, office)
    page = client.get(url).content.decode()
    assert supervise not in page
    assert Item.objects.get().get_absolute_url() in page
    # everyone else: 404
    client.force_login(office["lee"])
    assert client.get(url).status_code == 404


def test_the_list_costs_the_same_queries_at_1_and_50_rows(client, office, instruction):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(office["sam"])
    _post(client, instruction, office)  # one supervised row among them
    counts = []
    for n in (0, 49):
        _many(office, n)
        client.get(reverse("performance:instructions"))
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("performance:instructions"))
        assert response.status_code == 200
        counts.append(len(captured))
    assert Instruction.objects.count() == 50
    assert counts[0] == counts[1]

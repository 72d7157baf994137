"""Incoming documents (收文) without views and through their pages: 签收 → 登记 → 初审 → 拟办 →
批示 → 承办 → 传阅 / 催阅 → 催办 → 办结, and a 请示 answered by its 批复.

In the office fixture finance has no clerk and no head, so a ``clerk`` role is given to fay for
finance; the president's office (rhea, its registrar) receives what arrives from outside.
"""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from documents import incoming as flow
from documents import services
from documents.models import Circulation, Incoming, IncomingCounter, Instruction
from documents.services import DocumentError
from hall.models import Notification, Role
from tests.documents.conftest import sign_off
from workflows.models import SentOnce
from workflows.reminders import app_ticks

Status = Incoming.Status


@pytest.fixture
def clerks(office):
    Role.objects.create(department=office["finance"], code="clerk", name_zh="收发员").holders.add(
        office["fay"]
    )
    return office


@pytest.fixture
def arrived(clerks):
    def make(**extra):
        data = {
            "source": "file",
            "sender": "省教育厅",
            "sender_number": "浙教办〔2026〕12号",
            "title": "关于开展教学质量检查的通知",
            "note": "请各校于月底前完成自查。",
            **extra,
        }
        return flow.incoming_receive(
            user=clerks["rhea"], department_id=clerks["office"].pk, data=data
        )

    return make


def _through_to_instructed(office, incoming):
    flow.incoming_register(incoming_id=incoming.pk, user=office["rhea"])
    flow.incoming_check(incoming_id=incoming.pk, user=office["rhea"], complies=True)
    flow.incoming_propose(
        incoming_id=incoming.pk,
        user=office["rhea"],
        proposal="拟请教务处办理",
        leader=office["lee"],
    )
    flow.instruction_give(incoming_id=incoming.pk, user=office["lee"], text="请教务处牵头落实。")
    incoming.refresh_from_db()
    return incoming


def test_an_incoming_document_goes_from_signature_to_its_answer(clerks, arrived):
    office = clerks
    # given
    incoming = arrived()
    assert incoming.status == Status.RECEIVED
    # when
    incoming = _through_to_instructed(office, incoming)
    second = flow.incoming_register(incoming_id=arrived(title="第二份").pk, user=office["rhea"])
    instruction = Instruction.objects.get(incoming=incoming)
    assigned = flow.incoming_assign(
        incoming_id=incoming.pk,
        user=office["rhea"],
        lead_unit=office["finance"],
        co_units=[office["school"]],
        days=5,
    )
    done = flow.incoming_finish(
        incoming_id=incoming.pk, user=office["charlie"], answer="已完成自查"
    )
    # then
    year = timezone.localdate().year
    assert incoming.number == f"收〔{year}〕1号" and second.number == f"收〔{year}〕2号"
    assert instruction.source_ref == f"documents.instruction:{instruction.pk}"
    assert instruction.leader == office["lee"]
    assert assigned.status == Status.HANDLING and assigned.due_date > timezone.localdate()
    assert done.status == Status.DONE and done.answer == "已完成自查"
    told = Notification.objects.filter(subject__startswith="请承办").values_list(
        "recipient__username", flat=True
    )
    assert set(told) == {"fay", "hank"}  # finance's clerk, the school's head


def _state(incoming):
    incoming.refresh_from_db()
    return (
        incoming.status,
        incoming.seq,
        incoming.proposal,
        incoming.lead_unit_id,
        incoming.answer,
        Instruction.objects.count(),
        Circulation.objects.count(),
        list(IncomingCounter.objects.values_list("year", "last")),
    )


def test_refusals_give_their_message_and_change_nothing(clerks, arrived):
    office = clerks
    incoming = arrived()
    before = _state(incoming)
    cases = [
        (lambda: flow.incoming_register(incoming_id=incoming.pk, user=office["alice"]), "clerks"),
        (
            lambda: flow.incoming_check(incoming_id=incoming.pk, user=office["rhea"], complies=1),
            "cannot be done now",
        ),
        (
            lambda: flow.instruction_give(incoming_id=incoming.pk, user=office["rhea"], text="x"),
            "Only a leader",
        ),
        (
            lambda: flow.circulation_send(
                incoming_id=incoming.pk, user=office["rhea"], readers=[office["lee"]]
            ),
            "cannot be done now",
        ),
    ]
    for call, message in cases:
        with pytest.raises(DocumentError, match=message):
            call()
    assert _state(incoming) == before
    flow.incoming_register(incoming_id=incoming.pk, user=office["rhea"])
    before = _state(incoming)
    with pytest.raises(DocumentError, match="already has its number"):
        flow.incoming_register(incoming_id=incoming.pk, user=office["rhea"])
    with pytest.raises(DocumentError, match="reasons"):
        flow.incoming_check(incoming_id=incoming.pk, user=office["rhea"], complies=False)
    assert _state(incoming) == before
    flow.incoming_check(incoming_id=incoming.pk, user=office["rhea"], complies=True)
    before = _state(incoming)
    with pytest.raises(DocumentError, match="leader"):
        flow.incoming_propose(
            incoming_id=incoming.pk, user=office["rhea"], proposal="拟办", leader=office["bob"]
        )
    with pytest.raises(DocumentError, match="proposed handling"):
        flow.incoming_propose(
            incoming_id=incoming.pk, user=office["rhea"], proposal=" ", leader=office["lee"]
        )
    assert _state(incoming) == before


def test_an_assignment_needs_a_lead_unit_and_a_time_limit_and_only_they_close_it(clerks, arrived):
    office = clerks
    incoming = _through_to_instructed(office, arrived())
    before = _state(incoming)
    with pytest.raises(DocumentError, match="lead unit"):
        flow.incoming_assign(incoming_id=incoming.pk, user=office["rhea"], lead_unit=None, days=3)
    with pytest.raises(DocumentError, match="time limit"):
        flow.incoming_assign(
            incoming_id=incoming.pk, user=office["rhea"], lead_unit=office["finance"], days=0
        )
    assert _state(incoming) == before
    flow.incoming_assign(
        incoming_id=incoming.pk, user=office["rhea"], lead_unit=office["finance"], days=3
    )
    before = _state(incoming)
    with pytest.raises(DocumentError, match="Only the clerks or the lead unit"):
        flow.incoming_finish(incoming_id=incoming.pk, user=office["alice"], answer="完成")
    with pytest.raises(DocumentError, match="answer"):
        flow.incoming_finish(incoming_id=incoming.pk, user=office["charlie"], answer="")
    assert _state(incoming) == before


def test_a_non_compliant_document_goes_back_to_the_sender_with_the_reasons(clerks, draft):
    office = clerks
    # given: a document dispatched inside the hall and signed for by finance
    document = sign_off(draft(), office)
    document = services.document_register(document_id=document.pk, user=office["rhea"])
    (dispatch,) = services.document_dispatch(document_id=document.pk, user=office["rhea"])
    services.dispatch_sign(dispatch_id=dispatch.pk, user=office["fay"])
    incoming = Incoming.objects.get(dispatch=dispatch)
    assert incoming.department == office["finance"] and incoming.source == "hall"
    assert incoming.sender_number == document.number
    flow.incoming_register(incoming_id=incoming.pk, user=office["fay"])
    # when
    flow.incoming_check(
        incoming_id=incoming.pk, user=office["fay"], complies=False, reason="缺少附件"
    )
    # then
    incoming.refresh_from_db()
    assert incoming.status == Status.RETURNED and incoming.return_reason == "缺少附件"
    note = Notification.objects.get(kind="returned", recipient=office["rhea"])
    assert note.body == "缺少附件"


def test_a_call_needs_its_note_and_a_fax_its_scan(clerks):
    office = clerks
    for source, message in (("call", "call note"), ("fax", "scan")):
        with pytest.raises(DocumentError, match=message):
            flow.incoming_receive(
                user=office["rhea"],
                department_id=office["office"].pk,
                data={"source": source, "sender": "市政府办公厅", "title": "电话通知"},
            )
    assert not Incoming.objects.exists()


def test_circulation_reminds_unread_readers_once_per_window(clerks, arrived):
    office = clerks
    # given
    start = timezone.now().replace(month=3, day=2, hour=9, minute=0)  # a Monday
    with time_machine.travel(start, tick=False):
        incoming = _through_to_instructed(office, arrived())
        flow.circulation_send(
            incoming_id=incoming.pk,
            user=office["rhea"],
            readers=[office["lee"], office["otto"]],
            purpose="请阅知",
        )
    flow.circulation_read(incoming_id=incoming.pk, user=office["otto"])

    def reminded():
        return list(
            Notification.objects.filter(subject__startswith="催阅").values_list(
                "recipient__username", flat=True
            )
        )

    # when: the tick runs before, at and twice after the reminder is due
    with time_machine.travel(start + timedelta(hours=2), tick=False):
        assert app_ticks()["documents.read"] == 0
    with time_machine.travel(start + timedelta(days=2), tick=False):
        first = app_ticks()
        again = app_ticks()
    # then: lee (unread) once; otto read it
    assert first["documents.read"] == 1 and again["documents.read"] == 0
    assert reminded() == ["lee"]
    # the sender's 催阅 asks for one more now; the tick sends it once
    with time_machine.travel(start + timedelta(days=2, hours=1), tick=False):
        assert flow.circulation_chase(incoming_id=incoming.pk, user=office["rhea"]) == 1
        assert app_ticks()["documents.read"] == 1
        assert app_ticks()["documents.read"] == 0
    assert reminded() == ["lee", "lee"]
    flow.circulation_read(incoming_id=incoming.pk, user=office["lee"])
    with time_machine.travel(start + timedelta(days=10), tick=False):
        assert app_ticks()["documents.read"] == 0
    assert SentOnce.objects.filter(kind="documents.read").count() == 2


def test_overdue_handling_is_chased_once(clerks, arrived):
    office = clerks
    start = timezone.now().replace(month=3, day=2, hour=9, minute=0)
    with time_machine.travel(start, tick=False):
        incoming = _through_to_instructed(office, arrived())
        flow.incoming_assign(
            incoming_id=incoming.pk, user=office["rhea"], lead_unit=office["finance"], days=2
        )
    with time_machine.travel(start + timedelta(days=1), tick=False):
        assert app_ticks()["documents.overdue"] == 0
    with time_machine.travel(start + timedelta(days=10), tick=False):
        assert app_ticks()["documents.overdue"] == 1
        assert app_ticks()["documents.overdue"] == 0
    chased = Notification.objects.filter(kind="overdue").values_list(
        "recipient__username", flat=True
    )
    assert list(chased) == ["fay"]


def test_a_request_for_instructions_is_answered_by_a_linked_reply(clerks, arrived):
    office = clerks
    request = arrived(title="关于增设人工智能专业的请示", is_request=True, sender="计算机学院")
    # when
    reply = flow.reply_draft(
        incoming_id=request.pk, user=office["rhea"], authority=office["authority"]
    )
    # then
    assert reply.doc_type == "reply" and reply.title == "关于增设人工智能专业的批复"
    assert reply.in_reply_to == request
    assert list(request.replies.all()) == [reply]
    assert reply.to_others == "计算机学院"
    plain = arrived(title="普通来文")
    with pytest.raises(DocumentError, match="Only a request"):
        flow.reply_draft(incoming_id=plain.pk, user=office["rhea"], authority=office["authority"])


# --- the pages -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("rhea", 200),  # the receiving office's registrar
        ("lee", 200),  # the leader named to instruct (and who instructed)
        ("fay", 200),  # the lead unit's clerk
        ("charlie", 200),  # the lead unit's people
        ("otto", 200),  # a reader it was sent round to
        ("bob", 404),  # nobody in its handling
        ("alice", 404),
        ("anonymous", 302),
    ],
)
def test_an_incoming_document_answers_only_its_handlers_and_readers(
    client, clerks, arrived, persona, expected
):
    office = clerks
    incoming = _through_to_instructed(office, arrived())
    flow.incoming_assign(
        incoming_id=incoming.pk, user=office["rhea"], lead_unit=office["finance"], days=3
    )
    flow.circulation_send(incoming_id=incoming.pk, user=office["rhea"], readers=[office["otto"]])
    if persona != "anonymous":
        client.force_login(office[persona])
    response = client.get(incoming.get_absolute_url())
    assert response.status_code == expected
    posted = client.post(reverse("documents:incoming-act", args=[incoming.pk, "read"]))
    assert posted.status_code == (404 if expected == 404 else 302)
    if persona != "anonymous":
        listed = client.get(reverse("documents:incoming")).content.decode()
        assert (incoming.title in listed) is (expected == 200)


def test_the_clerk_and_the_leader_work_through_the_pages(client, clerks):
    office = clerks
    client.force_login(office["rhea"])
    # 签收
    response = client.post(
        reverse("documents:incoming-create"),
        {
            "source": "call",
            "sender": "市政府办公厅",
            "title": "关于防汛值班的电话通知",
            "note": "王主任来电：今晚起24小时值班。",
        },
    )
    incoming = Incoming.objects.get()
    assert response.status_code == 302
    act = lambda name, data=None: client.post(  # noqa: E731
        reverse("documents:incoming-act", args=[incoming.pk, name]), data or {}, follow=True
    )
    act("register")
    act("check", {"complies": "1"})
    act("propose", {"proposal": "拟请保卫处安排值班", "leader": office["lee"].pk})
    client.force_login(office["lee"])
    page = client.get(incoming.get_absolute_url()).content.decode()
    assert reverse("documents:incoming-act", args=[incoming.pk, "instruct"]) in page
    act("instruct", {"text": "同意，请认真落实。"})
    client.force_login(office["rhea"])
    act("assign", {"lead_unit": office["finance"].pk, "days": "2"})
    refused = act("circulate", {"readers": "lee, nobody", "purpose": "请阅"})
    assert "No such people: nobody." in refused.content.decode()
    assert not Circulation.objects.exists()
    act("circulate", {"readers": "lee", "purpose": "请阅"})
    page = act("chase").content.decode()
    incoming.refresh_from_db()
    assert incoming.status == Status.HANDLING and incoming.number
    assert "Not read yet" in page and "1 unread readers will be reminded" in page
    client.force_login(office["lee"])
    act("read")
    assert Circulation.objects.get().read_at is not None
    bad = client.post(reverse("documents:incoming-act", args=[incoming.pk, "nonsense"]))
    assert bad.status_code == 404


def test_the_incoming_list_costs_the_same_queries_at_1_and_50_rows(client, clerks, arrived):
    office = clerks
    client.force_login(office["rhea"])
    arrived()
    client.get(reverse("documents:incoming"))

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("documents:incoming")).status_code == 200
        return len(queries)

    one = count()
    for i in range(49):
        arrived(title=f"来文{i}")
    assert count() == one
    assert Incoming.objects.count() == 50


@pytest.mark.parametrize("query", ["status=nonsense", "q=" + "长" * 300, "page=x"])
def test_bad_incoming_filters_give_a_message(client, clerks, arrived, query):
    arrived()
    client.force_login(clerks["rhea"])
    response = client.get(reverse("documents:incoming") + "?" + query)
    assert response.status_code == 200
    assert "was left out" in response.content.decode()

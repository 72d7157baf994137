"""Legal counsel without views: a contract review goes through its chain (the requester's head,
then the legal office), a counsel is assigned, gives opinions on numbered versions, a final yes
enters the register; every refusal says why and changes nothing; expiry and hearing reminders
go out once per window.

lois runs the legal office; cora is an internal counsel, finn a lawyer of the retained firm;
alice (School of CS) asks, hank heads her school, sam is her colleague.
"""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.files.base import ContentFile

from documents import legal
from documents.models import (
    Contract,
    ContractReview,
    Counsel,
    Hearing,
    LegalCase,
    LegalQuestion,
    ReviewOpinion,
    ReviewVersion,
)
from documents.services import DocumentError
from hall.models import Department, Identity, Notification, Role, ServiceStep, User
from tests.documents.conftest import decide

Status = ContractReview.Status
TODAY = date(2026, 3, 2)
NOON = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai


@pytest.fixture
def team(people, areas, bob):
    make = User.objects.create_user
    office = Department.objects.create(code="legal-affairs", name_zh="法律事务室", name_en="Legal")
    lois = make("lois", password="pw", full_name="罗思", department=office)
    cora = make("cora", password="pw", full_name="柯然", department=office)
    finn = make("finn", password="pw", full_name="冯宁", identity=Identity.EXTERNAL)
    sam = make("sam", password="pw", full_name="孙默", department=people["alice"].department)
    Role.objects.create(department=office, code="legal-office", name_zh="法务").holders.add(lois)
    counsels = {
        "cora": Counsel.objects.create(name="柯然", user=cora, kind="internal", specialty="合同"),
        "finn": Counsel.objects.create(
            name="冯宁", user=finn, kind="firm", firm="浙江某某律师事务所", specialty="诉讼"
        ),
    }
    return {
        **people,
        "legal": office,
        "lois": lois,
        "cora": cora,
        "finn": finn,
        "sam": sam,
        "bob": bob,
        "counsels": counsels,
    }


def _pdf(name="合同.pdf"):
    return ContentFile(b"%PDF-1.4 demo", name=name)


@pytest.fixture
def submit(team):
    def make(user=None, **extra):
        values = {
            "title": "实验室设备采购合同",
            "counterparty": "杭州某某科技有限公司",
            "amount": Decimal("380000.00"),
            "kind": "purchase",
            "wanted_by": date(2026, 3, 20),
            "term_start": date(2026, 4, 1),
            "term_end": date(2027, 3, 31),
            "file": _pdf(),
            **extra,
        }
        return legal.review_submit(user=user or team["alice"], **values)

    return make


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOON, tick=False):
        yield


def accepted(review, team):
    decide(review, team["hank"])
    decide(review, team["lois"])
    review.refresh_from_db()
    return review


def test_a_review_runs_its_chain_then_a_counsel_revises_it_into_the_register(team, submit):
    # given / when
    review = submit()
    # then: the chain is the head, then the legal office
    assert review.status == Status.IN_CHAIN
    assert review.request.service.code == legal.SERVICE
    steps = list(ServiceStep.objects.filter(service__code=legal.SERVICE).order_by("order"))
    assert [s.rule for s in steps] == ["applicant_head", "department_role"]
    assert (steps[1].role_code, steps[1].department) == ("legal-office", team["legal"])
    review = accepted(review, team)
    assert review.status == Status.TO_ASSIGN
    assert Notification.objects.filter(recipient=team["lois"], url=review.get_absolute_url())
    # when: assigned, an opinion asking for changes, a revision, the final yes
    legal.review_assign(review_id=review.pk, user=team["lois"], counsel=team["counsels"]["cora"])
    legal.review_opinion(
        review_id=review.pk,
        user=team["cora"],
        verdict="changes",
        text="第5条违约责任不对等。",
        final=False,
        file=ContentFile(b"%PDF-1.4 x", name="批注.pdf"),
    )
    review.refresh_from_db()
    assert review.status == Status.REVISING
    version = legal.review_revise(
        review_id=review.pk, user=team["alice"], file=_pdf("合同-修改.pdf"), note="已改第5条"
    )
    assert version.number == 2
    legal.review_opinion(
        review_id=review.pk, user=team["cora"], verdict="agree", text="同意签订。", final=True
    )
    # then
    review.refresh_from_db()
    assert (review.status, review.verdict) == (Status.CLOSED, "agree")
    assert list(review.versions.values_list("number", flat=True)) == [1, 2]
    opinions = list(
        ReviewOpinion.objects.filter(review=review).values_list("version__number", "final")
    )
    assert opinions == [(1, False), (2, True)]
    contract = Contract.objects.get(review=review)
    assert contract.number == "HT2026-0001"
    assert (contract.term_start, contract.term_end) == (date(2026, 4, 1), date(2027, 3, 31))
    assert "杭州某某科技有限公司" in contract.parties and contract.amount == Decimal("380000.00")


def test_a_final_disagree_closes_without_a_contract_and_a_rejected_chain_closes(team, submit):
    review = accepted(submit(), team)
    legal.review_assign(review_id=review.pk, user=team["lois"], counsel=team["counsels"]["finn"])
    legal.review_opinion(
        review_id=review.pk, user=team["finn"], verdict="disagree", text="主体不适格。", final=True
    )
    review.refresh_from_db()
    assert (review.status, review.verdict) == (Status.CLOSED, "disagree")
    assert not Contract.objects.exists()
    other = submit(title="场地租赁合同", kind="lease")
    decide(other, team["hank"], action="reject", comment="暂不租赁")
    other.refresh_from_db()
    assert other.status == Status.REJECTED


def _state():
    return (
        list(ContractReview.objects.values_list("pk", "status", "counsel_id", "verdict")),
        ReviewVersion.objects.count(),
        ReviewOpinion.objects.count(),
        Contract.objects.count(),
    )


@pytest.mark.parametrize(
    "who, action, message",
    [
        ("alice", "assign", "Only the legal office"),
        ("cora", "assign", "Only the legal office"),
        ("lois", "opinion", "Only the assigned counsel"),
        ("finn", "opinion", "Only the assigned counsel"),
        ("sam", "revise", "Only the requester"),
        ("alice", "revise", "has not asked for a revision"),
        ("cora", "final-without-term", "term is missing"),
        ("cora", "empty-opinion", "Write the opinion"),
        ("cora", "bad-verdict", "Choose agree"),
    ],
    ids=lambda v: v if isinstance(v, str) and " " not in v else None,
)
def test_refusals_give_their_message_and_change_nothing(team, submit, who, action, message):
    # given: a review with the counsel cora
    extra = {"term_start": None, "term_end": None} if action == "final-without-term" else {}
    review = accepted(submit(**extra), team)
    legal.review_assign(review_id=review.pk, user=team["lois"], counsel=team["counsels"]["cora"])
    before = _state()
    user = team[who]
    calls = {
        "assign": lambda: legal.review_assign(
            review_id=review.pk, user=user, counsel=team["counsels"]["finn"]
        ),
        "opinion": lambda: legal.review_opinion(
            review_id=review.pk, user=user, verdict="agree", text="同意", final=True
        ),
        "revise": lambda: legal.review_revise(review_id=review.pk, user=user, file=_pdf()),
        "final-without-term": lambda: legal.review_opinion(
            review_id=review.pk, user=user, verdict="agree", text="同意", final=True
        ),
        "empty-opinion": lambda: legal.review_opinion(
            review_id=review.pk, user=user, verdict="agree", text="  ", final=False
        ),
        "bad-verdict": lambda: legal.review_opinion(
            review_id=review.pk, user=user, verdict="maybe", text="同意", final=False
        ),
    }
    # when / then
    with pytest.raises(DocumentError, match=message):
        calls[action]()
    assert _state() == before


def test_a_student_or_a_past_date_cannot_send_a_contract(team, submit, bob):
    with pytest.raises(DocumentError, match="Only the staff"):
        submit(user=bob)
    with pytest.raises(DocumentError, match="in the past"):
        submit(wanted_by=date(2026, 3, 1))
    assert not ContractReview.objects.exists()


def test_a_question_is_assigned_and_answered_once(team):
    question = legal.question_ask(
        user=team["alice"], title="横向课题合同知识产权归属", question="成果归谁？"
    )
    with pytest.raises(DocumentError, match="Only the assigned counsel"):
        legal.question_answer(question_id=question.pk, user=team["cora"], answer="归学校")
    legal.question_assign(
        question_id=question.pk, user=team["lois"], counsel=team["counsels"]["cora"]
    )
    answered = legal.question_answer(
        question_id=question.pk, user=team["cora"], answer="约定优先。"
    )
    assert answered.status == LegalQuestion.Status.ANSWERED
    with pytest.raises(DocumentError, match="answered already"):
        legal.question_answer(question_id=question.pk, user=team["cora"], answer="再答")
    assert LegalQuestion.objects.get().answer == "约定优先。"


def _contract(term_end, number="HT2026-9"):
    return Contract.objects.create(
        number=number,
        title="物业服务合同",
        parties="学校；某物业",
        amount=Decimal("1"),
        kind="service",
        department=Department.objects.get(code="legal-affairs"),
        term_start=date(2025, 1, 1),
        term_end=term_end,
    )


def _tick(day: date) -> dict:
    with time_machine.travel(datetime(day.year, day.month, day.day, 1, 0, tzinfo=UTC), tick=False):
        return legal.reminders_tick()


def test_a_contract_is_reminded_30_and_7_days_before_its_end_each_once(team):
    # given
    _contract(date(2026, 5, 1))
    _contract(date(2026, 3, 7), number="HT2026-10")  # registered 5 days before its end
    # when / then
    assert _tick(date(2026, 3, 2))["contract_expiry"] == 1  # only the 7-day one, not also 30
    assert _tick(date(2026, 3, 31))["contract_expiry"] == 0
    assert _tick(date(2026, 4, 1))["contract_expiry"] == 1  # 30 days before 1 May
    assert _tick(date(2026, 4, 1))["contract_expiry"] == 0
    assert _tick(date(2026, 4, 20))["contract_expiry"] == 0
    assert _tick(date(2026, 4, 24))["contract_expiry"] == 1  # 7 days before
    assert _tick(date(2026, 4, 30))["contract_expiry"] == 0
    assert _tick(date(2026, 5, 2))["contract_expired"] == 1  # the March one went on 31 March
    assert set(Contract.objects.values_list("status", flat=True)) == {"expired"}
    assert Notification.objects.filter(recipient=team["lois"], kind="reminder").count() == 3


def test_a_hearing_is_reminded_3_days_and_1_day_before_each_once(team):
    # given
    case = legal.case_open(
        user=team["lois"],
        data={
            "case_number": "（2026）浙0106民初1234号",
            "court": "杭州市西湖区人民法院",
            "parties": "某建设公司诉学校",
            "our_role": "defendant",
            "cause": "建设工程施工合同纠纷",
            "counsel": team["counsels"]["finn"],
        },
    )
    legal.hearing_add(
        case_id=case.pk, user=team["finn"], at=datetime(2026, 3, 12, 1, 30, tzinfo=UTC)
    )
    # when / then
    assert _tick(date(2026, 3, 8))["hearing"] == 0
    assert _tick(date(2026, 3, 9))["hearing"] == 1
    assert _tick(date(2026, 3, 10))["hearing"] == 0
    assert _tick(date(2026, 3, 11))["hearing"] == 1
    assert _tick(date(2026, 3, 11))["hearing"] == 0
    assert Notification.objects.filter(recipient=team["finn"], kind="reminder").count() == 2
    with pytest.raises(DocumentError, match="legal office or the case's counsel"):
        legal.hearing_add(case_id=case.pk, user=team["cora"], at=datetime(2026, 4, 1, tzinfo=UTC))
    assert Hearing.objects.count() == 1


def test_the_workload_counts_open_and_done_work_per_counsel(team, submit):
    cora = team["counsels"]["cora"]
    for _ in range(2):
        review = accepted(submit(), team)
        legal.review_assign(review_id=review.pk, user=team["lois"], counsel=cora)
    legal.review_opinion(
        review_id=review.pk, user=team["cora"], verdict="agree", text="同意", final=True
    )
    question = legal.question_ask(user=team["alice"], title="咨询", question="问题")
    legal.question_assign(question_id=question.pk, user=team["lois"], counsel=cora)
    LegalCase.objects.create(
        case_number="（2026）仲字第1号",
        court="杭州仲裁委员会",
        parties="甲乙",
        our_role="applicant",
        cause="技术服务合同纠纷",
        counsel=cora,
    )
    # when
    rows = {c.name: c for c in legal.workload(year=2026)}
    # then
    got = rows["柯然"]
    assert (got.open_reviews, got.open_questions, got.open_cases) == (1, 1, 1)
    assert (got.done_reviews, got.done_questions, got.done_cases) == (1, 0, 0)
    assert rows["冯宁"].open_reviews == 0

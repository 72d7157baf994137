"""Legal counsel through its pages: every URL for every persona (the requester alice, her
colleague sam, charlie of another department, the student bob, anonymous, the legal office lois,
the assigned counsel cora, the other counsel finn, and hank, who heads alice's school and so
approved the chain and is staff of the requesting department);
exact query counts at 1 and 50 rows for each list; both languages."""

import io
from datetime import UTC, date, timedelta
from decimal import Decimal

import pikepdf
import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from documents import legal
from documents.models import (
    Contract,
    ContractReview,
    Counsel,
    LegalCase,
    LegalQuestion,
    ReviewVersion,
)
from tests.documents.test_legal import _today, accepted, submit, team  # noqa: F401 - fixtures


def _real_pdf() -> bytes:
    buffer = io.BytesIO()
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def world(team, submit):  # noqa: F811
    review = accepted(submit(), team)
    legal.review_assign(review_id=review.pk, user=team["lois"], counsel=team["counsels"]["cora"])
    opinion = legal.review_opinion(
        review_id=review.pk,
        user=team["cora"],
        verdict="agree",
        text="同意。",
        final=True,
        file=ContentFile(b"%PDF-1.4 x", name="批注.pdf"),
    )
    question = legal.question_ask(user=team["alice"], title="知识产权归属", question="成果归谁？")
    legal.question_assign(
        question_id=question.pk, user=team["lois"], counsel=team["counsels"]["cora"]
    )
    case = legal.case_open(
        user=team["lois"],
        data={
            "case_number": "（2026）浙0106民初88号",
            "court": "西湖区人民法院",
            "parties": "某公司诉学校",
            "our_role": "defendant",
            "cause": "买卖合同纠纷",
            "counsel": team["counsels"]["cora"],
        },
    )
    return {**team, "review": review, "opinion": opinion, "question": question, "case": case}


PERSONAS = ["alice", "sam", "charlie", "bob", "anonymous", "lois", "cora", "finn", "hank"]
# who gets the page (200); the others 404, anonymous the login page
SEE = {
    "reviews": {"alice", "sam", "charlie", "lois", "cora", "finn", "hank"},
    "review": {"alice", "sam", "lois", "cora", "hank"},
    "review-file": {"alice", "sam", "lois", "cora", "hank"},
    "opinion-file": {"alice", "sam", "lois", "cora", "hank"},
    "review-create": {"alice", "sam", "charlie", "lois", "cora", "hank"},
    "contracts": {"alice", "sam", "charlie", "lois", "cora", "finn", "hank"},
    "questions": {"alice", "sam", "charlie", "lois", "cora", "finn", "hank"},
    "question": {"alice", "sam", "lois", "cora", "hank"},
    "question-create": {"alice", "sam", "charlie", "lois", "cora", "hank"},
    "cases": {"lois", "cora", "finn"},
    "case": {"lois", "cora"},
    "case-create": {"lois"},
    "team": {"lois"},
    "counsel-create": {"lois"},
    "counsel": {"lois"},
    "contract-create": {"lois"},
}


def _url(name: str, w) -> str:
    return {
        "reviews": reverse("documents:legal-reviews"),
        "review": reverse("documents:legal-review", args=[w["review"].pk]),
        "review-file": reverse("documents:legal-review-file", args=[w["review"].pk, 1]),
        "opinion-file": reverse("documents:legal-opinion-file", args=[w["opinion"].pk]),
        "review-create": reverse("documents:legal-review-create"),
        "contracts": reverse("documents:legal-contracts"),
        "questions": reverse("documents:legal-questions"),
        "question": reverse("documents:legal-question", args=[w["question"].pk]),
        "question-create": reverse("documents:legal-question-create"),
        "cases": reverse("documents:legal-cases"),
        "case": reverse("documents:legal-case", args=[w["case"].pk]),
        "case-create": reverse("documents:legal-case-create"),
        "team": reverse("documents:legal-team"),
        "counsel-create": reverse("documents:legal-counsel-create"),
        "counsel": reverse("documents:legal-counsel", args=[w["counsels"]["finn"].pk]),
        "contract-create": reverse("documents:legal-contract-create"),
    }[name]


def _status(client, world, persona: str, url: str) -> str:
    client.logout()
    if persona != "anonymous":
        client.force_login(world[persona])
    response = client.get(url)
    if response.status_code == 302 and "/login/" in response.url:
        return "login"
    return str(response.status_code)


@pytest.mark.parametrize("page", list(SEE))
def test_every_legal_url_opens_only_to_whom_it_should(client, world, page):
    # given: one world, every persona in turn (the world is dear to build)
    url = _url(page, world)
    # when
    got = {persona: _status(client, world, persona, url) for persona in PERSONAS}
    # then
    expected = {
        p: "login" if p == "anonymous" else "200" if p in SEE[page] else "404" for p in PERSONAS
    }
    assert got == expected


# Lists: the row itself shows only to those who may see the object.
ROWS = {
    "reviews": ("review", "实验室设备采购合同"),
    "contracts": ("review", "实验室设备采购合同"),
    "questions": ("question", "知识产权归属"),
    "cases": ("case", "买卖合同纠纷"),
}


@pytest.mark.parametrize("page", list(ROWS))
def test_list_rows_follow_the_objects_rights(client, world, page):
    obj, text = ROWS[page]
    # the register: the department, the office and the counsel (not the other counsel)
    sees = SEE["review"] if page == "contracts" else SEE[obj]
    got, expected = {}, {}
    for persona in ["alice", "sam", "charlie", "lois", "cora", "finn", "hank"]:
        client.force_login(world[persona])
        response = client.get(_url(page, world))
        got[persona] = response.status_code == 200 and text in response.content.decode()
        expected[persona] = persona in sees and persona in SEE[page]
    assert got == expected


@pytest.mark.parametrize(
    "name, persona",
    [
        ("legal-review-act", "charlie"),
        ("legal-review-act", "bob"),
        ("legal-question-act", "charlie"),
        ("legal-case-act", "alice"),
        ("legal-case-act", "finn"),
    ],
)
def test_posting_to_an_object_one_may_not_see_is_a_404_and_changes_nothing(
    client, world, name, persona
):
    obj = {"legal-review-act": "review", "legal-question-act": "question"}.get(name, "case")
    action = {"review": "assign", "question": "assign", "case": "status"}[obj]
    client.force_login(world[persona])
    before = (ContractReview.objects.get().counsel_id, LegalCase.objects.get().status)
    response = client.post(
        reverse(f"documents:{name}", args=[world[obj].pk, action]),
        {"counsel": world["counsels"]["finn"].pk, "status": "closed"},
    )
    assert response.status_code == 404
    assert (ContractReview.objects.get().counsel_id, LegalCase.objects.get().status) == before


def test_a_requester_sends_a_checked_file_and_a_fake_one_is_refused(client, team):  # noqa: F811
    client.force_login(team["alice"])
    data = {
        "title": "软件开发服务合同",
        "counterparty": "某软件公司",
        "amount": "120000",
        "kind": "service",
        "wanted_by": "2026-03-20",
        "term_start": "2026-04-01",
        "term_end": "2026-12-31",
    }
    fake = ContentFile(b"MZ not a pdf", name="合同.pdf")
    response = client.post(reverse("documents:legal-review-create"), {**data, "file": fake})
    assert response.status_code == 200 and "not really a .pdf" in response.content.decode()
    assert not ContractReview.objects.exists()
    real = ContentFile(_real_pdf(), name="合同.pdf")
    response = client.post(reverse("documents:legal-review-create"), {**data, "file": real})
    review = ContractReview.objects.get()
    assert response.status_code == 302 and response.url == review.get_absolute_url()
    assert review.status == ContractReview.Status.IN_CHAIN
    assert ReviewVersion.objects.get(review=review).number == 1


def test_the_counsel_and_the_requester_work_through_the_review_page(client, team, submit):  # noqa: F811
    review = accepted(submit(), team)
    client.force_login(team["lois"])
    client.post(
        reverse("documents:legal-review-act", args=[review.pk, "assign"]),
        {"counsel": team["counsels"]["cora"].pk},
    )
    client.force_login(team["cora"])
    page = client.get(review.get_absolute_url()).content.decode()
    assert 'name="verdict"' in page
    client.post(
        reverse("documents:legal-review-act", args=[review.pk, "opinion"]),
        {"verdict": "changes", "text": "请修改第3条。"},
    )
    client.force_login(team["alice"])
    assert 'action="' + reverse("documents:legal-review-act", args=[review.pk, "revise"]) in (
        client.get(review.get_absolute_url()).content.decode()
    )
    client.post(
        reverse("documents:legal-review-act", args=[review.pk, "revise"]),
        {"file": ContentFile(_real_pdf(), name="修改稿.pdf"), "note": "已修改第3条"},
    )
    review.refresh_from_db()
    assert review.status == ContractReview.Status.REVIEWING
    assert list(review.versions.values_list("number", flat=True)) == [1, 2]
    download = client.get(reverse("documents:legal-review-file", args=[review.pk, 2]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")


def test_the_review_page_reads_in_chinese(client, world, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    client.force_login(world["alice"])
    page = client.get(world["review"].get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = page.content.decode()
    for words in ("合同审查", "相对方", "法律意见", "合同台账", "同意", "版本"):
        assert words in text


# --- query counts at 1 and 50 rows -------------------------------------------------------------


def _rows(kind: str, w, n: int) -> None:
    department, counsel = w["alice"].department, w["counsels"]["cora"]
    if kind == "reviews":
        ContractReview.objects.bulk_create(
            ContractReview(
                title=f"合同{i}",
                counterparty="某公司",
                amount=Decimal(i),
                kind="purchase",
                wanted_by=date(2026, 4, 1),
                department=department,
                requester=w["alice"],
                counsel=counsel,
                status="reviewing",
            )
            for i in range(n)
        )
    elif kind == "contracts":
        start = Contract.objects.count()
        Contract.objects.bulk_create(
            Contract(
                number=f"T-{start + i}",
                title=f"合同{i}",
                parties="甲；乙",
                amount=Decimal(i),
                kind="lease",
                department=department,
                term_start=date(2026, 1, 1),
                term_end=date(2026, 3, 20),
            )
            for i in range(n)
        )
    elif kind == "cases":
        LegalCase.objects.bulk_create(
            LegalCase(
                case_number=f"（2026）第{i}号",
                court="法院",
                parties="甲乙",
                our_role="plaintiff",
                cause="纠纷",
                amount=Decimal(i),
                counsel=counsel,
            )
            for i in range(n)
        )
    elif kind == "questions":
        LegalQuestion.objects.bulk_create(
            LegalQuestion(
                title=f"咨询{i}",
                question="问题",
                department=department,
                requester=w["alice"],
                counsel=counsel,
                status="assigned",
            )
            for i in range(n)
        )
    elif kind == "team":
        Counsel.objects.bulk_create(
            Counsel(name=f"律师{i}", kind="firm", firm="某律所", specialty="诉讼") for i in range(n)
        )


LISTS = {
    "reviews": "documents:legal-reviews",
    "contracts": "documents:legal-contracts",
    "cases": "documents:legal-cases",
    "team": "documents:legal-team",
    "questions": "documents:legal-questions",
}
EXPECTED = {"reviews": 5, "contracts": 5, "cases": 5, "team": 3, "questions": 5}


def _queries(client, name: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(name))
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("kind", list(LISTS))
def test_each_list_costs_the_same_queries_at_1_and_50_rows(client, team, kind):  # noqa: F811
    # given: the office's view, one row (the team starts with its two counsels)
    client.force_login(team["lois"])
    _rows(kind, team, 1 if kind != "team" else 0)
    client.get(reverse(LISTS[kind]))  # sessions and caches warm
    one = _queries(client, LISTS[kind])
    _rows(kind, team, 49 if kind != "team" else 48)
    # when
    fifty = _queries(client, LISTS[kind])
    # then
    counted = {
        "reviews": ContractReview,
        "contracts": Contract,
        "cases": LegalCase,
        "team": Counsel,
        "questions": LegalQuestion,
    }[kind]
    assert counted.objects.count() == 50
    assert one == fifty == EXPECTED[kind]


def test_a_contract_ending_within_30_days_is_marked_in_the_register(client, world):
    Contract.objects.filter(review=world["review"]).update(
        term_end=timezone.localdate() + timedelta(days=12)
    )
    client.force_login(world["lois"])
    assert (
        "Ends within 30 days" in client.get(reverse("documents:legal-contracts")).content.decode()
    )


def test_a_hearing_is_added_on_the_case_page(client, world):
    client.force_login(world["cora"])
    at = (timezone.now() + timedelta(days=10)).astimezone(UTC).replace(tzinfo=None)
    client.post(
        reverse("documents:legal-case-act", args=[world["case"].pk, "hearing"]),
        {"at": f"{at:%Y-%m-%dT%H:%M}", "place": "第三法庭"},
    )
    assert world["case"].hearings.get().place == "第三法庭"


def test_the_legal_office_adds_changes_and_removes_a_counsel_on_the_team_page(client, team):  # noqa: F811
    client.force_login(team["lois"])
    # when: a new counsel, with the account they sign in with
    response = client.post(
        reverse("documents:legal-counsel-create"),
        {
            "name": "韩律",
            "kind": "firm",
            "firm": "某律所",
            "specialty": "劳动争议",
            "account": "sam",
            "active": "on",
        },
    )
    assert response.status_code == 302
    counsel = Counsel.objects.get(name="韩律")
    assert (counsel.user, counsel.specialty, counsel.active) == (team["sam"], "劳动争议", True)
    page = client.get(reverse("documents:legal-team")).content.decode()
    assert f'href="/documents/legal/team/{counsel.pk}/"' in page and "劳动争议" in page
    # when: their specialities change and they stop
    url = reverse("documents:legal-counsel", args=[counsel.pk])
    client.post(
        url, {"name": "韩律", "kind": "firm", "specialty": "劳动争议、知识产权", "account": "sam"}
    )
    counsel.refresh_from_db()
    assert (counsel.specialty, counsel.active) == ("劳动争议、知识产权", False)
    # when: removed (no work yet)
    client.post(reverse("documents:legal-counsel-remove", args=[counsel.pk]))
    assert not Counsel.objects.filter(pk=counsel.pk).exists()


def test_a_counsel_with_work_is_not_removed_and_an_unknown_account_is_refused(client, world):
    client.force_login(world["lois"])
    cora = world["counsels"]["cora"]
    response = client.post(reverse("documents:legal-counsel-remove", args=[cora.pk]), follow=True)
    assert "mark them not active" in response.content.decode()
    assert Counsel.objects.filter(pk=cora.pk).exists()
    response = client.post(
        reverse("documents:legal-counsel-create"),
        {"name": "某人", "kind": "firm", "account": "nobody"},
    )
    assert response.status_code == 200
    assert "Nobody has the number or user name “nobody”." in response.content.decode()
    assert not Counsel.objects.filter(name="某人").exists()
    # another counsel's account is refused too
    response = client.post(
        reverse("documents:legal-counsel", args=[world["counsels"]["finn"].pk]),
        {"name": "冯宁", "kind": "firm", "account": "cora", "active": "on"},
        follow=True,
    )
    assert "already belongs to another counsel" in response.content.decode()
    assert Counsel.objects.get(pk=world["counsels"]["finn"].pk).user == world["finn"]


def test_the_legal_office_enters_a_contract_without_a_review_and_it_is_reminded(client, team):  # noqa: F811
    from documents.legal import reminders_tick

    client.force_login(team["lois"])
    end = timezone.localdate() + timedelta(days=20)
    response = client.post(
        reverse("documents:legal-contract-create"),
        {
            "title": "物业服务合同",
            "parties": "本校；某物业公司",
            "amount": "50000",
            "kind": "service",
            "department": team["alice"].department.pk,
            "term_start": "2024-01-01",
            "term_end": end.isoformat(),
        },
        follow=True,
    )
    contract = Contract.objects.get(title="物业服务合同")
    assert contract.review is None and contract.number.startswith(f"HT{timezone.localdate().year}-")
    assert contract.number in response.content.decode()
    # the register's reminder 30 days before its end goes to the legal office, once
    assert reminders_tick()["contract_expiry"] == 1
    assert reminders_tick()["contract_expiry"] == 0

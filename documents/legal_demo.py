"""Demo legal counsel: the legal office (法律事务, in the president's office) with a roster of
four counsels, contract reviews in every state, a register with one contract ending within 30
days, two lawsuits with a hearing next week, and legal opinions. Loading again adds nothing
(keyed by titles and case numbers).

Logins (password as every demo account): legal-director (the legal office), counsel-liu and
counsel-zhao (internal counsels), lawyer-chen (the retained firm); zhangwei of the School of CS
asks, school-cs-head approves his department's step.
"""

import io
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from documents import legal
from documents.models import ContractReview, Counsel, LegalCase, LegalQuestion
from documents.services import DocumentError
from hall.models import Department, Identity, Role, User
from workflows import services as engine
from workflows.models import ApprovalTask, TaskCandidate

FIRM = "浙江之江律师事务所"
ROSTER = [
    # username (or None), name, kind, specialty, phone
    ("counsel-liu", "刘建明", "internal", "合同审查、知识产权", "0571-88090301"),
    ("counsel-zhao", "赵雅琴", "internal", "劳动人事、行政法", "0571-88090302"),
    ("lawyer-chen", "陈志远", "firm", "民商事诉讼、仲裁", "13805710001"),
    (None, "孙立群", "firm", "建设工程、政府采购", "13805710002"),
]
# title, counterparty, amount, kind, what happens, term in days (from, until) around today
REVIEWS = [
    ("计算机学院服务器采购合同", "杭州云擎科技有限公司", "486000", "purchase", "chain", (30, 395)),
    (
        "校园一卡通系统运维服务合同",
        "浙江数联信息技术有限公司",
        "260000",
        "service",
        "assign",
        (15, 380),
    ),
    (
        "人工智能联合实验室共建协议",
        "杭州智算研究院",
        "1500000",
        "cooperation",
        "review",
        (10, 1105),
    ),
    ("学生公寓家具租赁合同", "杭州安居家具租赁有限公司", "98000", "lease", "revise", (20, 385)),
    (
        "实验动物中心饲料采购合同",
        "浙江康农生物饲料有限公司",
        "36000",
        "purchase",
        "agree",
        (-340, 20),
    ),
    (
        "智慧教室建设技术服务合同",
        "杭州明德教育科技有限公司",
        "720000",
        "technology",
        "changes",
        (-30, 700),
    ),
    ("校园广告位独家经营合同", "杭州城联广告传媒有限公司", "50000", "other", "disagree", (5, 1830)),
    ("会议中心场地租赁合同", "杭州西溪会展服务有限公司", "12000", "lease", "rejected", (7, 10)),
    (
        "图书数据库采购合同",
        "北京知网数字出版有限公司",
        "185000",
        "purchase",
        "withdrawn",
        (40, 405),
    ),
]
CASES = [
    (
        "（2026）浙0106民初4521号",
        "杭州市西湖区人民法院",
        "杭州宏建建设集团有限公司诉本校",
        "defendant",
        "建设工程施工合同纠纷",
        "3260000",
        "lawyer-chen",
        "trial",
    ),
    (
        "（2026）浙0106民初3310号",
        "杭州市西湖区人民法院",
        "本校诉杭州恒达物业管理有限公司",
        "plaintiff",
        "物业服务合同纠纷",
        "418000",
        "counsel-liu",
        "filed",
    ),
]
QUESTIONS = [
    (
        "横向科研项目成果知识产权归属",
        "与企业合作的横向项目，合同未约定成果归属，专利应归谁？",
        "answered",
    ),
    ("教职工兼职取酬的合规边界", "教师在校外企业担任技术顾问并取酬，需履行哪些程序？", "assigned"),
    ("校园内摊贩管理的法律依据", "学校能否对校内无证摊贩进行罚款？", "waiting"),
]


def _pdf(text: str) -> ContentFile:
    """A one-page PDF standing for the contract's text (a real one is uploaded on the page)."""
    import pikepdf

    buffer = io.BytesIO()
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.docinfo["/Title"] = text
        pdf.save(buffer)
    return ContentFile(buffer.getvalue(), name="合同文本.pdf")


def _decide(request_id: int, action: str = "approve", steps: int = 2) -> None:
    for _ in range(steps):
        task = ApprovalTask.objects.filter(request_id=request_id, status="pending").first()
        if task is None:
            return
        user = task.assignee
        if user is None:
            user = TaskCandidate.objects.filter(task=task).select_related("user").first().user
            engine.task_claim(task_id=task.pk, user=user)
        comment = "同意" if action == "approve" else "本部门暂不需要，不予送审"
        engine.task_decide(task_id=task.pk, user=user, action=action, comment=comment)


def _team(department) -> tuple[User, dict[str, Counsel]]:
    """The legal team is run by the Administrative Center (the president's office), as the
    issue's seed says: the office holds the role ``legal-office``; no department is added."""
    from hall.demo import _person

    head = _person(
        "legal-director", "王法明", department=department, title="法律事务室主任", number="T9100"
    )
    role, _ = Role.objects.get_or_create(
        department=department,
        code=legal.LEGAL_ROLE,
        defaults={"name_zh": "法律事务室", "name_en": "Legal office"},
    )
    role.holders.add(head)
    counsels = {}
    for n, (username, name, kind, specialty, phone) in enumerate(ROSTER, start=1):
        user = None
        if username:
            user = _person(
                username,
                name,
                department=department if kind == "internal" else None,
                identity=Identity.STAFF if kind == "internal" else Identity.EXTERNAL,
                title="法律顾问" if kind == "internal" else "律师",
                phone=phone,
                number=f"T91{n:02d}",
            )
        counsel, _ = Counsel.objects.update_or_create(
            name=name,
            defaults={
                "user": user,
                "kind": kind,
                "firm": FIRM if kind == "firm" else "",
                "specialty": specialty,
                "phone": phone,
            },
        )
        counsels[username or name] = counsel
    return head, counsels


def _review(story, requester: User, head: User, counsels: dict) -> None:
    title, counterparty, amount, kind, outcome, (start, end) = story
    if ContractReview.objects.filter(title=title).exists():
        return
    today = timezone.localdate()
    review = legal.review_submit(
        user=requester,
        title=title,
        counterparty=counterparty,
        amount=Decimal(amount),
        kind=kind,
        wanted_by=today + timedelta(days=10),
        term_start=today + timedelta(days=start),
        term_end=today + timedelta(days=end),
        file=_pdf(title),
    )
    if outcome == "chain":
        return
    if outcome == "rejected":
        _decide(review.request_id, action="reject", steps=1)
        return
    if outcome == "withdrawn":
        engine.request_withdraw(request_id=review.request_id, user=requester, comment="另行采购")
        return
    _decide(review.request_id)
    if outcome == "assign":
        return
    counsel = counsels["lawyer-chen" if kind == "cooperation" else "counsel-liu"]
    legal.review_assign(review_id=review.pk, user=head, counsel=counsel)
    if outcome == "review":
        return
    by = counsel.user
    if outcome == "disagree":
        legal.review_opinion(
            review_id=review.pk,
            user=by,
            verdict="disagree",
            text="独家经营期限长达五年且无解除条款，收益分配显失公平，建议不予签订。",
            final=True,
        )
        return
    legal.review_opinion(
        review_id=review.pk,
        user=by,
        verdict="changes",
        text="一、第五条违约责任仅约束我方，应改为双方对等；\n二、第八条争议解决应约定由学校所在地法院管辖。",
        final=False,
        file=_pdf(f"{title}（批注）"),
    )
    if outcome == "revise":
        return
    legal.review_revise(
        review_id=review.pk,
        user=requester,
        file=_pdf(f"{title}（修改稿）"),
        note="已按意见修改第五、八条",
    )
    legal.review_opinion(
        review_id=review.pk,
        user=by,
        verdict="agree" if outcome == "agree" else "changes",
        text="修改稿已采纳审查意见，同意签订。"
        if outcome == "agree"
        else "同意签订，签订前请补充验收标准附件。",
        final=True,
    )


def _cases(head: User, counsels: dict) -> None:
    zone = timezone.get_current_timezone()
    next_week = timezone.localdate() + timedelta(days=7)
    for n, (number, court, parties, role, cause, amount, who, status) in enumerate(CASES):
        if LegalCase.objects.filter(case_number=number).exists():
            continue
        case = legal.case_open(
            user=head,
            data={
                "case_number": number,
                "court": court,
                "parties": parties,
                "our_role": role,
                "cause": cause,
                "amount": Decimal(amount),
                "counsel": counsels[who],
                "status": status,
            },
        )
        at = datetime.combine(next_week + timedelta(days=n), time(9 + n, 30), zone)
        legal.hearing_add(case_id=case.pk, user=head, at=at, place=f"{court}第{3 + n}法庭")


def _questions(requester: User, head: User, counsels: dict) -> None:
    for title, question, outcome in QUESTIONS:
        if LegalQuestion.objects.filter(title=title).exists():
            continue
        asked = legal.question_ask(user=requester, title=title, question=question)
        if outcome == "waiting":
            continue
        counsel = counsels["counsel-zhao"]
        legal.question_assign(question_id=asked.pk, user=head, counsel=counsel)
        if outcome == "answered":
            legal.question_answer(
                question_id=asked.pk,
                user=counsel.user,
                answer="依据《民法典》第八百五十九条、第八百六十条，合同未约定的，专利申请权属于完成发明创造的一方；建议今后在合同中明确约定。",
            )


@transaction.atomic
def seed_legal_demo() -> int:
    office = Department.objects.filter(code="president-office").first()
    requester = User.objects.filter(username="zhangwei").first()
    if office is None or requester is None:
        return 0
    head, counsels = _team(office)
    try:
        for story in REVIEWS:
            with transaction.atomic():
                _review(story, requester, head, counsels)
        _cases(head, counsels)
        _questions(requester, head, counsels)
    except DocumentError:
        pass  # a catalogue without the chain's people: the roster is still there
    return ContractReview.objects.count()

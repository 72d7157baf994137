"""Demo outgoing documents in several states: issued, voided, signed, in review, drafts.

The president's office issues 校办发 documents; loading again adds nothing (keyed by title).
"""

from django.db import transaction

from documents import services
from documents.models import Authority, Outgoing
from hall.models import Department, Role, User
from workflows import services as engine
from workflows.models import ApprovalTask, TaskCandidate

BODY = (
    "为{topic}，现将有关事项通知如下。\n"
    "一、总体要求\n"
    "（一）提高思想认识\n"
    "1. 各单位主要负责人为第一责任人。\n"
    "（1）明确分工，责任到人。\n"
    "二、工作安排\n"
    "（一）时间安排\n"
    "请于规定时间前完成，并将情况报校长办公室。"
)

# title, type, drafter, what happens, security
STORIES = [
    ("关于做好2026年寒假放假工作的通知", "notice", "zhangwei", "register", ""),
    ("关于商请联合举办学术会议的函", "letter", "zhangwei", "void", ""),
    ("关于加强实验室安全管理的意见", "opinion", "school-cs-reviewer1", "register", "confidential"),
    ("关于2026年度校园网络安全检查情况的通报", "circular", "zhangwei", "signed", ""),
    ("关于增设人工智能本科专业的请示", "request", "school-cs-reviewer1", "review", ""),
    ("关于2026年度科研工作情况的报告", "report", "zhangwei", "draft", ""),
]


def _decide_all(document: Outgoing, steps: int) -> None:
    for _ in range(steps):
        task = ApprovalTask.objects.filter(request_id=document.request_id, status="pending").first()
        if task is None:
            return
        user = task.assignee
        if user is None:  # a role held by several people: the first of them claims it
            candidate = TaskCandidate.objects.filter(task=task).select_related("user").first()
            user = candidate.user
            engine.task_claim(task_id=task.pk, user=user)
        engine.task_decide(task_id=task.pk, user=user, action="approve", comment="同意")


@transaction.atomic
def seed_demo_documents() -> int:
    office = Department.objects.filter(code="president-office").first()
    people = {u.username: u for u in User.objects.filter(username__in=_usernames())}
    if office is None or len(people) < len(_usernames()):
        return 0
    authority, _ = Authority.objects.update_or_create(
        prefix="校办发",
        defaults={"name_zh": "校长办公室", "name_en": "President's Office", "department": office},
    )
    registrar = people["president-office-head"]  # holds the office's admin role
    leader = Role.objects.filter(department=office, code="leader").first()
    signer = leader.holders.first() if leader else None
    others = list(Department.objects.exclude(code="president-office").order_by("order")[:3])
    for title, doc_type, drafter, outcome, security in STORIES:
        if Outgoing.objects.filter(authority=authority, title=title).exists():
            continue
        document = services.document_save(
            user=people[drafter],
            data={
                "doc_type": doc_type,
                "authority": authority,
                "title": title,
                "to_departments": others[:2],
                "to_others": "" if doc_type != "letter" else "浙江省教育厅",
                "copy_departments": others[2:],
                "body": BODY.format(topic=title.removeprefix("关于").split("的")[0]),
                "security": security,
                "security_period": "1年" if security else "",
                "urgency": "urgent" if doc_type == "request" else "",
                "signer": signer if doc_type in ("report", "request") else None,
            },
        )
        if outcome == "draft":
            continue
        services.document_submit(document_id=document.pk, user=people[drafter])
        document.refresh_from_db()
        if outcome == "review":
            # The head returns it once; the revision is kept beside the first text.
            task = ApprovalTask.objects.get(request_id=document.request_id, status="pending")
            engine.task_decide(
                task_id=task.pk,
                user=task.assignee,
                action="return",
                comment="请补充师资条件的说明",
            )
            services.document_save(
                user=people[drafter],
                document_id=document.pk,
                data={"body": document.body + "\n三、师资条件\n现有相关专业教师二十八人。"},
            )
            services.document_submit(
                document_id=document.pk, user=people[drafter], comment="已补充师资条件"
            )
        _decide_all(document, 1 if outcome == "review" else 3)
        if outcome in ("register", "void"):
            services.document_register(document_id=document.pk, user=registrar)
        if outcome == "void":
            services.document_void(
                document_id=document.pk, user=registrar, reason="会议延期，原函作废"
            )
        if security:
            readers = [people["president-office-reviewer1"], people["school-cs-head"]]
            services.reader_grant(document_id=document.pk, user=registrar, readers=readers)
    _dispatch_demo(authority, registrar)
    _incoming_demo(office, authority, registrar, signer, people["president-office-reviewer1"])
    _seals_demo(office, people["president-office-reviewer1"], people["zhangwei"])
    _formats_and_gazette_demo(authority, registrar, people["zhangwei"])
    from documents.legal_demo import seed_legal_demo

    seed_legal_demo()
    return Outgoing.objects.filter(authority=authority).count()


def _dispatch_demo(authority: Authority, registrar: User) -> None:
    """The winter-holiday notice is dispatched (and filed); its first addressee signed for it."""
    notice = Outgoing.objects.filter(
        authority=authority,
        title=STORIES[0][0],
        status=Outgoing.Status.REGISTERED,
        dispatched_at__isnull=True,
    ).first()
    if notice is None:
        return
    made = services.document_dispatch(document_id=notice.pk, user=registrar)
    if made:
        first = made[0]
        clerk = User.objects.filter(department_id=first.department_id).order_by("pk").first()
        if clerk is not None:
            services.dispatch_sign(dispatch_id=first.pk, user=clerk)


def _usernames() -> list[str]:
    return [
        "zhangwei",
        "school-cs-reviewer1",
        "school-cs-head",
        "president-office-head",
        "president-office-reviewer1",
    ]


INCOMING = [
    # title, sender, source, is a 请示, how far
    ("关于开展2026年度教学质量检查的通知", "省教育厅", "file", False, "circulating"),
    ("关于做好防汛值班工作的电话通知", "市政府办公厅", "call", False, "done"),
    ("关于增设人工智能本科专业的请示", "计算机学院", "file", True, "reply"),
    ("关于征求校园规划意见的函", "市自然资源局", "fax", False, "registered"),
]


def _incoming_demo(office, authority, clerk: User, leader: User | None, reader: User) -> None:
    """Incoming documents in several states: one sent round with an unread reader, one done,
    a 请示 with its 批复 drafted, one only registered. Keyed by title."""
    from django.core.files.base import ContentFile

    from documents import incoming as flow
    from documents.models import Incoming

    if leader is None:
        return
    lead_unit = Department.objects.exclude(pk=office.pk).order_by("order").first()
    for title, sender, source, is_request, outcome in INCOMING:
        if Incoming.objects.filter(department=office, title=title).exists():
            continue
        data = {"source": source, "sender": sender, "title": title, "is_request": is_request}
        if source == "call":
            data["note"] = "王主任来电：汛期内实行24小时值班，请于今日报送值班表。"
        if source == "fax":
            data["file"] = ContentFile(b"%PDF-1.4\n%demo fax\n", name="fax.pdf")
        incoming = flow.incoming_receive(user=clerk, department_id=office.pk, data=data)
        flow.incoming_register(incoming_id=incoming.pk, user=clerk)
        if outcome == "registered":
            continue
        flow.incoming_check(incoming_id=incoming.pk, user=clerk, complies=True)
        if outcome == "reply":
            flow.reply_draft(incoming_id=incoming.pk, user=clerk, authority=authority)
            continue
        flow.incoming_propose(
            incoming_id=incoming.pk, user=clerk, proposal="拟请相关部门办理", leader=leader
        )
        flow.instruction_give(incoming_id=incoming.pk, user=leader, text="请抓紧落实，按时报送。")
        flow.incoming_assign(incoming_id=incoming.pk, user=clerk, lead_unit=lead_unit, days=5)
        if outcome == "circulating":
            flow.circulation_send(
                incoming_id=incoming.pk, user=clerk, readers=[leader, reader], purpose="请阅知"
            )
            flow.circulation_read(incoming_id=incoming.pk, user=leader)
        if outcome == "done":
            flow.incoming_finish(incoming_id=incoming.pk, user=clerk, answer="值班表已报送。")


SEALS = [
    ("校长办公室公章", "President's Office seal", "official"),
    ("学校合同专用章", "Contract seal", "contract"),
    ("学校钢印", "Steel stamp", "steel"),
]


def _seal_png() -> bytes:
    """A round red impression drawn for the demo (a real seal's scan is uploaded in admin)."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, 292, 292), outline=(210, 0, 0, 230), width=14)
    draw.regular_polygon((150, 150, 50), 5, rotation=90, fill=(210, 0, 0, 230))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _seals_demo(office, custodian: User, applicant: User) -> None:
    """Three seals; the winter-holiday notice sealed, one use waiting, the steel stamp out."""
    from datetime import timedelta

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from documents import seals
    from documents.models import Seal, SealUse

    if Seal.objects.filter(department=office).exists():
        return
    made = []
    for name_zh, name_en, kind in SEALS:
        seal = Seal.objects.create(
            name_zh=name_zh,
            name_en=name_en,
            kind=kind,
            department=office,
            custodian=custodian,
            activated_on=timezone.localdate().replace(month=1, day=1),
        )
        if kind == "official":
            seal.image.save("official.png", ContentFile(_seal_png()))
        made.append(seal)
    notice = Outgoing.objects.filter(title=STORIES[0][0], number__isnull=False).first()
    try:
        if notice is not None:
            use = seals.seal_use_request(
                user=applicant, seal=made[0], purpose="印发寒假放假通知", copies=40, document=notice
            )
            _decide_all_of(use.request_id)
            use.refresh_from_db()
            if use.status == SealUse.Status.APPROVED:
                seals.seal_use_record(use_id=use.pk, user=custodian, copies=40)
        seals.seal_use_request(
            user=applicant,
            seal=made[1],
            purpose="与某科技公司签订合作协议",
            copies=4,
            file=ContentFile(b"%PDF-1.4\n%demo contract\n", name="contract.pdf"),
        )
    except services.DocumentError:
        pass  # a demo catalogue without the chain's people: the seals are still there
    seals.seal_take_out(
        seal_id=made[2].pk,
        user=custodian,
        borrower=custodian,
        purpose="赴省教育厅办理证书",
        due_at=timezone.now() + timedelta(days=1),
    )


def _decide_all_of(request_id: int) -> None:
    class _Doc:
        pass

    holder = _Doc()
    holder.request_id = request_id
    _decide_all(holder, 5)


# --- the letter and minutes formats, copy numbers and the gazette (issue #13, h4) -------------

PUBLIC_STORIES = [
    # title, type, body, minutes fields
    (
        "关于2026年春季学期校园开放时间的通告",
        "public-notice",
        "为方便社会公众参观校园，现将2026年春季学期校园开放安排通告如下。\n"
        "一、开放时间\n每周六、周日9:00至17:00。\n二、参观须知\n请持有效身份证件由南门进入。",
        {},
    ),
    (
        "关于表彰2025年度校园安全工作先进集体的决定",
        "decision",
        "2025年，各单位认真落实校园安全责任，涌现出一批先进集体。\n"
        "一、表彰名单\n计算机学院、财务处、后勤服务中心。\n二、希望\n希望受表彰单位再接再厉。",
        {},
    ),
    (
        "校长办公会议纪要",
        "minutes",
        "2026年3月4日，校长主持召开校长办公会议，研究了以下事项：\n"
        "一、关于寒假工作安排\n会议同意校长办公室提出的寒假工作安排。\n"
        "二、关于校园开放\n会议同意春季学期周末向社会公众开放校园。",
        {
            "minutes_issue": 3,
            "present": "张伟、李明、王芳、赵强",
            "attending": "计算机学院负责人",
            "absent": "刘洋（出差）",
        },
    ),
]
GAZETTE_TITLE = "2026年第一季度"


def _formats_and_gazette_demo(authority: Authority, registrar: User, drafter: User) -> None:
    """Two public documents and a 纪要 issued; 20 numbered copies of the 秘密 opinion; one
    published gazette issue with the public documents and the winter-holiday notice."""
    from documents import copies, gazette
    from documents.models import GazetteIssue

    others = list(Department.objects.exclude(code="president-office").order_by("order")[:2])
    for title, doc_type, body, extra in PUBLIC_STORIES:
        if Outgoing.objects.filter(authority=authority, title=title).exists():
            continue
        document = services.document_save(
            user=drafter,
            data={
                "doc_type": doc_type,
                "authority": authority,
                "title": title,
                "to_departments": others,
                "to_others": "",
                "copy_departments": [],
                "body": body,
                "security": "",
                "security_period": "",
                "urgency": "",
                "signer": None,
                "is_public": doc_type != "minutes",
                **extra,
            },
        )
        services.document_submit(document_id=document.pk, user=drafter)
        document.refresh_from_db()
        _decide_all(document, 3)
        services.document_register(document_id=document.pk, user=registrar)
    secret = Outgoing.objects.filter(
        authority=authority, security="confidential", status=Outgoing.Status.REGISTERED
    ).first()
    if secret is not None and not secret.print_runs.exists():
        copies.print_run_record(document_id=secret.pk, user=registrar, count=20)
    if GazetteIssue.objects.filter(title=GAZETTE_TITLE).exists():
        return
    notice = Outgoing.objects.filter(authority=authority, title=STORIES[0][0]).first()
    if notice is not None and notice.status == Outgoing.Status.REGISTERED:
        gazette.document_mark_public(document_id=notice.pk, user=registrar, public=True)
    issue = gazette.issue_create(user=registrar, title=GAZETTE_TITLE)
    for document in Outgoing.objects.filter(
        authority=authority, is_public=True, status=Outgoing.Status.REGISTERED
    ).order_by("registered_at", "pk"):
        gazette.issue_add(issue_id=issue.pk, user=registrar, document_id=document.pk)
    if issue.entries.exists():
        gazette.issue_publish(issue_id=issue.pk, user=registrar)

"""Demo drafting tasks and government affairs information.

The president's office sets the 2027 government work report (two versions of its text) with
four units asked for material: two handed in, one still to come and one overdue. Six units
submit information items; editors adopt most, compile two issues (a 信息专报 and a 简报) and
record what the upper level adopted. Loading again adds nothing (keyed by titles).
"""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from documents import drafting, info
from documents.models import DraftingTask, InfoIssue, InfoItem, Material
from hall.models import Department, Role, User

WORK_REPORT = "2027年学校工作报告"
INFO = [
    ("finance", "学校一季度财政收支运行平稳", True, True),
    ("finance", "财务处推行网上报销“一次都不跑”", True, False),
    ("finance", "年度预算执行进度通报", False, False),
    ("research", "我校获批国家重点研发计划项目3项", True, True),
    ("research", "科研经费“放管服”改革成效明显", True, True),
    ("research", "横向科研合同登记情况", False, False),
    ("personnel", "高层次人才引进工作取得新进展", True, False),
    ("registrar", "新学期教学检查平稳有序", True, True),
    ("registrar", "课程思政示范课程建设稳步推进", True, False),
    ("student-affairs", "毕业生就业率保持高位", True, False),
    ("student-affairs", "学生资助工作实现应助尽助", False, False),
    ("logistics", "食堂保供稳价措施落实到位", True, False),
]


def _pdf(title: str) -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n% " + title.encode()
    )


@transaction.atomic
def seed_demo_drafting() -> int:
    office = Department.objects.filter(code="president-office").first()
    head = User.objects.filter(username="president-office-head").first()
    writer = User.objects.filter(username="president-office-reviewer1").first()
    if office is None or head is None or writer is None:
        return 0
    _work_report(office, head, writer)
    _information(office, writer)
    return DraftingTask.objects.count() + InfoItem.objects.count()


def _work_report(office, head: User, writer: User) -> None:
    if DraftingTask.objects.filter(title=WORK_REPORT).exists():
        return
    today = timezone.localdate()
    task = drafting.task_create(
        user=head,
        office=office,
        kind=DraftingTask.Kind.WORK_REPORT,
        title=WORK_REPORT,
        deadline=today + timedelta(days=21),
        writers=[writer],
    )
    drafting.text_save(
        task_id=task.pk,
        user=writer,
        title=WORK_REPORT,
        body="一、2026年工作回顾\n过去一年，学校坚持立德树人根本任务。\n二、2027年主要任务\n（一）深化教育教学改革",
    )
    drafting.text_save(
        task_id=task.pk,
        user=writer,
        title=WORK_REPORT,
        body=(
            "一、2026年工作回顾\n过去一年，学校坚持立德树人根本任务，各项事业取得新进展。\n"
            "二、2027年主要任务\n（一）深化教育教学改革\n（二）提升科研创新能力"
        ),
    )
    asked = {
        "finance": ("2026年预算执行与2027年预算安排", 5, True),
        "research": ("2026年科研项目、经费与成果情况", 7, True),
        "personnel": ("人才引进与队伍建设情况", 10, False),
        "registrar": ("本科教学工作总结", 3, False),  # made overdue below
    }
    for code, (what, days, handed) in asked.items():
        unit = Department.objects.filter(code=code).first()
        if unit is None:
            continue
        material = drafting.material_ask(
            task_id=task.pk,
            user=writer,
            department=unit,
            due_date=today + timedelta(days=days),
            asked=what,
        )
        staff = User.objects.filter(username=f"{code}-reviewer1").first()
        if handed and staff is not None:
            drafting.material_submit(
                material_id=material.pk,
                user=staff,
                file=ContentFile(_pdf(what), name=f"{code}.pdf"),
                note=f"{what}，请审阅。",
            )
    # The registrar's office missed its day: its due date lies in the past.
    Material.objects.filter(task=task, department__code="registrar").update(
        due_date=today - timedelta(days=2)
    )


def _information(office, editor: User) -> None:
    Role.objects.get_or_create(
        department=office,
        code=info.EDITOR_ROLE,
        defaults={"name_zh": "信息编辑", "name_en": "Information editor"},
    )[0].holders.add(editor)
    if InfoItem.objects.filter(title=INFO[0][1]).exists():
        return
    today = timezone.localdate()
    special, brief = [], []
    for n, (code, title, adopted, upper) in enumerate(INFO):
        submitter = User.objects.filter(username=f"{code}-reviewer1").first()
        if submitter is None:
            continue
        item = info.item_submit(
            user=submitter,
            title=title,
            body=f"{title}。据{submitter.department.name_zh}报送，相关工作进展顺利，成效明显。",
            submitted_on=today - timedelta(days=n * 2),
        )
        if adopted:
            info.item_adopt(item_id=item.pk, user=editor)
            (special if upper else brief).append((item, upper))
        elif n % 2:
            info.item_reject(item_id=item.pk, user=editor, reason="内容与前期信息重复")
    for kind, title, chosen in (
        (InfoIssue.Kind.SPECIAL, "高校服务地方经济社会发展情况专报", special),
        (InfoIssue.Kind.BRIEF, "校园工作简报", brief),
    ):
        if not chosen:
            continue
        issue = info.issue_compile(
            user=editor, kind=kind, title=title, item_ids=[i.pk for i, _u in chosen]
        )
        info.issue_send(issue_id=issue.pk, user=editor, sent_to="省教育厅办公室")
        for item, upper in chosen:
            if upper:
                info.item_upper_adopted(item_id=item.pk, user=editor, on=today, by="省教育厅办公室")

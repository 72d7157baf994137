"""Demo office work of the archives: certificates (one expiring within 30 days), this year's
statistics report sent to three units, two training records and three chronicle entries.
Loading again adds nothing."""

from datetime import datetime, timedelta

from django.db import transaction

from archives.models import (
    Certificate,
    ChronicleEntry,
    Record,
    ReportForm,
    ReportTask,
    TrainingRecord,
)
from archives.selectors import ARCHIVIST_ROLE
from hall.models import Department, User

# kind, name, number, issuer, days until expiry (None: never expires), remarks
# ruff: noqa: E501 - one certificate per line reads as the register it is
CERTIFICATES = [
    ("legal_person", "事业单位法人证书", "事证第110000000123号", "国家事业单位登记管理局", 21, "正本存校长办公室保险柜"),
    ("credit_code", "统一社会信用代码证书", "12100000400012345X", "国家事业单位登记管理局", None, ""),
    ("permit", "实验动物使用许可证", "SYXK(京)2022-0031", "北京市科学技术委员会", 150, "生命科学学院使用"),
    ("qualification", "辐射安全许可证", "京环辐证[F0123]", "北京市生态环境局", 400, ""),
]  # fmt: skip

# course, days ago, hours, remarks
TRAINING = [
    ("电子文件归档与电子档案管理规范解读", 40, "6.0", "市档案局组织，线上"),
    ("档案数字化加工质量控制", 12, "3.5", ""),
]

# days ago, event, source references of demo records to link
CHRONICLE = [
    (50, "学校召开档案工作会议，部署年度档案收集与移交工作。", ["archives.demo:9"]),
    (
        25,
        "完成校长办公会会议纪要（2015年）数字化并通过验收。",
        ["archives.demo:9", "archives.demo:7"],
    ),
    (5, "档案馆接受市档案局年度业务指导检查。", []),
]


def _who() -> tuple[User | None, list[User]]:
    admin = User.objects.filter(username="admin").first()
    archivists = list(
        User.objects.filter(roles__code=ARCHIVIST_ROLE, is_active=True).order_by("username")[:3]
    )
    return admin, archivists


@transaction.atomic
def seed_office(*, now: datetime) -> str:
    admin, archivists = _who()
    actor = archivists[0] if archivists else admin
    if actor is None:
        return "no office demo (no admin or archivist)"
    today = now.date()
    made = 0
    for kind, name, number, issuer, days, remarks in CERTIFICATES:
        _, created = Certificate.objects.get_or_create(
            kind=kind,
            number=number,
            defaults={
                "name": name,
                "issuer": issuer,
                "valid_until": today + timedelta(days=days) if days is not None else None,
                "custodian": actor,
                "remarks": remarks,
            },
        )
        made += created

    units = list(Department.objects.filter(kind="unit").order_by("order", "code")[:3])
    if len(units) < 3:
        units = list(Department.objects.order_by("order", "code")[:3])
    task, created = ReportTask.objects.get_or_create(
        year=today.year, defaults={"deadline": today + timedelta(days=20), "created_by": actor}
    )
    if created:
        made += 1
        ReportForm.objects.bulk_create([ReportForm(task=task, department=u) for u in units])
        first = task.forms.order_by("pk").first()
        if first is not None:
            first.values = {
                "staff_total": 186, "teachers": 132, "admin_staff": 24, "support_staff": 18,
                "other_staff": 12, "professors": 31, "associate_professors": 48, "lecturers": 45,
                "assistants": 8, "students_total": 3420, "undergraduates": 2610,
                "postgraduates": 760, "masters": 610, "doctoral": 150, "other_students": 50,
                "new_enrolment": 980, "graduated": 905, "floor_area": 28600,
                "library_books": 152000, "computers": 640,
            }  # fmt: skip
            first.status, first.submitted_at, first.submitted_by = "submitted", now, actor
            first.save()

    for course, days_ago, hours, remarks in TRAINING:
        when = today - timedelta(days=days_ago)
        if TrainingRecord.objects.filter(course=course, date=when).exists():
            continue
        record = TrainingRecord.objects.create(
            course=course, date=when, hours=hours, remarks=remarks, created_by=actor
        )
        record.participants.set(archivists or [actor])
        made += 1

    for days_ago, text, refs in CHRONICLE:
        if ChronicleEntry.objects.filter(text=text).exists():
            continue
        entry = ChronicleEntry.objects.create(
            date=today - timedelta(days=days_ago), text=text, created_by=actor
        )
        entry.records.set(Record.objects.filter(source_ref__in=refs))
        made += 1
    return f"{made} demo office rows"

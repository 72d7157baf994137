"""Demo supervision items from every source and in every state (keyed by title: loading again
adds nothing). The president's office's first reviewer is the supervisor (督查员); its head is
the university leader in charge."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from hall.models import Department, Role, User
from performance import services
from performance.models import Item
from performance.services import Source

# title, source kind, reference, source title, lead unit, co-units, days, assigned days ago, state
STORIES = [
    (
        "落实校长办公会关于智慧校园一网通办建设的决定",
        "decision",
        "performance.decision:1",
        "2026年第12次校长办公会决定事项一",
        "smart-campus",
        ["registrar", "finance"],
        30,
        3,
        "on_track",
    ),
    (
        "办理书记关于研究生宿舍维修的批示",
        "instruction",
        "documents.instruction:1",
        "关于研究生宿舍漏水问题的来信（书记批示）",
        "logistics",
        ["graduate"],
        10,
        12,
        "due_soon",
    ),
    (
        "推进工作要点第3项：新增人工智能本科专业",
        "key_task",
        "performance.keytask:3",
        "2026年工作要点 第3项",
        "registrar",
        ["school-cs"],
        5,
        25,
        "overdue",
    ),
    (
        "落实《关于加强实验室安全管理的意见》",
        "document",
        "documents.outgoing:3",
        "关于加强实验室安全管理的意见",
        "assets",
        ["research", "school-cs"],
        8,
        20,
        "overdue",
    ),
    (
        "回应热线热点：校园快递点排队时间过长",
        "hotspot",
        "reception.hotspot:1",
        "12345热线热点：快递点排队",
        "logistics",
        [],
        15,
        8,
        "extension",
    ),
    (
        "校长交办：完成年度外籍教师聘任备案",
        "assigned",
        "",
        "校长交办",
        "international",
        ["personnel"],
        10,
        9,
        "reported",
    ),
    (
        "落实校长办公会关于科研经费报销提速的决定",
        "decision",
        "performance.decision:2",
        "2026年第11次校长办公会决定事项三",
        "finance",
        ["research"],
        10,
        30,
        "closed",
    ),
    (
        "办理副校长关于校史馆布展的批示",
        "instruction",
        "documents.instruction:2",
        "关于校史馆改陈布展方案的请示（副校长批示）",
        "propaganda",
        ["archives"],
        10,
        2,
        "returned",
    ),
    (
        "推进工作要点第7项：人事制度改革配套文件",
        "key_task",
        "performance.keytask:7",
        "2026年工作要点 第7项",
        "personnel",
        ["organization"],
        20,
        1,
        "assigned",
    ),
]


@transaction.atomic
def seed_demo_supervision() -> int:
    office = Department.objects.filter(code="president-office").first()
    supervisor = User.objects.filter(username="president-office-reviewer1").first()
    leader = User.objects.filter(username="president-office-head").first()
    if office is None or supervisor is None or leader is None:
        return 0
    role, _ = Role.objects.update_or_create(
        department=office,
        code=services.OFFICE_ROLE,
        defaults={"name_zh": "督查员", "name_en": "Supervisor"},
    )
    role.holders.add(supervisor)
    units = {d.code: d for d in Department.objects.all()}
    now = timezone.now()
    for title, kind, ref, source_title, unit, co, days, ago, state in STORIES:
        if Item.objects.filter(title=title).exists() or unit not in units:
            continue
        item = services.item_create(
            user=supervisor,
            title=title,
            source=Source(kind=kind, ref=ref, title=source_title),
            criteria="按要求完成并报送佐证材料，经督查室核验。",
            requirement=f"{source_title}：请牵头单位会同协办单位抓好落实。",
            leader=leader,
            lead_unit=units[unit],
            co_units=[units[c] for c in co if c in units],
            days=days,
            milestones=[
                ("制定工作方案", max(1, days // 3)),
                ("完成主体工作", max(1, days * 2 // 3)),
            ],
            now=now - timedelta(days=ago),
        )
        head = units[unit].heads.first()
        if head is None or state == "assigned":
            continue
        if state == "returned":
            services.item_return(
                item_id=item.pk, user=head, reason="该事项主要涉及档案馆职责，建议调整牵头单位"
            )
            continue
        services.item_sign(item_id=item.pk, user=head)
        first = item.milestones.order_by("n").first()
        services.item_report(
            item_id=item.pk,
            user=head,
            text="已制定工作方案并召开专题推进会。",
            milestone_id=first.pk if first and state != "overdue" else None,
        )
        if state == "extension":
            new_day = timezone.localdate(item.deadline) + timedelta(days=14)
            if new_day.year == timezone.localdate(item.assigned_at).year:
                services.extension_request(
                    item_id=item.pk,
                    user=head,
                    new_deadline=new_day,
                    reason="需协调快递企业调整网点，时间较长",
                )
        if state in ("reported", "closed"):
            services.item_complete(item_id=item.pk, user=head, text="已全部完成，佐证材料见附件。")
        if state == "closed":
            services.item_close(item_id=item.pk, user=supervisor, comment="经核验，符合验收标准。")
    # The overdue ones are urged, put on the month's notice and escalated by the tick itself.
    services.supervision_tick(now=now)
    return Item.objects.count()

"""Demo supervision items from every source and in every state (keyed by title: loading again
adds nothing). The president's office's first reviewer is the supervisor (督查员); its head is
the university leader in charge."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from hall.models import Department, Role, User
from performance import meetings, services, strategy
from performance.models import Decision, Item, KeyTask, Meeting, MeetingType
from performance.services import Source

MINUTES = {
    "2026年第11次校长办公会": (
        "会议听取了财务处关于科研经费报销流程优化的汇报。\n"
        "会议决定：科研经费报销实行网上预约、集中审核，平均办理时间压缩至3个工作日。\n"
        "会议决定：2026年底前完成财务系统与科研管理系统的数据对接。\n"
        "会议决定：各学院于两周内报送经费使用自查报告。"
    ),
    "2026年第12次校长办公会": (
        "会议听取了智慧校园建设中心关于一网通办建设进展的汇报。\n"
        "会议决定：2027年1月前上线不少于50项网上办事服务。\n"
        "会议决定：设立一站式服务大厅线下窗口，由后勤保障处牵头。\n"
        "会议决定：各学院明确一名信息化联络员。"
    ),
}
# meeting title → paragraph of the decision a story supervises
DECISION_OF = {
    "performance.decision:1": ("2026年第12次校长办公会", 2),
    "performance.decision:2": ("2026年第11次校长办公会", 2),
}


# key task, lead unit, co-units, target month
KEY_TASKS = [
    ("深化一流学科建设，推进学科交叉融合", "research", ["graduate"], 12),
    ("完善研究生培养质量保障体系", "graduate", ["registrar"], 10),
    ("新增人工智能本科专业并完成首届招生", "registrar", ["school-cs"], 9),
    ("建成一站式网上办事大厅，上线50项服务", "smart-campus", ["president-office"], 12),
    ("推进科研经费“放管服”改革", "finance", ["research"], 11),
    ("加强高层次人才引进与培养", "personnel", ["organization"], 12),
    ("深化人事制度改革，出台配套文件", "personnel", ["organization"], 12),
    ("提升国际合作与交流水平", "international", [], 12),
    ("完成国有资产清查与实验室安全整治", "assets", ["logistics"], 11),
    ("改善师生学习生活条件", "logistics", ["student-affairs"], 12),
]


def _seed_outline(supervisor: User, leader: User, units: dict, year: int) -> list[KeyTask]:
    from datetime import date

    theme = strategy.theme_save(
        user=supervisor,
        year=year,
        title="质量提升年",
        summary="以高质量发展为主线，聚焦一流学科建设、人才培养和治理能力现代化。",
    )
    if not theme.tasks.exists():
        for title, unit, co, month in KEY_TASKS:
            if unit in units:
                strategy.key_task_add(
                    user=supervisor,
                    theme_id=theme.pk,
                    title=title,
                    leader=leader,
                    lead_unit=units[unit],
                    co_units=[units[c] for c in co if c in units],
                    target_date=date(year, month, 28),
                )
    return list(theme.tasks.order_by("n"))


def _seed_meetings(supervisor: User, leader: User, now) -> dict:
    kind, _ = MeetingType.objects.get_or_create(
        code="president-office",
        defaults={
            "name_zh": "校长办公会",
            "name_en": "President's office meeting",
            "prefix": "校长办公会纪要",
        },
    )
    MeetingType.objects.get_or_create(
        code="special",
        defaults={"name_zh": "专题会议", "name_en": "Special meeting", "prefix": "专题会议纪要"},
    )
    decisions = {}
    for weeks, (title, body) in zip((5, 2), MINUTES.items(), strict=True):
        meeting = Meeting.objects.filter(title=title).first()
        if meeting is None:
            # 09:00 in the hall's time zone (now is UTC: 09:00 UTC would be 17:00 in Beijing)
            start = timezone.localtime(now - timedelta(weeks=weeks)).replace(
                hour=9, minute=0, second=0, microsecond=0
            )
            meeting = meetings.meeting_create(
                user=supervisor,
                kind=kind,
                title=title,
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                place="行政楼第一会议室",
                chair=leader,
            )
            unit_head = User.objects.filter(username="smart-campus-head").first()
            if unit_head:
                topic = meetings.topic_submit(
                    meeting_id=meeting.pk, user=unit_head, title="一网通办建设进展"
                )
                meetings.topic_decide(topic_id=topic.pk, user=supervisor, accept=True)
            meetings.attendees_add(
                meeting_id=meeting.pk, user=supervisor, people=[leader], role="attendee"
            )
            meetings.minutes_save(meeting_id=meeting.pk, user=supervisor, body=body)
            meetings.minutes_submit(meeting_id=meeting.pk, user=supervisor)
            meetings.minutes_issue(
                meeting_id=meeting.pk, user=leader, now=start + timedelta(days=1)
            )
            for paragraph in (2, 3, 4):
                if (
                    paragraph <= len(body.splitlines())
                    and "决定" in body.splitlines()[paragraph - 1]
                ):
                    meetings.decision_add(
                        meeting_id=meeting.pk, user=supervisor, paragraph=paragraph, text=""
                    )
        for decision in Decision.objects.filter(meeting=meeting):
            decisions[(title, decision.paragraph)] = decision
    return decisions


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
    decisions = _seed_meetings(supervisor, leader, now)
    tasks = {
        f"performance.keytask:{t.n}": t for t in _seed_outline(supervisor, leader, units, now.year)
    }
    for title, kind, ref, source_title, unit, co, days, ago, state in STORIES:
        if Item.objects.filter(title=title).exists() or unit not in units:
            continue
        decision = decisions.get(DECISION_OF.get(ref, ("", 0)))
        if decision is not None and decision.item_id is None:
            item = meetings.decision_supervise(
                decision_id=decision.pk,
                user=supervisor,
                leader=leader,
                lead_unit=units[unit],
                co_units=[units[c] for c in co if c in units],
                days=days,
                criteria="按要求完成并报送佐证材料，经督查室核验。",
                now=now - timedelta(days=ago),
            )
            Item.objects.filter(pk=item.pk).update(title=title)
            item.title = title
        else:
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
        task = tasks.get(ref)
        if task is not None and task.item_id is None:
            # The item of a key task points to the task's real row.
            Item.objects.filter(pk=item.pk).update(
                source_ref=f"performance.keytask:{task.pk}",
                source_url=f"/performance/strategy/{now.year}/#task-{task.n}",
            )
            KeyTask.objects.filter(pk=task.pk).update(item=item)
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

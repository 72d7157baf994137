"""Demo emergencies: escalation tiers for every level (the vice-president first, then the
president; level I tells the president at once), a tier for one kind (an accident, such as a
fire or a power failure, also tells the head of logistics at once, who runs the buildings'
power, water and fire safety), and one level II accident reported two hours ago by the duty
office, escalated once because nobody acknowledged it within 30 minutes, then acknowledged by
the president, with a follow-up and an instruction. Loading again adds nothing: the tiers are
keyed by level, kind and tier, the incident by its title."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from hall.models import User
from reception import emergencies as em
from reception.models import Incident, IncidentTier

TITLE = "东区学生公寓3号楼配电间冒烟"
# (level, kind): [(minutes, usernames), ...] tier by tier; kind "" holds for every kind
TIERS = {
    (1, ""): [(15, ["president-office-head"])],
    (2, ""): [(30, ["organization-head"]), (30, ["president-office-head"])],
    (3, ""): [(60, ["organization-head"]), (60, ["president-office-head"])],
    (4, ""): [(60, ["organization-head"])],
    # an accident (fire, power, a building) also goes to logistics at once, levels I–III
    (1, Incident.Kind.ACCIDENT): [(15, ["logistics-head"])],
    (2, Incident.Kind.ACCIDENT): [(30, ["logistics-head"])],
    (3, Incident.Kind.ACCIDENT): [(60, ["logistics-head"])],
}


@transaction.atomic
def seed_demo_emergencies() -> int:
    clerk = User.objects.filter(username="president-office-reviewer1").first()
    if clerk is None or not em.may_report(clerk):
        return 0
    for (level, kind), tiers in TIERS.items():
        for number, (minutes, usernames) in enumerate(tiers, start=1):
            tier, _made = IncidentTier.objects.get_or_create(
                level=level, kind=kind, tier=number, defaults={"minutes": minutes}
            )
            tier.leaders.add(*User.objects.filter(username__in=usernames))
    if Incident.objects.filter(title=TITLE).exists():
        return 0
    now = timezone.now()
    incident = em.incident_report(
        user=clerk,
        kind=Incident.Kind.ACCIDENT,
        level=2,
        title=TITLE,
        place="东区学生公寓3号楼一层配电间",
        occurred_at=now - timedelta(hours=2, minutes=5),
        description="宿管员巡查发现配电间冒烟并有焦糊味，已拉闸断电，正在疏散3号楼学生约600人。",
        casualties="暂无人员伤亡",
        measures="已报119，后勤处电工和保卫处已到场。",
        now=now - timedelta(hours=2),
    )
    em.escalation_tick(now=now - timedelta(hours=1, minutes=29))
    president = User.objects.get(username="president-office-head")
    em.incident_acknowledge(
        user=president, incident_id=incident.pk, now=now - timedelta(hours=1, minutes=20)
    )
    em.incident_add(
        user=president,
        incident_id=incident.pk,
        kind="instruction",
        text="全力做好学生安置，查明原因，举一反三排查各宿舍楼配电设施。",
        now=now - timedelta(hours=1, minutes=15),
    )
    em.incident_add(
        user=clerk,
        incident_id=incident.pk,
        kind="follow-up",
        text="消防确认为配电柜线路老化短路，明火已扑灭；学生已临时安置在体育馆，19:00前恢复供电。",
        now=now - timedelta(minutes=40),
    )
    return 1

"""Emergencies and important incidents (突发事件): the watch reports one, the leaders of its level
are told at once (tier 1), and while nobody acknowledges it the next tier is told when the tier
before has let its minutes pass — each tier exactly once, however many reminder ticks run at once
(``workflows.reminders.once``). Follow-up reports (续报), the leaders' instructions (批示) and the
final report (终报) go on one timeline.

Who sees an incident: the duty office (the schedule office and superusers), the people on duty
now, the reporter, and the leaders it was sent to (by foreign key rows); everyone else gets 404.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hall.models import User
from hall.notifications import notify
from reception.duty import on_duty_now
from reception.models import Incident, IncidentEntry, IncidentNotice, IncidentTier
from reception.schedules import is_office
from workflows.reminders import once, register_tick

E = IncidentEntry.Kind
ONCE_KIND = "reception.incident-tier"


class IncidentError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- reads ------------------------------------------------------------------------------------


def on_duty(user: User, moment: datetime | None = None) -> bool:
    return user.is_authenticated and any(s.person_id == user.pk for s in on_duty_now(moment))


def may_report(user: User) -> bool:
    return is_office(user) or on_duty(user)


def visible_to(user: User) -> QuerySet[Incident]:
    rows = Incident.objects.select_related("reporter", "acknowledged_by")
    if not user.is_authenticated:
        return rows.none()
    if may_report(user):
        return rows
    told = IncidentNotice.objects.filter(incident=OuterRef("pk"), user=user)
    return rows.filter(Q(Exists(told)) | Q(reporter=user))


def may_acknowledge(user: User, incident: Incident) -> bool:
    return IncidentNotice.objects.filter(incident=incident, user=user).exists()


def timeline(incident: Incident) -> list[IncidentEntry]:
    return list(incident.entries.select_related("by"))


# --- writes -----------------------------------------------------------------------------------


def _tell(incident: Incident, tier: IncidentTier, now: datetime) -> list[int]:
    ids = [u for u in tier.leaders.filter(is_active=True).values_list("pk", flat=True)]
    already = set(
        IncidentNotice.objects.filter(incident=incident, user__in=ids).values_list(
            "user_id", flat=True
        )
    )
    new = [u for u in ids if u not in already]
    IncidentNotice.objects.bulk_create(
        [IncidentNotice(incident=incident, user_id=u, tier=tier.tier, notified_at=now) for u in new]
    )
    level = incident.get_level_display()
    notify(
        recipients=new,
        kind="reception.incident",
        subject=f"【突发事件】{incident.title}（{level}）{incident.place}",
        subject_en=f"[Incident] {incident.title} ({level}), {incident.place}",
        url=incident.get_absolute_url(),
        body=incident.description[:500],
    )
    return new


def _names(ids: list[int]) -> str:
    users = User.objects.filter(pk__in=ids).order_by("pk")
    return "、".join(u.full_name or u.username for u in users)


@transaction.atomic
def incident_report(
    *,
    user: User,
    kind: str,
    level: int,
    title: str,
    place: str,
    occurred_at: datetime,
    description: str,
    casualties: str = "",
    measures: str = "",
    now: datetime | None = None,
) -> Incident:
    """The watch reports an incident; the first tier of its level is told at once."""
    now = now or timezone.now()
    if not may_report(user):
        raise IncidentError(_("Only the duty office and the people on duty report incidents."))
    if kind not in Incident.Kind.values:
        raise IncidentError(_("Choose the kind of incident."))
    if level not in (1, 2, 3, 4):
        raise IncidentError(_("Choose the level of the incident."))
    title, place, description = title.strip(), place.strip(), description.strip()
    if not (title and place and description):
        raise IncidentError(_("Give the subject, the place and what happened."))
    if occurred_at > now + timedelta(minutes=5):
        raise IncidentError(_("The incident cannot have happened in the future."))
    first = IncidentTier.objects.filter(level=level).order_by("tier").first()
    if first is None:
        raise IncidentError(_("No leaders are set up for this level; ask the office."))
    incident = Incident.objects.create(
        kind=kind,
        level=level,
        title=title[:200],
        place=place[:200],
        occurred_at=occurred_at,
        description=description,
        casualties=casualties.strip()[:200],
        measures=measures.strip(),
        reporter=user,
        tier=first.tier,
        tier_notified_at=now,
    )
    IncidentEntry.objects.create(
        incident=incident, kind=E.REPORT, text=description, by=user, at=now
    )
    once(ONCE_KIND, f"{incident.pk}:{first.tier}")
    told = _tell(incident, first, now)
    IncidentEntry.objects.create(incident=incident, kind=E.NOTIFIED, text=_names(told), at=now)
    return incident


@transaction.atomic
def incident_acknowledge(*, user: User, incident_id: int, now: datetime | None = None) -> Incident:
    now = now or timezone.now()
    incident = Incident.objects.select_for_update().get(pk=incident_id)
    if not may_acknowledge(user, incident):
        raise IncidentError(_("Only a leader who was told of the incident acknowledges it."))
    if incident.acknowledged_at:
        raise IncidentError(_("The incident is already acknowledged."))
    incident.acknowledged_by, incident.acknowledged_at = user, now
    incident.save(update_fields=["acknowledged_by", "acknowledged_at"])
    IncidentEntry.objects.create(incident=incident, kind=E.ACKNOWLEDGED, by=user, at=now)
    return incident


@transaction.atomic
def incident_add(
    *, user: User, incident_id: int, kind: str, text: str, now: datetime | None = None
) -> IncidentEntry:
    """A follow-up report or the final report (by the watch), or an instruction (by a leader who
    was told). The final report closes the incident; nothing is added after it."""
    now = now or timezone.now()
    incident = Incident.objects.select_for_update().get(pk=incident_id)
    text = text.strip()
    if not text:
        raise IncidentError(_("Write the report."))
    if incident.status == Incident.Status.CLOSED:
        raise IncidentError(_("The final report is made; the incident is closed."))
    if kind in (E.FOLLOW_UP, E.FINAL):
        if not (may_report(user) or incident.reporter_id == user.pk):
            raise IncidentError(_("Only the watch adds follow-up and final reports."))
    elif kind == E.INSTRUCTION:
        if not may_acknowledge(user, incident):
            raise IncidentError(_("Only a leader who was told of the incident gives instructions."))
    else:
        raise IncidentError(_("Choose what to add."))
    entry = IncidentEntry.objects.create(incident=incident, kind=kind, text=text, by=user, at=now)
    if kind == E.FINAL:
        incident.status = Incident.Status.CLOSED
        incident.save(update_fields=["status"])
    told = list(incident.notices.values_list("user_id", flat=True))
    if kind != E.INSTRUCTION and told:
        notify(
            recipients=told,
            kind="reception.incident",
            subject=f"【{E(kind).label}】{incident.title}",
            subject_en=f"[{kind}] {incident.title}",
            url=incident.get_absolute_url(),
            body=text[:500],
        )
    return entry


def escalation_tick(*, now: datetime | None = None) -> dict[str, int]:
    """Tells the next tier of every open, unacknowledged incident whose tier's minutes passed.
    Rows are claimed with SKIP LOCKED and each (incident, tier) is claimed once, so two ticks at
    once tell each tier exactly once."""
    now = now or timezone.now()
    escalated = 0
    tiers: dict[int, list[IncidentTier]] = {}
    for tier in IncidentTier.objects.order_by("level", "tier"):
        tiers.setdefault(tier.level, []).append(tier)
    with transaction.atomic():
        waiting = list(
            Incident.objects.select_for_update(skip_locked=True).filter(
                status=Incident.Status.OPEN,
                acknowledged_at__isnull=True,
                tier_notified_at__isnull=False,
            )[:500]
        )
        for incident in waiting:
            levels = tiers.get(incident.level, [])
            current = next((t for t in levels if t.tier == incident.tier), None)
            following = next((t for t in levels if t.tier > incident.tier), None)
            if current is None or following is None:
                continue
            if incident.tier_notified_at + timedelta(minutes=current.minutes) > now:
                continue
            if not once(ONCE_KIND, f"{incident.pk}:{following.tier}"):
                continue
            incident.tier, incident.tier_notified_at = following.tier, now
            incident.save(update_fields=["tier", "tier_notified_at"])
            told = _tell(incident, following, now)
            IncidentEntry.objects.create(
                incident=incident, kind=E.ESCALATED, text=_names(told), at=now
            )
            escalated += 1
    return {"escalated": escalated}


def register() -> None:
    register_tick("reception.incidents", escalation_tick)

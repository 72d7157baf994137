"""Emergencies and important incidents (突发事件): the watch reports one, the leader on duty at
the time of the report (the roster's "leader on duty" shift covering it) and the leaders of tier 1
for its kind and level are told at once, on every channel the hall has (in-hall message, e-mail,
the enterprise-chat webhook and WeCom where configured, whatever their preferences say); while
nobody acknowledges it, the next tier is told when the tier before has let its minutes pass (the
level's limit unless the tier gives its own) — each tier exactly once, however many reminder
ticks run at once (``workflows.reminders.once``). Tiers are rows of kind × level × tier in admin;
a row without a kind holds for every kind, and the rows of one tier add up. Follow-up reports
(续报), the leaders' instructions (批示) and the final report (终报) go on one timeline.

Who sees an incident: the duty office (the schedule office and superusers), the people on duty
now, the reporter, and the leaders it was sent to (by foreign key rows); everyone else gets 404.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hall.models import Role, User
from hall.notifications import notify
from reception.duty import on_duty_now
from reception.models import (
    DutyShift,
    Incident,
    IncidentEntry,
    IncidentNotice,
    IncidentTier,
)
from reception.models.incidents import DEFAULT_ACK_MINUTES
from reception.schedules import OFFICE_ROLE, is_office
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


def may_see_register(user: User, moment: datetime | None = None) -> bool:
    """Whether the register of incidents is for this person (the menu's link and the list's
    404): the duty office, the watch now, a reporter or a leader told of one — in one query."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    moment = moment or timezone.now()
    pk = user.pk
    return (
        User.objects.filter(pk=pk)
        .filter(
            Exists(Role.objects.filter(holders=OuterRef("pk"), code=OFFICE_ROLE))
            | Exists(DutyShift.objects.filter(person=pk, starts_at__lte=moment, ends_at__gt=moment))
            | Exists(IncidentNotice.objects.filter(user=pk))
            | Exists(Incident.objects.filter(reporter=pk))
        )
        .exists()
    )


def may_acknowledge(user: User, incident: Incident) -> bool:
    return IncidentNotice.objects.filter(incident=incident, user=user).exists()


def timeline(incident: Incident) -> list[IncidentEntry]:
    return list(incident.entries.select_related("by"))


# --- writes -----------------------------------------------------------------------------------


class Step:
    """One tier of who is told, for one kind and level: the leaders of every matching row."""

    def __init__(self, number: int, minutes: int, leader_ids: list[int]) -> None:
        self.number, self.minutes, self.leader_ids = number, minutes, leader_ids


def steps_for(level: int, kind: str, rows: list[IncidentTier] | None = None) -> list[Step]:
    """The tiers of an incident of this kind and level, in order. ``rows`` (every tier with its
    leaders prefetched) lets the tick read the table once for all incidents."""
    if rows is None:
        rows = list(
            IncidentTier.objects.filter(level=level, kind__in=("", kind)).prefetch_related(
                "leaders"
            )
        )
    merged: dict[int, Step] = {}
    for row in rows:
        if row.level != level or row.kind not in ("", kind):
            continue
        step = merged.setdefault(row.tier, Step(row.tier, 0, []))
        # The strictest limit among the rows of a tier holds.
        step.minutes = min(step.minutes or row.limit, row.limit)
        step.leader_ids += [u.pk for u in row.leaders.all() if u.is_active]
    return [merged[n] for n in sorted(merged)]


def leaders_on_duty(moment: datetime) -> list[int]:
    return list(
        DutyShift.objects.filter(
            post=DutyShift.Post.LEADER, starts_at__lte=moment, ends_at__gt=moment
        ).values_list("person_id", flat=True)
    )


def _tell(
    incident: Incident, tier: int, ids: list[int], now: datetime, on_duty: tuple[int, ...] = ()
) -> list[int]:
    already = set(
        IncidentNotice.objects.filter(incident=incident, user__in=ids).values_list(
            "user_id", flat=True
        )
    )
    new = list(dict.fromkeys(u for u in ids if u not in already))
    IncidentNotice.objects.bulk_create(
        [
            IncidentNotice(
                incident=incident, user_id=u, tier=tier, notified_at=now, on_duty=u in on_duty
            )
            for u in new
        ]
    )
    level = incident.get_level_display()
    notify(
        recipients=new,
        kind="reception.incident",
        subject=f"【突发事件】{incident.title}（{level}）{incident.place}",
        subject_en=f"[Incident] {incident.title} ({level}), {incident.place}",
        url=incident.get_absolute_url(),
        body=incident.description[:500],
        every_channel=True,
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
    """The watch reports an incident; the leader on duty and tier 1 of its kind and level are
    told at once."""
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
    steps = steps_for(level, kind)
    duty = leaders_on_duty(now)
    first = steps[0] if steps else Step(1, DEFAULT_ACK_MINUTES[level], [])
    if not (duty or first.leader_ids):
        raise IncidentError(
            _(
                "Nobody leads the watch now and no leaders are set up for this level; "
                "ask the office."
            )
        )
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
        tier=first.number,
        tier_notified_at=now,
    )
    IncidentEntry.objects.create(
        incident=incident, kind=E.REPORT, text=description, by=user, at=now
    )
    once(ONCE_KIND, f"{incident.pk}:{first.number}")
    told = _tell(incident, first.number, [*duty, *first.leader_ids], now, on_duty=tuple(duty))
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
            every_channel=True,
        )
    return entry


def escalation_tick(*, now: datetime | None = None) -> dict[str, int]:
    """Tells the next tier of every open, unacknowledged incident whose tier's minutes passed.
    Rows are claimed with SKIP LOCKED and each (incident, tier) is claimed once, so two ticks at
    once tell each tier exactly once."""
    now = now or timezone.now()
    escalated = 0
    rows = list(IncidentTier.objects.prefetch_related("leaders"))
    with transaction.atomic():
        waiting = list(
            Incident.objects.select_for_update(skip_locked=True).filter(
                status=Incident.Status.OPEN,
                acknowledged_at__isnull=True,
                tier_notified_at__isnull=False,
            )[:500]
        )
        for incident in waiting:
            steps = steps_for(incident.level, incident.kind, rows)
            current = next((t for t in steps if t.number == incident.tier), None)
            following = next((t for t in steps if t.number > incident.tier), None)
            if following is None:
                continue
            # Only the leader on duty was told (no tier 1 row): the level's limit holds.
            minutes = current.minutes if current else DEFAULT_ACK_MINUTES[incident.level]
            if incident.tier_notified_at + timedelta(minutes=minutes) > now:
                continue
            if not once(ONCE_KIND, f"{incident.pk}:{following.number}"):
                continue
            incident.tier, incident.tier_notified_at = following.number, now
            incident.save(update_fields=["tier", "tier_notified_at"])
            told = _tell(incident, following.number, following.leader_ids, now)
            IncidentEntry.objects.create(
                incident=incident, kind=E.ESCALATED, text=_names(told), at=now
            )
            escalated += 1
    return {"escalated": escalated}


def register() -> None:
    register_tick("reception.incidents", escalation_tick)

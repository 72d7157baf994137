"""Coordination of disputes between offices (协调): the office opens a case between two or more
units with a coordinator; the parties state their positions, the coordinator records meetings
and opinions and proposes a solution; the leader decides through a catalogue chain (internal
service ``performance-coordination``); the decision becomes a supervision item, led by the first
party with the others as co-units, whose source is the case (``performance.coordination:<pk>``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hall.calendar import add_working_days
from hall.models import Department, Identity, Notification, ServiceField, ServiceStep, User
from hall.notifications import notify
from performance import services as supervision
from performance.models import Coordination, CoordinationNote, SourceKind
from performance.services import OFFICE_ROLE, SupervisionError, is_office, staff_units
from workflows import handoffs
from workflows.models import ServiceRequest
from workflows.reminders import once

SERVICE = "performance-coordination"
ITEM_DAYS = 15


class CoordinationError(SupervisionError):
    pass


def visible_cases(user: User) -> QuerySet[Coordination]:
    """The office sees every case; the coordinator, the deciding leader and the parties' staff
    theirs; everyone else none."""
    if not user.is_authenticated:
        return Coordination.objects.none()
    if is_office(user):
        return Coordination.objects.all()
    units = staff_units(user).values("pk")
    return Coordination.objects.filter(
        Q(coordinator=user)
        | Q(leader=user)
        | Q(
            pk__in=Coordination.parties.through.objects.filter(department_id__in=units).values(
                "coordination_id"
            )
        )
    )


def case_for(user: User, pk: int) -> Coordination | None:
    return visible_cases(user).filter(pk=pk).first()


def may_coordinate(user: User, case: Coordination) -> bool:
    return case.coordinator_id == user.pk or is_office(user)


def party_of(user: User, case: Coordination) -> Department | None:
    """The party a person speaks for (the first of theirs, by code)."""
    return case.parties.filter(pk__in=staff_units(user).values("pk")).order_by("code").first()


def _text(value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise CoordinationError(message)
    return value


@transaction.atomic
def case_open(
    *,
    user: User,
    title: str,
    matter: str,
    parties: list[Department],
    coordinator: User,
    leader: User,
    positions_due: datetime | None = None,
    lead_party: Department | None = None,
    now: datetime | None = None,
) -> Coordination:
    """Opens a case; ``lead_party`` (else the first party) will lead the supervision item the
    decision becomes; with ``positions_due`` the parties are reminded before it (the tick)."""
    if not is_office(user):
        raise CoordinationError(_("Only the office opens a coordination case."))
    title = _text(title, _("Give the case a title."))
    matter = _text(matter, _("Say what the units disagree about."))
    if len({p.pk for p in parties}) < 2:
        raise CoordinationError(_("A dispute has at least two parties."))
    lead_party = lead_party or parties[0]
    if lead_party.pk not in {p.pk for p in parties}:
        raise CoordinationError(_("The lead party is one of the parties."))
    now = now or timezone.now()
    if positions_due is not None and positions_due <= now:
        raise CoordinationError(_("The positions are due after today."))
    case = Coordination.objects.create(
        title=title[:200],
        matter=matter[:10000],
        coordinator=coordinator,
        leader=leader,
        created_by=user,
        positions_due=positions_due,
        lead_party=lead_party,
        remind_at=now if positions_due else None,
    )
    case.parties.set(parties)
    return case


@transaction.atomic
def meeting_schedule(
    *, user: User, case_id: int, at: datetime, place: str = "", now: datetime | None = None
) -> Coordination:
    """The coordinator calls the parties to a coordination meeting; they are reminded before it."""
    case = _locked(case_id)
    if not may_coordinate(user, case):
        raise CoordinationError(_("Only the coordinator calls a coordination meeting."))
    if case.status != Coordination.Status.OPEN:
        raise CoordinationError(_("The case is no longer being coordinated."))
    now = now or timezone.now()
    if at is None or at <= now:
        raise CoordinationError(_("A coordination meeting is called for a time to come."))
    case.meeting_at, case.meeting_place = at, (place or "").strip()[:200]
    case.remind_at = now
    case.save(update_fields=["meeting_at", "meeting_place", "remind_at"])
    notify(
        recipients=party_people(case),
        kind=Notification.Kind.TASK_ARRIVED,
        subject=f"协调会：{case.title}（{timezone.localtime(at):%Y-%m-%d %H:%M}）",
        subject_en=f"Coordination meeting: {case.title} ({timezone.localtime(at):%Y-%m-%d %H:%M})",
        url=case.get_absolute_url(),
        body=case.meeting_place,
    )
    return case


def _locked(case_id: int) -> Coordination:
    return Coordination.objects.select_for_update().get(pk=case_id)


@transaction.atomic
def note_add(*, user: User, case_id: int, kind: str, text: str) -> CoordinationNote:
    """A party states its position; the coordinator records a meeting or an opinion."""
    case = _locked(case_id)
    if case.status != Coordination.Status.OPEN:
        raise CoordinationError(_("The case is no longer being coordinated."))
    text = _text(text, _("Write the text."))
    unit = None
    if kind == CoordinationNote.Kind.POSITION:
        unit = party_of(user, case)
        if unit is None:
            raise CoordinationError(_("Only a party states a position."))
    elif kind in (CoordinationNote.Kind.MEETING, CoordinationNote.Kind.OPINION):
        if not may_coordinate(user, case):
            raise CoordinationError(_("Only the coordinator records meetings and opinions."))
    else:
        raise CoordinationError(_("Choose what you are recording."))
    return CoordinationNote.objects.create(
        case=case, kind=kind, unit=unit, author=user, text=text[:10000]
    )


@transaction.atomic
def proposal_set(*, user: User, case_id: int, text: str) -> Coordination:
    case = _locked(case_id)
    if not may_coordinate(user, case):
        raise CoordinationError(_("Only the coordinator proposes the solution."))
    if case.status != Coordination.Status.OPEN:
        raise CoordinationError(_("The case is no longer being coordinated."))
    case.proposal = _text(text, _("Write the proposed solution."))[:10000]
    case.save(update_fields=["proposal"])
    return case


FIELDS = [
    ("case", "协调编号", "Case", ServiceField.Type.TEXT),
    ("title", "协调事项", "Matter", ServiceField.Type.TEXT),
    ("proposal", "拟办意见", "Proposed solution", ServiceField.Type.LONG_TEXT),
    ("leader", "决定领导", "Leader who decides", ServiceField.Type.TEXT),
]


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _ref_id(value) -> int | None:
    """A request's reference to a case: {id, name, url}, or its number in older requests."""
    return _int(value.get("id") if isinstance(value, dict) else value)


def form_data(user: User, post: dict) -> dict:
    case = Coordination.objects.filter(pk=_ref_id(post.get("case"))).first()
    if case is None or not may_coordinate(user, case):
        raise handoffs.HandoffError(_("No such coordination case."))
    if case.status != Coordination.Status.OPEN:
        raise handoffs.HandoffError(_("The case is no longer being coordinated."))
    if not case.proposal.strip():
        raise handoffs.HandoffError(_("Propose a solution before sending the case to the leader."))
    # The case and the leader as {id, name}: the task page shows the case's title linking to
    # its page and the leader's name (not their numbers); the chain's FORM_FIELD step reads the id.
    return {
        "case": {"id": case.pk, "name": case.title, "url": case.get_absolute_url()},
        "title": case.title,
        "proposal": case.proposal[:4000],
        "leader": {"id": case.leader_id, "name": str(case.leader)},
    }


def service():
    from hall.models import Service

    found = Service.objects.filter(code=SERVICE).first()
    if found is not None:
        return found
    office = Department.objects.filter(roles__code=OFFICE_ROLE).order_by("pk").first()
    office = office or Department.objects.order_by("pk").first()
    found = handoffs.internal_service(SERVICE, department=office)
    ServiceStep.objects.filter(service=found).update(
        rule=ServiceStep.Rule.FORM_FIELD, field_key="leader"
    )
    return found


@transaction.atomic
def case_submit(*, user: User, case_id: int) -> Coordination:
    case = _locked(case_id)
    handoffs.start_chain(
        service=service,
        applicant=user,
        form_data=lambda: form_data(user, {"case": str(case.pk)}),
        refusal=CoordinationError,
    )
    case.refresh_from_db()
    return case


def _of(request: ServiceRequest) -> Coordination | None:
    return (
        Coordination.objects.select_for_update()
        .filter(pk=_ref_id(request.form_data.get("case")))
        .first()
    )


def chain_submitted(request: ServiceRequest) -> None:
    case = _of(request)
    if case is None or case.status != Coordination.Status.OPEN:
        raise CoordinationError(_("The case is no longer being coordinated."))
    now = timezone.now()
    case.status, case.request = Coordination.Status.SUBMITTED, request
    case.submitted_at, case.remind_at = now, now
    case.save(update_fields=["status", "request", "submitted_at", "remind_at"])


def chain_approved(request: ServiceRequest) -> None:
    """The leader's decision is the proposal as approved (with the leader's comment); it
    becomes a supervision item for the parties."""
    from workflows.models import ApprovalRecord

    case = _of(request)
    if case is None or case.status != Coordination.Status.SUBMITTED:
        return
    comment = (
        ApprovalRecord.objects.filter(request=request)
        .order_by("-created_at", "-pk")
        .values_list("comment", flat=True)
        .first()
    )
    case.decision = case.proposal + (f"\n领导意见：{comment}" if comment else "")
    # The lead party leads (cases opened before it was kept: the first party linked); the
    # others are co-units.
    links = Coordination.parties.through.objects.filter(coordination=case).order_by("pk")
    parties = [link.department for link in links.select_related("department")]
    if case.lead_party_id is not None:
        parties.sort(key=lambda d: d.pk != case.lead_party_id)
    item = supervision.item_create(
        user=case.created_by,
        title=f"落实协调决定：{case.title}"[:200],
        source=supervision.Source(
            kind=SourceKind.ASSIGNED,
            ref=f"performance.coordination:{case.pk}",
            title=case.title,
            url=case.get_absolute_url(),
        ),
        criteria=case.proposal[:2000],
        requirement=case.decision,
        leader=case.leader,
        lead_unit=parties[0],
        co_units=parties[1:],
        days=ITEM_DAYS,
    )
    case.status, case.item = Coordination.Status.DECIDED, item
    case.remind_at = None
    case.save(update_fields=["status", "decision", "item", "remind_at"])


def chain_ended(request: ServiceRequest, rejected: bool) -> None:
    case = _of(request)
    if case is None or case.status != Coordination.Status.SUBMITTED:
        return
    case.status = Coordination.Status.OPEN
    case.remind_at = timezone.now()
    case.save(update_fields=["status", "remind_at"])


HANDOFF = handoffs.Handoff(
    submitted=chain_submitted,
    approved=chain_approved,
    ended=chain_ended,
    required_fields=("case", "leader"),
    refusals=(SupervisionError,),
    form_data=form_data,
    default_service={
        "name_zh": "部门争议协调决定",
        "name_en": "Decision on a dispute between offices",
        "time_limit_days": 5,
        "fields": FIELDS,
        "steps": [("领导决定", "The leader decides", ServiceStep.Rule.APPLICANT_HEAD)],
    },
)


# --- the tick: reminders before the positions are due and the meeting, and to the leader ------


def party_people(case: Coordination, units: list[int] | None = None) -> list[int]:
    """Who hears for the parties (or the given ones of them): their heads, else their staff."""
    ids = units if units is not None else list(case.parties.values_list("pk", flat=True))
    heads = set(
        User.objects.filter(headed_departments__in=ids, is_active=True).values_list("pk", flat=True)
    )
    headed = set(
        Department.objects.filter(pk__in=ids, heads__isnull=False).values_list("pk", flat=True)
    )
    rest = [pk for pk in ids if pk not in headed]
    staff = set(
        User.objects.filter(department_id__in=rest, identity=Identity.STAFF, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:50]
    )
    return sorted(heads | staff)


def _tell(case: Coordination, recipients: list[int], zh: str, en: str, body: str = "") -> None:
    notify(
        recipients=recipients,
        kind=Notification.Kind.REMINDER,
        subject=f"{zh}：{case.title}",
        subject_en=f"{en}: {case.title}",
        url=case.get_absolute_url(),
        body=body,
    )


def decision_pending_moment(case: Coordination) -> datetime:
    """When a decision has waited too long: the start of the N-th working day after sending."""
    day = add_working_days(case.submitted_at, settings.HALL_COORDINATION_DECIDE_DAYS)
    return day.replace(hour=0, minute=0)


def _tick_case(case: Coordination, now: datetime, lead: timedelta, sent: dict) -> None:
    moments = []
    if case.status == Coordination.Status.OPEN:
        if case.positions_due is not None:
            if case.positions_due - lead <= now < case.positions_due:
                if once("coordination.positions", f"{case.pk}:{case.positions_due.isoformat()}"):
                    stated = set(
                        case.notes.filter(kind=CoordinationNote.Kind.POSITION).values_list(
                            "unit_id", flat=True
                        )
                    )
                    missing = [
                        pk for pk in case.parties.values_list("pk", flat=True) if pk not in stated
                    ]
                    if missing:
                        due = f"{timezone.localtime(case.positions_due):%Y-%m-%d %H:%M}"
                        people = party_people(case, missing)
                        _tell(case, people, "请提交协调意见", "Your position is due", due)
                        sent["positions"] += 1
            elif case.positions_due - lead > now:
                moments.append(case.positions_due - lead)
        if case.meeting_at is not None:
            if case.meeting_at - lead <= now < case.meeting_at:
                if once("coordination.meeting", f"{case.pk}:{case.meeting_at.isoformat()}"):
                    at = f"{timezone.localtime(case.meeting_at):%Y-%m-%d %H:%M}"
                    people = [*party_people(case), case.coordinator_id]
                    where = f"{at} {case.meeting_place}".strip()
                    _tell(case, people, "协调会临近", "Coordination meeting soon", where)
                    sent["meeting"] += 1
            elif case.meeting_at - lead > now:
                moments.append(case.meeting_at - lead)
    elif case.status == Coordination.Status.SUBMITTED and case.submitted_at is not None:
        pending = decision_pending_moment(case)
        if now >= pending:
            if once("coordination.pending", f"{case.pk}:{case.submitted_at.isoformat()}"):
                proposal = case.proposal[:500]
                _tell(case, [case.leader_id], "协调事项待决定", "Waiting for a decision", proposal)
                sent["pending"] += 1
        else:
            moments.append(pending)
    case.remind_at = min(moments) if moments else None


def coordination_tick(*, now: datetime | None = None) -> dict[str, int]:
    """Claims the cases whose next moment has come (FOR UPDATE SKIP LOCKED: ticks at once split
    the work), reminds once per moment (``once``) and schedules the next."""
    now = now or timezone.now()
    lead = timedelta(days=settings.HALL_REMIND_BEFORE_DAYS)
    sent = {"positions": 0, "meeting": 0, "pending": 0}
    with transaction.atomic():
        due = list(
            Coordination.objects.select_for_update(skip_locked=True)
            .filter(remind_at__lte=now)
            .order_by("remind_at")[: supervision.BATCH]
        )
        for case in due:
            _tick_case(case, now, lead, sent)
            case.save(update_fields=["remind_at"])
    return sent


def register_all() -> None:
    from workflows.reminders import register_tick

    handoffs.register(SERVICE, HANDOFF)
    register_tick("coordination", coordination_tick)

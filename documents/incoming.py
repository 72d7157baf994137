"""Writes for incoming documents (收文): 签收 → 登记 → 初审 → 拟办 → 批示 → 承办 → 传阅 / 催阅 →
催办 → 办结, and the reply (批复) to a request for instructions (请示).

Who does what: the receiving department's clerks (its registrar, admin or clerk roles, else its
heads) sign for, register, check, propose, assign, circulate and close; a leader (a "leader"
role) gives instructions; the lead unit's people may close what they handle; each reader marks
their own circulation read.
"""

from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from documents.models import (
    Circulation,
    Dispatch,
    DocType,
    Incoming,
    IncomingCounter,
    Instruction,
    Outgoing,
)
from documents.services import RECEIVING_ROLES, DocumentError, document_save, receivers
from hall.calendar import add_working_days
from hall.models import Role, User
from hall.notifications import notify
from workflows.reminders import once

Status = Incoming.Status


def is_clerk(user: User, department_id: int) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if Role.objects.filter(
        holders=user, department_id=department_id, code__in=RECEIVING_ROLES
    ).exists():
        return True
    return user.headed_departments.filter(pk=department_id).exists()


def is_leader(user: User) -> bool:
    return user.is_authenticated and (
        user.is_superuser or Role.objects.filter(holders=user, code="leader").exists()
    )


def _locked(incoming_id: int) -> Incoming:
    return Incoming.objects.select_for_update(of=("self",)).get(pk=incoming_id)


def _check_clerk(user: User, incoming: Incoming) -> None:
    if not is_clerk(user, incoming.department_id):
        raise DocumentError(_("Only the receiving department's clerks handle this document."))


def _check_status(incoming: Incoming, *allowed: str) -> None:
    if incoming.status not in allowed:
        raise DocumentError(
            _("This document is %(status)s; that cannot be done now.")
            % {"status": incoming.get_status_display()}
        )


@transaction.atomic
def incoming_receive(*, user: User, department_id: int, data: dict) -> Incoming:
    """Signs for what arrived from outside: a file, a call (with its note) or a fax (a scan)."""
    if not is_clerk(user, department_id):
        raise DocumentError(_("Only the receiving department's clerks handle this document."))
    if not (data.get("title") or "").strip() or not (data.get("sender") or "").strip():
        raise DocumentError(_("Name the sender and the title of what arrived."))
    if data.get("source") == Incoming.Source.CALL and not (data.get("note") or "").strip():
        raise DocumentError(_("Write the call note: who called and what was said."))
    if data.get("source") == Incoming.Source.FAX and not data.get("file"):
        raise DocumentError(_("Attach the scan of the fax."))
    incoming = Incoming(
        department_id=department_id,
        source=data.get("source") or Incoming.Source.FILE,
        sender=data["sender"].strip()[:200],
        sender_number=(data.get("sender_number") or "")[:60],
        title=data["title"].strip()[:200],
        note=data.get("note") or "",
        is_request=bool(data.get("is_request")),
        urgency=data.get("urgency") or "",
        received_at=timezone.now(),
        received_by=user,
    )
    if data.get("file"):
        incoming.file = data["file"]
    incoming.save()
    return incoming


def receive_dispatch(*, dispatch: Dispatch, user: User) -> Incoming:
    """The incoming document made when a department signs for a dispatch inside the hall."""
    document = dispatch.document
    return Incoming.objects.create(
        department_id=dispatch.department_id,
        source=Incoming.Source.HALL,
        sender=document.authority.name_zh,
        sender_number=document.number or "",
        title=document.title,
        note=document.body,
        is_request=document.doc_type == DocType.REQUEST,
        urgency=document.urgency,
        dispatch=dispatch,
        received_at=dispatch.signed_at or timezone.now(),
        received_by=user,
    )


@transaction.atomic
def incoming_register(*, incoming_id: int, user: User) -> Incoming:
    """Gives the incoming number of its department and year, gap-free under the counter's lock."""
    incoming = _locked(incoming_id)
    _check_clerk(user, incoming)
    if incoming.seq:
        raise DocumentError(
            _("This document already has its number %(number)s.") % {"number": incoming.number}
        )
    _check_status(incoming, Status.RECEIVED)
    year = timezone.localdate().year
    IncomingCounter.objects.bulk_create(
        [IncomingCounter(department_id=incoming.department_id, year=year)], ignore_conflicts=True
    )
    counter = IncomingCounter.objects.select_for_update().get(
        department_id=incoming.department_id, year=year
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    incoming.year, incoming.seq, incoming.status = year, counter.last, Status.REGISTERED
    incoming.save(update_fields=["year", "seq", "status", "updated_at"])
    return incoming


@transaction.atomic
def incoming_check(*, incoming_id: int, user: User, complies: bool, reason: str = "") -> Incoming:
    """初审: a document that does not comply goes back to its sender with the reasons."""
    incoming = _locked(incoming_id)
    _check_clerk(user, incoming)
    _check_status(incoming, Status.REGISTERED)
    if complies:
        incoming.status = Status.REVIEWED
    else:
        reason = (reason or "").strip()
        if not reason:
            raise DocumentError(_("Give the reasons for returning it to the sender."))
        incoming.status, incoming.return_reason = Status.RETURNED, reason[:300]
        sent_by = incoming.dispatch.sent_by_id if incoming.dispatch_id else None
        if sent_by:
            notify(
                recipients=[sent_by],
                kind="returned",
                subject=f"来文被退回：{incoming.title}",
                subject_en=f"Your document was returned: {incoming.title}",
                url=reverse("documents:detail", args=[incoming.dispatch.document_id]),
                body=incoming.return_reason,
            )
    incoming.save(update_fields=["status", "return_reason", "updated_at"])
    return incoming


@transaction.atomic
def incoming_propose(*, incoming_id: int, user: User, proposal: str, leader: User) -> Incoming:
    """拟办: the office proposes the handling and names the leader who instructs."""
    incoming = _locked(incoming_id)
    _check_clerk(user, incoming)
    _check_status(incoming, Status.REVIEWED)
    if not (proposal or "").strip():
        raise DocumentError(_("Write the proposed handling."))
    if leader is None or not is_leader(leader):
        raise DocumentError(_("Name a leader to give the instruction."))
    incoming.proposal, incoming.proposed_by, incoming.leader = proposal.strip(), user, leader
    incoming.status = Status.PROPOSED
    incoming.save(update_fields=["proposal", "proposed_by", "leader", "status", "updated_at"])
    notify(
        recipients=[leader],
        kind="task_arrived",
        subject=f"请批示：{incoming.title}",
        subject_en=f"For your instruction: {incoming.title}",
        url=incoming.get_absolute_url(),
    )
    return incoming


@transaction.atomic
def instruction_give(*, incoming_id: int, user: User, text: str) -> Instruction:
    """批示: a leader's instruction, kept as its own row (supervision follows it up later)."""
    incoming = _locked(incoming_id)
    if not is_leader(user):
        raise DocumentError(_("Only a leader gives instructions."))
    _check_status(incoming, Status.PROPOSED, Status.INSTRUCTED, Status.HANDLING)
    if not (text or "").strip():
        raise DocumentError(_("Write the instruction."))
    instruction = Instruction.objects.create(incoming=incoming, leader=user, text=text.strip())
    if incoming.status == Status.PROPOSED:
        incoming.status = Status.INSTRUCTED
        incoming.save(update_fields=["status", "updated_at"])
    return instruction


@transaction.atomic
def incoming_assign(*, incoming_id: int, user: User, lead_unit, co_units=(), days: int) -> Incoming:
    """承办: a lead unit and co-units, with a time limit in working days."""
    incoming = _locked(incoming_id)
    _check_clerk(user, incoming)
    _check_status(incoming, Status.INSTRUCTED)
    if lead_unit is None:
        raise DocumentError(_("Name the lead unit."))
    if days is None or days < 1:
        raise DocumentError(_("Give the time limit in working days (at least 1)."))
    incoming.lead_unit = lead_unit
    incoming.due_date = timezone.localdate(add_working_days(timezone.now(), days))
    incoming.status = Status.HANDLING
    incoming.save(update_fields=["lead_unit", "due_date", "status", "updated_at"])
    incoming.co_units.set([u for u in co_units if u.pk != lead_unit.pk])
    for unit in [lead_unit, *incoming.co_units.all()]:
        notify(
            recipients=receivers(unit.pk),
            kind="task_arrived",
            subject=f"请承办：{incoming.title}（{incoming.due_date:%Y-%m-%d}前）",
            subject_en=f"To handle: {incoming.title} (by {incoming.due_date:%Y-%m-%d})",
            url=incoming.get_absolute_url(),
        )
    return incoming


# Unread readers are reminded (催阅) once a working day after the circulation was sent.
READ_REMINDER_DAYS = 1


@transaction.atomic
def circulation_send(
    *, incoming_id: int, user: User, readers: list[User], purpose: str = ""
) -> list[Circulation]:
    """传阅: sends the document round named readers, each with the purpose."""
    incoming = _locked(incoming_id)
    _check_clerk(user, incoming)
    _check_status(incoming, Status.REVIEWED, Status.PROPOSED, Status.INSTRUCTED, Status.HANDLING)
    if not readers:
        raise DocumentError(_("Name at least one reader."))
    have = set(incoming.circulations.values_list("reader_id", flat=True))
    now = timezone.now()
    remind = add_working_days(now, READ_REMINDER_DAYS)
    made = Circulation.objects.bulk_create(
        [
            Circulation(
                incoming=incoming,
                reader=r,
                purpose=(purpose or "")[:200],
                sent_by=user,
                sent_at=now,
                remind_at=remind,
            )
            for r in readers
            if r.pk not in have
        ]
    )
    if made:
        notify(
            recipients=[c.reader_id for c in made],
            kind="cc",
            subject=f"请阅：{incoming.title}",
            subject_en=f"Please read: {incoming.title}",
            url=incoming.get_absolute_url(),
            body=purpose or "",
        )
    return made


@transaction.atomic
def circulation_read(*, incoming_id: int, user: User) -> Circulation:
    circulation = (
        Circulation.objects.select_for_update().filter(incoming_id=incoming_id, reader=user).first()
    )
    if circulation is None:
        raise DocumentError(_("This document was not sent round to you."))
    if circulation.read_at is None:
        circulation.read_at, circulation.remind_at = timezone.now(), None
        circulation.save(update_fields=["read_at", "remind_at"])
    return circulation


@transaction.atomic
def circulation_chase(*, incoming_id: int, user: User) -> int:
    """催阅: the sender asks for a reminder to every unread reader now; the tick sends it once."""
    incoming = _locked(incoming_id)
    _check_clerk(user, incoming)
    return Circulation.objects.filter(incoming=incoming, read_at__isnull=True).update(
        remind_at=timezone.now()
    )


@transaction.atomic
def incoming_finish(*, incoming_id: int, user: User, answer: str) -> Incoming:
    """办结 with the answer, by the clerks or by the lead unit's people."""
    incoming = _locked(incoming_id)
    if not (
        is_clerk(user, incoming.department_id)
        or (incoming.lead_unit_id and user.department_id == incoming.lead_unit_id)
    ):
        raise DocumentError(_("Only the clerks or the lead unit close this document."))
    _check_status(incoming, Status.HANDLING)
    if not (answer or "").strip():
        raise DocumentError(_("Write the answer: how it was handled."))
    incoming.answer, incoming.done_at, incoming.status = answer.strip(), timezone.now(), Status.DONE
    incoming.save(update_fields=["answer", "done_at", "status", "updated_at"])
    from documents.tasks import file_incoming

    transaction.on_commit(lambda pk=incoming.pk: file_incoming.delay(pk))
    return incoming


@transaction.atomic
def reply_draft(*, incoming_id: int, user: User, authority) -> Outgoing:
    """Starts the reply (批复) to a request for instructions as an outgoing draft, linked to it."""
    incoming = Incoming.objects.select_related("dispatch__document__department").get(pk=incoming_id)
    if not incoming.is_request:
        raise DocumentError(_("Only a request for instructions is answered by a reply."))
    if not is_clerk(user, incoming.department_id):
        raise DocumentError(_("Only the receiving department's clerks handle this document."))
    if authority is None:
        raise DocumentError(_("Choose the issuing authority of the reply."))
    asking = incoming.dispatch.document.department if incoming.dispatch_id else None
    document = document_save(
        user=user,
        data={
            "doc_type": DocType.REPLY,
            "authority": authority,
            "title": f"关于{incoming.title.removeprefix('关于').removesuffix('的请示')}的批复",
            "to_departments": [asking] if asking else [],
            "to_others": "" if asking else incoming.sender,
            "body": "",
        },
    )
    document.in_reply_to = incoming
    document.save(update_fields=["in_reply_to"])
    return document


# --- the tick: 催阅 and 催办, exactly once per window ---------------------------------------------


def reminders_tick(*, now: datetime | None = None) -> dict[str, int]:
    """Claims the unread circulations whose reminder is due (FOR UPDATE SKIP LOCKED, so ticks at
    once split them), reminds each reader once per window (the due moment), and schedules the
    next a working day later; then the handling past its time limit, once per due date."""
    now = now or timezone.now()
    sent = {"read": 0, "overdue": 0}
    with transaction.atomic():
        due = list(
            Circulation.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("incoming")
            .filter(read_at__isnull=True, remind_at__lte=now)
            .order_by("remind_at")[:1000]
        )
        for c in due:
            if once("documents.read", f"{c.pk}:{c.remind_at.isoformat()}"):
                notify(
                    recipients=[c.reader_id],
                    kind="reminder",
                    subject=f"催阅：{c.incoming.title}",
                    subject_en=f"Still to read: {c.incoming.title}",
                    url=c.incoming.get_absolute_url(),
                )
                sent["read"] += 1
            c.remind_at = add_working_days(now, READ_REMINDER_DAYS)
            c.save(update_fields=["remind_at"])
        late = (
            Incoming.objects.filter(status=Status.HANDLING, due_date__lt=timezone.localdate(now))
            .exclude(lead_unit=None)
            .only("pk", "title", "lead_unit_id", "due_date")
            .order_by("due_date")[:1000]
        )
        for incoming in late:
            if once("documents.overdue", f"{incoming.pk}:{incoming.due_date.isoformat()}"):
                notify(
                    recipients=receivers(incoming.lead_unit_id),
                    kind="overdue",
                    subject=f"催办：{incoming.title}（已过{incoming.due_date:%Y-%m-%d}）",
                    subject_en=f"Overdue: {incoming.title} (due {incoming.due_date:%Y-%m-%d})",
                    url=incoming.get_absolute_url(),
                )
                sent["overdue"] += 1
    return sent

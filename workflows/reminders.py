"""Deadlines that raise reminders: approaching, overdue, escalation, urgent repeats, nudges.

Due times live in Postgres (never as long ETAs in the broker). A beat tick every minute claims
the open tasks that need attention with FOR UPDATE SKIP LOCKED, so two ticks at once split the
work; a unique reminder log makes each reminder go out exactly once per window.
"""

import logging
import os
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from hall.calendar import add_working_days, is_workday, overrides_between
from hall.models import Department, User
from workflows.models import ApprovalTask, ReminderLog, SentOnce, ServiceRequest, TaskCandidate
from workflows.services import RequestError, request_event

logger = logging.getLogger(__name__)
Kind = ReminderLog.Kind
WORK_START, WORK_END = time(8, 30), time(17, 30)
BATCH = 1000


def working_hours_between(start: datetime, end: datetime) -> float:
    """Hours inside working days' office hours (08:30–17:30) between two moments."""
    if end <= start:
        return 0.0
    tz = timezone.get_current_timezone()
    start, end = start.astimezone(tz), end.astimezone(tz)
    overrides = overrides_between(start.date(), end.date())
    hours, day = 0.0, start.date()
    while day <= end.date():
        if is_workday(day, overrides):
            opens = datetime.combine(day, WORK_START, tz)
            closes = datetime.combine(day, WORK_END, tz)
            overlap = min(closes, end) - max(opens, start)
            hours += max(overlap.total_seconds(), 0) / 3600
        day += timedelta(days=1)
    return hours


def _log_once(task: ApprovalTask, kind: str, window: str, sent_by: User | None = None) -> bool:
    try:
        with transaction.atomic():
            ReminderLog.objects.create(task=task, kind=kind, window=window, sent_by=sent_by)
    except IntegrityError:
        return False
    return True


def _holders(task: ApprovalTask) -> list[int]:
    if task.assignee_id:
        return [task.assignee_id]
    return list(TaskCandidate.objects.filter(task=task).values_list("user_id", flat=True))


def _escalation_targets(task: ApprovalTask) -> list[int]:
    """The head of the step's department: the named department, else the applicant's (or, when
    the head is the one who is late, the level above)."""
    step = task.request.chain[task.step_index]
    department_id = step.get("department_id") or task.request.department_id
    heads = list(User.objects.filter(headed_departments=department_id).values_list("pk", flat=True))
    late = set(_holders(task))
    if set(heads) <= late:
        parent = Department.objects.filter(pk=department_id).values_list("parent", flat=True)
        heads = list(
            User.objects.filter(headed_departments__in=parent).values_list("pk", flat=True)
        )
    if not heads:
        heads = list(
            User.objects.filter(is_superuser=True, is_active=True).values_list("pk", flat=True)[:1]
        )
    return [h for h in heads if h not in late]


def _remind(task: ApprovalTask, kind: str, recipients: list[int]) -> None:
    request_event(request=task.request, kind=kind, recipients=recipients, task=task)


def add_working_hours(start: datetime, hours: float) -> datetime:
    """The moment ``hours`` office hours (08:30–17:30 on working days) after ``start``."""
    tz = timezone.get_current_timezone()
    moment, left = start.astimezone(tz), hours
    overrides = overrides_between(moment.date(), moment.date() + timedelta(days=int(hours) + 60))
    while True:
        day = moment.date()
        if is_workday(day, overrides):
            opens = datetime.combine(day, WORK_START, tz)
            closes = datetime.combine(day, WORK_END, tz)
            begin = max(moment, opens)
            if begin < closes:
                available = (closes - begin).total_seconds() / 3600
                if available >= left:
                    return begin + timedelta(hours=left)
                left -= available
        moment = datetime.combine(day + timedelta(days=1), time(0, 0), tz)


def schedule(*, due_at: datetime | None, created_at: datetime, urgent: bool) -> dict:
    """The first reminder moments of a new task."""
    first = {"remind_at": None, "urgent_at": None}
    if due_at is not None:
        lead = timedelta(days=settings.HALL_REMIND_BEFORE_DAYS)
        first["remind_at"] = max(due_at - lead, created_at)
    if urgent:
        first["urgent_at"] = add_working_hours(created_at, settings.HALL_URGENT_EVERY_HOURS)
    return first


def _escalation_moment(due_at: datetime) -> datetime:
    """The start of the M-th working day after the due day: the task is M working days late."""
    day = add_working_days(due_at, settings.HALL_ESCALATE_AFTER_DAYS)
    return day.replace(hour=0, minute=0)


# Other apps' reminders ride on this one tick (supervision, documents' read and overdue
# reminders): each registers its pass by name from its own AppConfig.ready(), so workflows
# imports none of them. A pass takes ``now`` and returns what it sent, by kind.
_APP_TICKS: dict = {}


def once(kind: str, key: str) -> bool:
    """True the first time (kind, key) is claimed, False ever after, however many ticks run at
    once: the unique row is written in its own savepoint before the reminder goes out."""
    try:
        with transaction.atomic():
            SentOnce.objects.create(kind=kind[:60], key=key[:160])
    except IntegrityError:
        return False
    return True


def once_many(claims: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """``once()`` for a batch: the (kind, key) pairs claimed now, in one INSERT … ON CONFLICT DO
    NOTHING RETURNING a few hundred rows at a time (Postgres and SQLite alike). The rows are
    written in the caller's transaction, with what is sent for them: a tick that fails mid-batch
    rolls back its claims with its messages (nothing lost, nothing sent twice), and a tick at
    once waits on the unique index for the first to commit, then claims nothing."""
    wanted = list(dict.fromkeys((kind[:60], key[:160]) for kind, key in claims))
    if not wanted:
        return set()
    table = connection.ops.quote_name(SentOnce._meta.db_table)
    kind_col, key_col, at_col = (
        connection.ops.quote_name(c) for c in ("kind", "key", "created_at")
    )
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    won: set[tuple[str, str]] = set()
    with connection.cursor() as cursor:
        for start in range(0, len(wanted), 300):
            chunk = wanted[start : start + 300]
            values = ", ".join(["(%s, %s, %s)"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} ({kind_col}, {key_col}, {at_col}) VALUES {values} "  # noqa: S608 — names quoted above, values bound
                f"ON CONFLICT ({kind_col}, {key_col}) DO NOTHING RETURNING {kind_col}, {key_col}",
                [v for kind, key in chunk for v in (kind, key, now)],
            )
            won.update((kind, key) for kind, key in cursor.fetchall())
    return won


def register_tick(name: str, tick) -> None:
    """Adds ``tick(now=...) -> dict[str, int]`` to every reminder tick; again changes nothing."""
    _APP_TICKS[name] = tick


def app_ticks(*, now: datetime | None = None) -> dict[str, int]:
    """Runs every registered pass once; what each sent is keyed ``<name>.<kind>``."""
    sent: dict[str, int] = {}
    for name, tick in sorted(_APP_TICKS.items()):
        for kind, n in tick(now=now).items():
            sent[f"{name}.{kind}"] = n
    return sent


def reminders_tick(*, now: datetime | None = None) -> dict[str, int]:
    """One pass: claims the open tasks whose next reminder is due (FOR UPDATE SKIP LOCKED, so
    ticks running at once split the work), sends it once per window and schedules the next."""
    now = now or timezone.now()
    urgent_hours = settings.HALL_URGENT_EVERY_HOURS
    sent = {kind: 0 for kind in Kind.values}
    with transaction.atomic():
        due = list(
            ApprovalTask.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("request", "request__service")
            .filter(status=ApprovalTask.Status.PENDING, remind_at__lte=now)
            .order_by("remind_at")[:BATCH]
        )
        for task in due:
            running = task.request.status == ServiceRequest.Status.IN_PROGRESS
            window = task.due_at.isoformat() if task.due_at else ""
            if not running or task.due_at is None:
                task.remind_at = None
            elif now < task.due_at:
                if _log_once(task, Kind.APPROACHING, window):
                    _remind(task, "reminder", _holders(task))
                    sent[Kind.APPROACHING] += 1
                task.remind_at = task.due_at
            else:
                if _log_once(task, Kind.OVERDUE, window):
                    _remind(task, "overdue", _holders(task))
                    sent[Kind.OVERDUE] += 1
                escalate_at = _escalation_moment(task.due_at)
                if now < escalate_at:
                    task.remind_at = escalate_at
                else:
                    if _log_once(task, Kind.ESCALATION, window):
                        _remind(task, "escalation", _escalation_targets(task))
                        sent[Kind.ESCALATION] += 1
                    task.remind_at = None
            task.save(update_fields=["remind_at"])
        urgent = list(
            ApprovalTask.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("request", "request__service")
            .filter(status=ApprovalTask.Status.PENDING, urgent_at__lte=now)
            .order_by("urgent_at")[:BATCH]
        )
        for task in urgent:
            if task.request.status != ServiceRequest.Status.IN_PROGRESS:
                task.urgent_at = None
            else:
                rounds = int(working_hours_between(task.created_at, now) // urgent_hours)
                if rounds >= 1 and _log_once(task, Kind.URGENT, str(rounds)):
                    _remind(task, "urgent", _holders(task))
                    sent[Kind.URGENT] += 1
                task.urgent_at = add_working_hours(
                    task.created_at, (max(rounds, 0) + 1) * urgent_hours
                )
            task.save(update_fields=["urgent_at"])
    _render_missing_pdfs(now)
    sent.update(app_ticks(now=now))
    return sent


def _render_missing_pdfs(now: datetime) -> None:
    """Approved requests of the last week whose PDF or archive record a broker outage or a
    dead worker delayed. A PDF queued HALL_PDF_REQUEUE_SECONDS ago and still missing is queued
    again (its task was lost, or its worker died before Redis's visibility timeout hands it
    out again); claiming the row first means two ticks at once queue it once."""
    from archives.models import Record
    from workflows.services import enqueue_pdf, request_file_in_archives

    stale = now - timedelta(seconds=settings.HALL_PDF_REQUEUE_SECONDS)
    recent = ServiceRequest.objects.filter(
        status=ServiceRequest.Status.APPROVED,
        finished_at__lt=stale,
        finished_at__gte=now - timedelta(days=7),
    )
    missing = recent.filter(pdf="").filter(
        Q(pdf_enqueued_at__lt=stale) | Q(pdf_enqueued_at__isnull=True)
    )
    for request_id in missing.values_list("pk", flat=True)[:100]:
        if missing.filter(pk=request_id).update(pdf_enqueued_at=now):
            enqueue_pdf(request_id)
    filed = Record.objects.filter(source_ref__startswith="workflows.request:").values("source_ref")
    unfiled = (
        recent.exclude(pdf="")
        .select_related("service__department", "applicant")
        .annotate(
            ref=Concat(
                Value("workflows.request:"), Cast("pk", CharField()), output_field=CharField()
            )
        )
        .exclude(ref__in=filed)[:100]
    )
    for request in unfiled:
        try:
            request_file_in_archives(request=request)
        except OSError:
            logger.exception("request %s could not be filed: its PDF is unreadable", request.pk)


ORPHAN_AGE = timedelta(hours=1)


def pdf_orphans_sweep(*, now: datetime | None = None) -> list[str]:
    """Reports and removes approval PDFs no request points to, and half-written ``.part``
    files, older than an hour (a worker killed mid-write, a render whose row did not commit).
    Looks at this month's and last month's folders: PDFs are rendered within minutes of the
    approval, and the tick gives up on requests older than a week."""
    from workflows.services import PDF_PART_SUFFIX

    now = now or timezone.now()
    field = ServiceRequest._meta.get_field("pdf")
    storage = field.storage
    today = timezone.localdate(now)
    last_month = today.replace(day=1) - timedelta(days=1)
    old = (now - ORPHAN_AGE).timestamp()
    removed: list[str] = []
    for month in {today.strftime(field.upload_to), last_month.strftime(field.upload_to)}:
        folder = storage.path(month)
        if not os.path.isdir(folder):
            continue
        candidates = []
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_file() and entry.stat().st_mtime < old:
                    candidates.append(f"{month}/{entry.name}")
        for start in range(0, len(candidates), BATCH):
            batch = candidates[start : start + BATCH]
            kept = set(ServiceRequest.objects.filter(pdf__in=batch).values_list("pdf", flat=True))
            for name in batch:
                if name in kept:
                    continue
                if not (name.endswith(".pdf") or name.endswith(PDF_PART_SUFFIX)):
                    continue
                storage.delete(name)
                removed.append(name)
    if removed:
        logger.warning("removed %d orphan PDF file(s): %s", len(removed), ", ".join(removed))
    return removed


@transaction.atomic
def request_nudge(*, request_id: int, user: User) -> int:
    """The applicant's reminder (催办): once per step per working day."""
    request = ServiceRequest.objects.select_for_update().get(pk=request_id)
    if request.applicant_id != user.pk:
        raise RequestError(_("Only the applicant can send a reminder."))
    if request.status != ServiceRequest.Status.IN_PROGRESS:
        raise RequestError(_("This request is not waiting for anyone."))
    today = timezone.localdate()
    if not is_workday(today):
        raise RequestError(_("Reminders can be sent on working days."))
    tasks = list(
        ApprovalTask.objects.filter(
            request=request, step_index=request.current_step, status="pending"
        )
    )
    window = f"{request.current_step}:{today.isoformat()}"
    fresh = [t for t in tasks if _log_once(t, Kind.NUDGE, window, sent_by=user)]
    if not fresh:
        raise RequestError(
            _("You already sent a reminder for this step today; you can send another tomorrow.")
        )
    for task in fresh:
        _remind(task, "nudge", _holders(task))
    return len(fresh)

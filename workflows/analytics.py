"""Numbers for office admins: per service and per step, for a period. Each table is one
grouped query (percentiles in Postgres; the embedded SQLite computes them in Python)."""

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import connection
from django.db.models import Aggregate, Avg, Count, DurationField, F, Q
from django.utils import timezone

from workflows.models import ApprovalRecord, ApprovalTask, Rating, ReminderLog, ServiceRequest


class Percentile(Aggregate):
    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=fraction, **extra)


@dataclass
class Row:
    key: object
    name: str
    count: int = 0
    finished: int = 0
    median: timedelta | None = None
    p90: timedelta | None = None
    on_time: float | None = None
    returns: int = 0
    reminders: int = 0
    rating: float | None = None
    ratings: int = 0
    extra: dict = field(default_factory=dict)


def _pct(values: list[timedelta], fraction: float) -> timedelta | None:
    if not values:
        return None
    ordered = sorted(values)
    index = (len(ordered) - 1) * fraction
    low, high = int(index), min(int(index) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (index - low)


def _durations(queryset, group: str, start: str, end: str) -> dict:
    """{group: (median, p90)} of end - start."""
    lead = F(end) - F(start)
    if connection.vendor == "postgresql":
        rows = (
            queryset.order_by()
            .values(group)
            .annotate(median=Percentile(lead, 0.5), p90=Percentile(lead, 0.9))
        )
        return {r[group]: (r["median"], r["p90"]) for r in rows}
    grouped: dict = {}
    for key, a, b in queryset.order_by().values_list(group, start, end):
        grouped.setdefault(key, []).append(b - a)
    return {k: (_pct(v, 0.5), _pct(v, 0.9)) for k, v in grouped.items()}


def period(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.combine(date_from, datetime.min.time(), tz)
    return start, datetime.combine(date_to, datetime.min.time(), tz) + timedelta(days=1)


def service_table(date_from: date, date_to: date) -> list[Row]:
    start, end = period(date_from, date_to)
    submitted = ServiceRequest.objects.filter(submitted_at__gte=start, submitted_at__lt=end)
    counts = submitted.order_by().values("service_id", "service__name_zh", "service__name_en")
    counts = counts.annotate(
        n=Count("pk"),
        finished=Count("pk", filter=Q(status__in=["approved", "rejected"])),
        on_time=Count(
            "pk",
            filter=Q(status__in=["approved", "rejected"], finished_at__lte=F("promised_at")),
        ),
    )
    finished = submitted.filter(status__in=["approved", "rejected"], finished_at__isnull=False)
    leads = _durations(finished, "service_id", "submitted_at", "finished_at")
    returns = dict(
        ApprovalRecord.objects.filter(action="return", request__in=submitted)
        .order_by()
        .values_list("request__service_id")
        .annotate(n=Count("pk"))
    )
    reminders = dict(
        ReminderLog.objects.filter(task__request__in=submitted)
        .order_by()
        .values_list("task__request__service_id")
        .annotate(n=Count("pk"))
    )
    ratings = {
        r["request__service_id"]: r
        for r in Rating.objects.filter(request__in=submitted)
        .order_by()
        .values("request__service_id")
        .annotate(avg=Avg("score"), n=Count("pk"))
    }
    from django.utils.translation import get_language

    english = (get_language() or "").startswith("en")
    rows = []
    for c in counts:
        key = c["service_id"]
        median, p90 = leads.get(key, (None, None))
        rating = ratings.get(key, {})
        rows.append(
            Row(
                key=key,
                name=(c["service__name_en"] if english else "") or c["service__name_zh"],
                count=c["n"],
                finished=c["finished"],
                median=median,
                p90=p90,
                on_time=(c["on_time"] / c["finished"]) if c["finished"] else None,
                returns=returns.get(key, 0),
                reminders=reminders.get(key, 0),
                rating=rating.get("avg"),
                ratings=rating.get("n", 0),
            )
        )
    return sorted(rows, key=lambda r: (-r.count, r.name))


def step_table(date_from: date, date_to: date, service_id: int | None = None) -> list[Row]:
    start, end = period(date_from, date_to)
    decided = ApprovalTask.objects.filter(
        decided_at__gte=start,
        decided_at__lt=end,
        status__in=["approved", "rejected", "returned"],
    )
    if service_id:
        decided = decided.filter(request__service_id=service_id)
    counts = (
        decided.order_by()
        .values("request__service_id", "step_index")
        .annotate(
            n=Count("pk"),
            on_time=Count("pk", filter=Q(decided_at__lte=F("due_at"))),
            returns=Count("pk", filter=Q(status="returned")),
        )
    )
    from django.db.models import CharField, Value
    from django.db.models.functions import Cast, Concat

    keyed = decided.annotate(
        step_key=Concat(
            Cast("request__service_id", CharField()),
            Value(":"),
            Cast("step_index", CharField()),
            output_field=CharField(),
        )
    )
    leads = _durations(keyed, "step_key", "created_at", "decided_at")
    rows = []
    for c in counts:
        key = f"{c['request__service_id']}:{c['step_index']}"
        median, p90 = leads.get(key, (None, None))
        rows.append(
            Row(
                key=key,
                name=str(c["step_index"] + 1),
                count=c["n"],
                median=median,
                p90=p90,
                on_time=c["on_time"] / c["n"] if c["n"] else None,
                returns=c["returns"],
                extra={"service_id": c["request__service_id"], "step_index": c["step_index"]},
            )
        )
    return sorted(rows, key=lambda r: (r.extra["service_id"], r.extra["step_index"]))


# Fewer finished requests than this say too little about how long the steps take.
PREDICTION_MIN_HISTORY = 5
PREDICTION_HISTORY = 200


@dataclass
class Prediction:
    at: datetime
    based_on: int  # how many finished requests of the service it rests on


def _step_history(service_id: int) -> tuple[int, dict[int, list[timedelta]]]:
    """How long each step of the service's latest finished requests took: (how many requests,
    {step index: durations}). Read at most once per service and 10-minute period (the request
    page's poll renders the likely finish again at most that often, workflows.selectors
    PREDICTION_REFRESH_SECONDS): at scale it is ~1,000 task rows, the most of the page's SQL."""
    from hall import caching
    from workflows.selectors import PREDICTION_REFRESH_SECONDS

    def read() -> tuple[int, dict[int, list[timedelta]]]:
        # The service's latest finished requests (its (service, status) index), then their
        # tasks (the request index): never a scan of every task of every service.
        latest = list(
            ServiceRequest.objects.filter(
                service_id=service_id, status=ServiceRequest.Status.APPROVED
            )
            .order_by("-finished_at")
            .values_list("pk", flat=True)[:PREDICTION_HISTORY]
        )
        history: dict[int, list[timedelta]] = {}
        if len(latest) < PREDICTION_MIN_HISTORY:
            return len(latest), history
        # Unordered: only medians are taken (the default ordering sorted ~800 rows on each page).
        rows = (
            ApprovalTask.objects.filter(
                request__in=latest,
                status__in=["approved", "rejected", "returned"],
                decided_at__isnull=False,
            )
            .order_by()
            .values_list("step_index", "created_at", "decided_at")
        )
        for index, created, decided in rows:
            history.setdefault(index, []).append(decided - created)
        return len(latest), history

    period = int(timezone.now().timestamp()) // PREDICTION_REFRESH_SECONDS
    key = f"workflows:step-history:{service_id}:{period}"
    return caching.read_through(key, read, 2 * PREDICTION_REFRESH_SECONDS)


def predicted_finish(request: ServiceRequest) -> Prediction | None:
    """When the request will likely be finished, from the service's latest approved requests:
    for the open step, how much longer such a step took once it had been open as long as
    this one; for each later step that will run, its median. None without enough history
    (fewer than PREDICTION_MIN_HISTORY requests, or a step ahead that none of them went
    through, or an open step already slower than all of theirs), so a guess from one earlier
    request is never shown; and never earlier than the steps still to do take."""
    from workflows.services import _condition_holds

    if request.status != ServiceRequest.Status.IN_PROGRESS or request.current_step is None:
        return None
    based_on, history = _step_history(request.service_id)
    if based_on < PREDICTION_MIN_HISTORY:
        return None
    now = timezone.now()
    current = request.current_step
    ahead = [
        index
        for index in range(current + 1, len(request.chain))
        if _condition_holds(request.chain[index], request.form_data)
    ]
    if any(not history.get(index) for index in [current, *ahead]):
        return None
    started = request.chain[current].get("started_at")
    open_for = now - datetime.fromisoformat(started) if started else timedelta()
    # Of the past steps that took longer than this one has been open, the median rest. A step
    # already open longer than any of them is beyond what the history can say.
    longer = [d - open_for for d in history[current] if d > open_for]
    if not longer:
        return None
    rest = statistics.median(longer)
    rest += sum((statistics.median(history[index]) for index in ahead), timedelta())
    return Prediction(at=now + rest, based_on=based_on)


def duration_text(value: timedelta | None) -> str:
    """A lead time as people read it: minutes, hours or days."""
    from django.utils.translation import gettext as _

    if value is None:
        return "—"
    hours = value.total_seconds() / 3600
    if hours < 1:
        return _("%(n)d min") % {"n": round(hours * 60)}
    if hours < 48:
        return _("%(n).1f h") % {"n": hours}
    return _("%(n).1f days") % {"n": hours / 24}

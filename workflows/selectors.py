"""Reads of the approval engine. Visibility comes from foreign keys (applicant, task handler,
queue candidate, department admin) so the hot lists stay one indexed query each."""

from collections.abc import Callable
from dataclasses import astuple, dataclass, field
from datetime import datetime
from functools import cache

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import get_language

from hall import caching, compiled
from hall.models import Role, User
from workflows.handoffs import shown_of
from workflows.models import (
    ApprovalRecord,
    ApprovalTask,
    Attachment,
    RequestUserObjectPermission,
    ServiceRequest,
    TaskCandidate,
)

VIEW_PERMISSION = "view_servicerequest"

ADMIN_ROLE = "admin"


def _english() -> bool:
    return (get_language() or "").startswith("en")


def step_name(step: dict) -> str:
    if _english():
        return step.get("name_en") or step.get("name_zh", "")
    return step.get("name_zh") or step.get("name_en", "")


def visible_requests(user: User) -> QuerySet[ServiceRequest]:
    """Requests the user may open: their own, those they act or acted on, their department's
    (for its admins). Everyone else gets nothing, so object pages answer 404."""
    requests = ServiceRequest.objects.all()
    if not user.is_authenticated:
        return requests.none()
    if user.is_superuser:
        return requests
    acted = ApprovalTask.objects.filter(request=OuterRef("pk")).filter(
        Q(assignee=user) | Q(decided_by=user) | Q(on_behalf_of=user)
    )
    queued = TaskCandidate.objects.filter(task__request=OuterRef("pk"), user=user)
    copied = RequestUserObjectPermission.objects.filter(
        content_object=OuterRef("pk"), user=user, permission__codename=VIEW_PERMISSION
    )
    admin_of = Role.objects.filter(holders=user, code=ADMIN_ROLE).values("department_id")
    return requests.filter(
        Q(applicant=user)
        | Exists(acted)
        | Exists(queued)
        | Exists(copied)
        | Q(department__in=admin_of, status__in=[*ServiceRequest.OPEN, *ServiceRequest.FINISHED])
    )


def is_cc(user: User, request: ServiceRequest) -> bool:
    return RequestUserObjectPermission.objects.filter(
        content_object=request, user=user, permission__codename=VIEW_PERMISSION
    ).exists()


class Rows:
    """A list page's rows for ``Paginator``: counted on the filtered table alone (joined only
    where a filter needs it), a page read as ``values(*columns)`` dicts (only what its rows
    show: no model instances, no other column of the joined rows).

    Given ``build``, the filtered queryset is ``build(*shape, **values)`` and a page is read
    through hall.compiled: its SQL compiled once per shape, not on every visit."""

    def __init__(
        self,
        filtered: QuerySet | None,
        columns: tuple[str, ...],
        *,
        count_key: str = "",
        build: Callable[..., QuerySet] | None = None,
        shape: tuple = (),
        values: dict | None = None,
    ) -> None:
        self.columns, self.count_key = columns, count_key
        self.build, self.shape, self.values = build, shape, values or {}
        self._filtered = filtered
        self.ordered = True if build is not None else filtered.ordered

    @property
    def filtered(self) -> QuerySet:
        if self._filtered is None:
            self._filtered = self.build(*self.shape, **self.values)
        return self._filtered

    def count(self) -> int:
        """The rows' count; kept in the cache under ``count_key`` when there is one."""
        if not self.count_key:
            return self.filtered.count()
        return caching.read_through(self.count_key, self.filtered.count, TASK_COUNT_TTL)

    def __getitem__(self, index):
        plain = not isinstance(index, slice) or index.step is not None
        if self.build is None or plain or (index.start or 0) < 0 or (index.stop or 0) < 0:
            return self.filtered.values(*self.columns)[index]
        return compiled.rows(
            self.build, self.shape, fields=self.columns, start=index.start or 0,
            stop=index.stop, **self.values,
        )  # fmt: skip


# The to-do, urgent and done tabs' counts (KEPT_COUNTS), kept per person: a busy approver's
# 1,000 open and 39k decided tasks were a COUNT on every page of them. Every write that moves a
# task into or out of someone's to-do or done tab is in workflows.services and drops the
# counts of the people it touches (task_counts_changed: at once and after commit); the TTL
# bounds what anything else (an admin's edit) or a missed drop costs.
TASK_COUNT_TTL = 120


def _task_count_key(tab: str, user_id: int) -> str:
    return f"workflows:{tab}:{user_id}"


def task_counts_changed(user_ids) -> None:
    """Drops these people's kept to-do, urgent and done counts (a task arrived, was claimed,
    decided, transferred or cancelled)."""
    ids = {pk for pk in user_ids if pk}
    if ids:
        caching.drop([_task_count_key(tab, pk) for pk in ids for tab in KEPT_COUNTS.values()])


# What a row of "copied to me" shows (views.cc_rows).
CC_ROW = (
    "pk",
    "number",
    "status",
    "service__name_zh",
    "service__name_en",
    "applicant__full_name",
    "applicant__username",
)


def cc_requests(user: User) -> Rows:
    """Requests copied to the user: one join on the direct-FK grant table."""
    return Rows(
        ServiceRequest.objects.filter(
            requestuserobjectpermission__user=user,
            requestuserobjectpermission__permission__codename=VIEW_PERMISSION,
        ).order_by("-submitted_at", "-pk"),
        CC_ROW,
    )


def request_for(user: User, request_id: int) -> ServiceRequest | None:
    return (
        visible_requests(user)
        .select_related("service", "service__department", "applicant", "department")
        .filter(pk=request_id)
        .first()
    )


# What a row of my requests shows (views.request_rows).
REQUEST_ROW = (
    "pk",
    "number",
    "status",
    "urgent",
    "created_at",
    "updated_at",
    "submitted_at",
    "current_due",
    "service__name_zh",
    "service__name_en",
)


def my_requests(user: User, *, status: str = "") -> Rows:
    """The person's requests, newest first; a page read through hall.compiled."""
    values = {"user_id": user.pk, **({"status": str(status)} if status else {})}
    return Rows(None, REQUEST_ROW, build=_my_requests, shape=(bool(status),), values=values)


def _my_requests(by_status: bool, *, user_id: int, status: str = "") -> QuerySet[ServiceRequest]:
    requests = ServiceRequest.objects.filter(applicant_id=user_id)
    if by_status:
        requests = requests.filter(status=status)
    return requests.order_by("-created_at", "-pk")


def draft_for(user: User, *, service_id: int, draft_id: int) -> ServiceRequest | None:
    return ServiceRequest.objects.filter(
        pk=draft_id, applicant=user, service_id=service_id, status=ServiceRequest.Status.DRAFT
    ).first()


# Who a page names (str(user): the full name, else the username), and for a step's handler
# also how to reach them: not the other ~20 columns of each person.
_NAMED = ("full_name", "username")
_REACHED = (*_NAMED, "phone", "office")


def trail(request: ServiceRequest) -> QuerySet[ApprovalRecord]:
    """The request's history as the request page and its PDF show it (when, who, for whom,
    what, at which step, the comment)."""
    return (
        request.records.select_related("actor", "on_behalf_of")
        .only(
            "request",  # the related manager sets each row's request: not a query per row
            "created_at",
            "action",
            "step_name",
            "comment",
            *(f"actor__{name}" for name in _NAMED),
            *(f"on_behalf_of__{name}" for name in _NAMED),
        )
        .order_by("created_at", "pk")
    )


def attachments_by_id(request: ServiceRequest) -> dict[int, Attachment]:
    return {a.pk: a for a in request.attachments.all()}


class Linked(str):
    """A shown value that is also a link: a form value ``{"id", "name", "url"}`` another app puts
    in a request (a supervision item) shows its name linking to its own page."""

    url = ""


def _shown(value: dict) -> str:
    shown = Linked(value.get("name", ""))
    url = str(value.get("url") or "")
    if url.startswith("/") and not url.startswith("//"):
        shown.url = url
    return shown


# How a form field kind of an app above workflows shows its stored value on the request page
# (the invoice picker stores the invoice request's id; people read its number): registered
# from that app's ready() beside its field builder, so workflows imports none of it.
FIELD_DISPLAYS: dict[str, Callable[[object], str]] = {}


def register_field_display(kind: str, display: Callable[[object], str]) -> None:
    FIELD_DISPLAYS[kind] = display


def form_rows(request: ServiceRequest) -> list[tuple[str, str, list[Attachment]]]:
    """(label, shown value, attachments) for every field of the request's form, in order. The
    attachments are read only when the form has a file field."""
    has_files = any(spec["field_type"] == "file" for spec in request.service_fields)
    files = attachments_by_id(request) if has_files else {}
    english = _english()
    live = shown_of(request)
    rows = []
    for spec in request.service_fields:
        label = (spec.get("label_en") if english else spec.get("label_zh")) or spec["key"]
        value = request.form_data.get(spec["key"])
        attached: list[Attachment] = []
        if spec["field_type"] == "file":
            attached = [files[i] for i in (value or []) if i in files]
            shown = ""
        elif isinstance(value, dict):
            shown = _shown(value)
        elif isinstance(value, list):
            shown = "、".join(str(v) for v in value)
        else:
            shown = "" if value is None else str(value)
        if spec["field_type"] in ("choice", "multi_choice"):
            labels = {}
            for option in spec.get("options") or []:
                if isinstance(option, list):
                    code, zh = str(option[0]), str(option[1]) if len(option) > 1 else str(option[0])
                    labels[code] = option[2] if english and len(option) > 2 else zh
            picked = value if isinstance(value, list) else [value]
            shown = "、".join(labels.get(str(v), str(v)) for v in picked if v not in (None, ""))
        if spec["field_type"] == "date_range" and isinstance(value, list) and len(value) == 2:
            shown = f"{value[0]} – {value[1]}"
        if spec["field_type"] in FIELD_DISPLAYS and value not in (None, ""):
            shown = FIELD_DISPLAYS[spec["field_type"]](value)
        if spec["key"] in live:
            shown = live[spec["key"]]
        rows.append((label, shown, attached))
    return rows


@dataclass
class StepView:
    index: int
    name: str
    state: str  # pending, active, approved, rejected, returned, skipped
    handlers: list[User] = field(default_factory=list)
    decisions: list[ApprovalTask] = field(default_factory=list)
    due_at: datetime | None = None
    mode: str = "single"


def progress(request: ServiceRequest) -> list[StepView]:
    """The progress bar: every step of the snapshot, who has it now (with phone and office, so
    the applicant knows whom to ask) and what each decider did."""
    tasks = list(
        request.tasks.select_related("assignee", "decided_by")
        .only(
            "request",  # as in trail()
            "step_index",
            "status",
            "decided_at",
            "comment",
            *(f"assignee__{name}" for name in _REACHED),
            *(f"decided_by__{name}" for name in _NAMED),
        )
        .order_by("created_at", "pk")
    )
    waiting_in_queue = [t.pk for t in tasks if t.status == "pending" and t.assignee_id is None]
    candidates = {}
    if waiting_in_queue:
        links = (
            TaskCandidate.objects.filter(task_id__in=waiting_in_queue)
            .select_related("user")
            .only("task_id", *(f"user__{name}" for name in _REACHED))
        )
        for link in links:
            candidates.setdefault(link.task_id, []).append(link.user)
    steps = []
    for index, step in enumerate(request.chain):
        state = step.get("state", "pending")
        mine = [t for t in tasks if t.step_index == index]
        view = StepView(index=index, name=step_name(step), state=state, mode=step["mode"])
        view.decisions = [t for t in mine if t.decided_by_id and t.status != "cancelled"]
        if state == "active":
            view.due_at = request.current_due
            for task in mine:
                if task.status != "pending":
                    continue
                if task.assignee_id:
                    view.handlers.append(task.assignee)
                else:
                    view.handlers.extend(candidates.get(task.pk, []))
        steps.append(view)
    return steps


# --- the approver's inbox --------------------------------------------------------------------

TABS = ("todo", "queue", "done", "cc")


@dataclass
class InboxFilter:
    tab: str = "todo"
    service: str = ""
    urgent: bool = False
    overdue: bool = False
    applicant: str = ""
    date_from: object = None
    date_to: object = None
    q: str = ""


# The tabs whose counts are kept per person (TASK_COUNT_TTL), by the filter that shows them: the
# to-do tab, its urgent tasks (a task is urgent or not from its creation: only what moves a
# task into or out of the to-do tab changes that count) and the done tab, with nothing else set.
KEPT_COUNTS = {
    astuple(InboxFilter(tab="todo")): "todo",
    astuple(InboxFilter(tab="todo", urgent=True)): "urgent",
    astuple(InboxFilter(tab="done")): "done",
}


# What a row of the inbox shows (views.task_rows): ten columns, where the task, its request,
# its service (every guide text, in both languages) and two people read ~130 as instances.
TASK_ROW = (
    "pk",
    "status",
    "urgent",
    "due_at",
    "decided_at",
    "request__number",
    "request__service__name_zh",
    "request__service__name_en",
    "request__applicant__full_name",
    "request__applicant__username",
)


def inbox(user: User, flt: InboxFilter) -> Rows:
    """The tab's tasks, filtered. Its page is read through hall.compiled (the query compiled
    once per tab and set of filters), its count kept per person when no filter is set."""
    values = {"user_id": user.pk}
    if flt.overdue:
        values["now"] = timezone.now()
    for name in ("service", "applicant", "date_from", "date_to", "q"):
        if getattr(flt, name):
            values[name] = getattr(flt, name)
    filters = tuple(sorted(name for name in values if name not in ("user_id", "now")))
    flags = (flt.urgent, flt.overdue)
    kept = KEPT_COUNTS.get(astuple(flt), "")  # to do, its urgent tasks, done: no other filter
    key = _task_count_key(kept, user.pk) if kept else ""
    return Rows(
        None, TASK_ROW, count_key=key, build=_inbox_tasks, shape=(flt.tab, flags, filters),
        values=values,
    )  # fmt: skip


def _inbox_tasks(
    tab: str,
    flags: tuple[bool, bool],
    filters: tuple[str, ...],
    *,
    user_id: int,
    now: datetime | None = None,
    service: str = "",
    applicant: str = "",
    date_from=None,
    date_to=None,
    q: str = "",
) -> QuerySet[ApprovalTask]:
    """An inbox tab's tasks in the tab's order, from its arguments alone (hall.compiled):
    ``flags`` are (urgent only, overdue only), ``filters`` the names of the other filters set."""
    urgent, overdue = flags
    tasks = ApprovalTask.objects.all()
    if tab == "queue":
        tasks = tasks.filter(
            Exists(TaskCandidate.objects.filter(task=OuterRef("pk"), user_id=user_id)),
            status=ApprovalTask.Status.PENDING,
            assignee__isnull=True,
        )
    elif tab == "done":
        # Cancelled tasks are never decided by anyone: decided_by alone finds the done ones, and
        # its index answers the count without reading the table.
        tasks = tasks.filter(decided_by_id=user_id)
    else:
        tasks = tasks.filter(assignee_id=user_id, status=ApprovalTask.Status.PENDING)
    if "service" in filters:
        tasks = tasks.filter(request__service__code=service)
    if urgent:
        tasks = tasks.filter(urgent=True)
    if overdue:
        tasks = tasks.filter(due_at__lt=now, status=ApprovalTask.Status.PENDING)
    if "applicant" in filters:
        tasks = tasks.filter(
            Q(request__applicant__full_name__icontains=applicant)
            | Q(request__applicant__number=applicant)
            | Q(request__applicant__username=applicant)
        )
    if "date_from" in filters:
        tasks = tasks.filter(created_at__date__gte=date_from)
    if "date_to" in filters:
        tasks = tasks.filter(created_at__date__lte=date_to)
    if "q" in filters:
        tasks = tasks.filter(
            Q(request__number__icontains=q)
            | Q(request__service__name_zh__icontains=q)
            | Q(request__service__name_en__icontains=q)
        )
    if tab == "done":
        return tasks.order_by("-decided_at", "-pk")
    return tasks.order_by("-urgent", "due_at", "pk")


_TASK_PAGE = (
    "request",
    "request__service",
    "request__applicant",
    "request__department",
    "assignee",
)


def task_for(user: User, task_id: int, *, page: bool = True) -> ApprovalTask | None:
    """A task its handler, its decider or a queue candidate may open; others get None (404).

    ``page=False`` (a decision posted, answered with a redirect) reads the task with its request
    only: the services read the request again under its row lock, with what they need."""
    if not user.is_authenticated:
        return None
    if page:
        tasks = ApprovalTask.objects.select_related(*_TASK_PAGE)
    else:
        # What a POST reads before the services lock the request: the earlier steps (a return's
        # choices) and who may decide. Not the form, its fields' snapshot or the task's comment.
        tasks = ApprovalTask.objects.select_related("request").only(
            "step_index", "status", "assignee_id", "request__chain", "request__status"
        )
    if not user.is_superuser:
        tasks = tasks.filter(
            Q(assignee=user)
            | Q(decided_by=user)
            | Exists(TaskCandidate.objects.filter(task=OuterRef("pk"), user=user))
        )
    return tasks.filter(pk=task_id).first()


def archived_code(request: ServiceRequest) -> str | None:
    """The archival code an approved request was filed under (None until the filing ran)."""
    from archives.models import Record

    if request.status != ServiceRequest.Status.APPROVED:
        return None
    return (
        Record.objects.filter(source_ref=f"workflows.request:{request.pk}")
        .values_list("code", flat=True)
        .first()
    )


def rating_of(request: ServiceRequest):
    from workflows.models import Rating

    if not request.is_finished:
        return None
    return Rating.objects.filter(request=request).first()


# --- the request page's live poll ------------------------------------------------------------


@cache
def _live_columns() -> tuple[str, ...]:
    """What the request page reads: every column of the request (its form, chain and field
    snapshot included), of its service only the code and name (not its guide texts), of its
    applicant the name."""
    own = tuple(f.name for f in ServiceRequest._meta.concrete_fields)
    return (*own, "service__code", "service__name_zh", "service__name_en", "applicant__full_name",
            "applicant__username")  # fmt: skip


def _latest_record():
    return Subquery(
        ApprovalRecord.objects.filter(request=OuterRef("pk")).order_by("-pk").values("pk")[:1]
    )


def _live_request(*, request_id: int) -> QuerySet[ServiceRequest]:
    """The request page's request (hall.compiled): its columns, its service's code and names,
    its applicant's name, the id of its latest trail entry."""
    return (
        ServiceRequest.objects.select_related("service", "applicant")
        .only(*_live_columns())
        .annotate(last_record_id=_latest_record())
        .filter(pk=request_id)
    )


def _live_head(*, request_id: int) -> QuerySet[ServiceRequest]:
    """What the poll's stamp reads (hall.compiled)."""
    return (
        ServiceRequest.objects.only("id", "applicant_id", "status", "updated_at", "current_due")
        .annotate(last_record_id=_latest_record())
        .filter(pk=request_id)
    )


def _first(found: list):
    """The one row a primary key finds, or None."""
    return found[0] if found else None


def request_for_live(user: User, request_id: int) -> ServiceRequest | None:
    """request_for() plus the id of the request's latest trail entry (``last_record_id``), in
    the same query: with ``updated_at`` it tells whether anything the live part shows moved.
    One query for the applicant; anyone else's right to see it is a second one."""
    found = _first(compiled.rows(_live_request, (), request_id=request_id))
    if found is None or not user.is_authenticated:
        return None
    # The applicant (who polls the page every 10 s) may always see their own request: building
    # visible_requests()'s four subqueries costs about as much Python as the rest of the page,
    # so it is asked only for everyone else, in a second query.
    if found.applicant_id == user.pk or user.is_superuser:
        return found
    return found if visible_requests(user).filter(pk=request_id).exists() else None


def live_head(user: User, request_id: int) -> ServiceRequest | None:
    """What the poll's stamp reads (status, ``updated_at``, the due time, the latest trail
    entry) in one light query: no joins, no visibility subqueries. The applicant (or a
    superuser) may always see it; anyone else only if ``visible_requests`` holds it, asked in
    a second query (``exists``). None when they may not, or there is no such request."""
    if not user.is_authenticated:
        return None
    head = _first(compiled.rows(_live_head, (), request_id=request_id))
    if head is None or head.applicant_id == user.pk or user.is_superuser:
        return head
    return head if visible_requests(user).filter(pk=request_id).exists() else None


# The likely finish (workflows.analytics.predicted_finish) is an estimate read from other
# requests' history: the poll lets it stand up to this long before rendering it again.
PREDICTION_REFRESH_SECONDS = 600


def live_stamp(request: ServiceRequest, user: User, now: datetime) -> str:
    """A stamp of what the live part of the request page shows to this person now, without a
    query: every change of it saves the request (``updated_at``) or writes a trail entry (a
    decision, a claim, a transfer, a comment: ``last_record_id``); the countdown to the step's
    due time is part of it as shown, the likely finish at most every 10 minutes. Not in it:
    a handler's phone or office edited meanwhile (shown on the next change or reload)."""
    import hashlib

    from django.utils.timesince import timesince, timeuntil

    parts = [
        request.pk,
        request.updated_at.isoformat() if request.updated_at else "",
        getattr(request, "last_record_id", None),
        user.pk,
        get_language(),
    ]
    due = request.current_due
    if due is not None:
        parts.append(f"late {timesince(due, now)}" if due < now else f"left {timeuntil(due, now)}")
    if request.status == ServiceRequest.Status.IN_PROGRESS:
        parts.append(int(now.timestamp()) // PREDICTION_REFRESH_SECONDS)
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]

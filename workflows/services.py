"""Writes of the approval engine: submit, decide, return, resubmit, withdraw, transfer, claim.

Every write that touches a running request first locks the request row (SELECT … FOR UPDATE),
then checks, then changes; the viewflow process is moved only from here. Every arrival, return
and completion goes through ``request_event``, the one place messages hook into.
"""

import contextvars
import hashlib
import logging
import os
import tempfile
import uuid
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import F, Q, Subquery
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _

from hall.calendar import add_working_days, working_days_between
from hall.models import Department, Service, ServiceStep, User
from workflows import handoffs, selectors
from workflows.models import (
    ApprovalRecord,
    ApprovalTask,
    Attachment,
    RequestCounter,
    ServiceRequest,
    TaskCandidate,
)

logger = logging.getLogger(__name__)
Status = ServiceRequest.Status
TaskStatus = ApprovalTask.Status
Action = ApprovalRecord.Action
Rule = ServiceStep.Rule
Mode = ServiceStep.Mode


class RequestError(Exception):
    """A refusal with a message for the person who asked."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class AlreadyHandled(RequestError):
    pass


# --- events: the single hook for notifications ----------------------------------------------


def request_event(
    *, request: ServiceRequest, kind: str, recipients, task=None, body: str = ""
) -> None:
    """Every arrival, return, completion, comment and copy passes here and becomes messages
    (in-app, then e-mail and webhook through the outbox), linking to the exact page."""
    from hall.notifications import notify

    url = task.get_absolute_url() if task is not None else request.get_absolute_url()
    number = request.number or ""
    notify(
        recipients=recipients,
        kind=kind,
        subject=f"{request.service.name_zh} {number}".strip(),
        subject_en=f"{request.service.name_en or request.service.name_zh} {number}".strip(),
        url=url,
        body=body,
    )
    logger.debug("request %s: %s", request.pk, kind)


# --- submission ------------------------------------------------------------------------------


def check_may_apply(*, service: Service, user: User) -> None:
    """Refuses someone the service is not for (its audiences, its departments), on every
    write that puts a request before approvers: a draft, a submission, a resubmission."""
    if not service.may_apply(user):
        raise RequestError(
            _("You cannot apply for this service. %(who)s") % {"who": service.who_may_apply()}
        )


def _snapshot_chain(service: Service) -> list[dict]:
    steps = ServiceStep.objects.filter(service=service).order_by("order", "id")
    return [
        {
            "name_zh": s.name_zh,
            "name_en": s.name_en,
            "rule": s.rule,
            "approver_id": s.approver_id,
            "department_id": s.department_id,
            "role_code": s.role_code,
            "field_key": s.field_key,
            "mode": s.mode,
            "quorum": s.quorum,
            "condition_field": s.condition_field,
            "condition_operator": s.condition_operator,
            "condition_value": s.condition_value,
            "time_limit_days": s.time_limit_days,
            "state": "pending",
            "approvers": [],
        }
        for s in steps
    ]


def _snapshot_fields(service: Service) -> list[dict]:
    return list(
        service.fields.order_by("order", "id").values(
            "key", "label_zh", "label_en", "field_type", "options"
        )
    )


def _store_files(*, request: ServiceRequest, files: dict, user: User) -> dict[str, list[int]]:
    """Saves uploaded files; returns {field key: [attachment ids]}."""
    stored: dict[str, list[int]] = {}
    for key, uploads in files.items():
        for upload in uploads:
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
            attachment = Attachment(
                request=request,
                field_key=key,
                name=upload.name[-200:],
                size=upload.size,
                content_type=getattr(upload, "content_type", "") or "",
                sha256=digest.hexdigest(),
                uploaded_by=user,
            )
            attachment.file.save(upload.name, upload, save=False)
            attachment.save()
            stored.setdefault(key, []).append(attachment.pk)
    return stored


def _merge_files(form_data: dict, stored: dict[str, list[int]], replace: bool) -> dict:
    data = dict(form_data)
    for key, ids in stored.items():
        data[key] = ids if replace else [*data.get(key, []), *ids]
    return data


@transaction.atomic
def request_save_draft(
    *,
    service: Service,
    applicant: User,
    form_data: dict,
    files: dict,
    urgent: bool,
    urgent_reason: str,
    draft: ServiceRequest | None = None,
) -> ServiceRequest:
    check_may_apply(service=service, user=applicant)
    return _save_draft(
        service=service,
        applicant=applicant,
        form_data=form_data,
        files=files,
        urgent=urgent,
        urgent_reason=urgent_reason,
        draft=draft,
    )


def _save_draft(
    *,
    service: Service,
    applicant: User,
    form_data: dict,
    files: dict,
    urgent: bool,
    urgent_reason: str,
    draft: ServiceRequest | None,
) -> ServiceRequest:
    if draft is None:
        draft = ServiceRequest(service=service, applicant=applicant, status=Status.DRAFT)
    elif draft.status != Status.DRAFT:
        raise RequestError(_("This request was already submitted."))
    draft.department = applicant.department
    draft.service_fields = _snapshot_fields(service)
    draft.urgent, draft.urgent_reason = urgent, urgent_reason if urgent else ""
    kept = {k: v for k, v in draft.form_data.items() if k in files and not files[k]}
    draft.form_data = {**form_data, **kept}
    draft.save()
    stored = _store_files(
        request=draft, files={k: v for k, v in files.items() if v}, user=applicant
    )
    if stored:
        draft.form_data = _merge_files(draft.form_data, stored, replace=True)
        draft.save(update_fields=["form_data", "updated_at"])
    return draft


@transaction.atomic
def request_submit(
    *,
    service: Service,
    applicant: User,
    form_data: dict,
    files: dict,
    urgent: bool,
    urgent_reason: str,
    submit_token: uuid.UUID,
    draft: ServiceRequest | None = None,
) -> ServiceRequest:
    """Submits a new request (or a draft); submitting the same form twice gives one request."""
    from workflows.flows import ServiceRequestFlow

    already = ServiceRequest.objects.filter(submit_token=submit_token).first()
    if already is not None:
        return already
    if not service.is_online or not (service.is_published or handoffs.is_internal(service)):
        raise RequestError(_("This service cannot be applied for online."))
    check_may_apply(service=service, user=applicant)
    if urgent and not urgent_reason.strip():
        raise RequestError(_("Say why the request is urgent."))
    request = _save_draft(
        service=service,
        applicant=applicant,
        form_data=form_data,
        files=files,
        urgent=urgent,
        urgent_reason=urgent_reason,
        draft=draft,
    )
    now = timezone.now()
    request.submit_token = submit_token
    request.chain = _snapshot_chain(service)
    request.status = Status.IN_PROGRESS
    request.submitted_at = now
    request.promised_at = add_working_days(now, service.time_limit_days)
    request.number = _next_number(timezone.localdate(now))
    request.save()
    _handoff_submitted(request)
    _record(request=request, actor=applicant, action=Action.SUBMIT)
    _move_on(request)
    with _moving(request):
        process = ServiceRequestFlow.start.run(request_id=request.pk)
    ServiceRequest.objects.filter(pk=request.pk).update(process=process)
    request.process_id = process.pk
    return request


def _number_prefix(day) -> str:
    return f"SQ{day:%Y%m%d}"


def _numbers_given(day) -> int:
    """The highest number given on the day before its counter existed (numbers were once
    built from row ids): those stay as they are and the counter goes on after them."""
    prefix = _number_prefix(day)
    last = (
        ServiceRequest.objects.filter(
            number__gte=f"{prefix}0", number__lte=f"{prefix}99999999", number__startswith=prefix
        )
        .order_by(Length("number").desc(), "-number")
        .values_list("number", flat=True)
        .first()
    )
    suffix = last[len(prefix) :] if last else ""
    return int(suffix) if suffix.isdigit() else 0


def _next_number(day) -> str:
    """The day's next request number, SQ + date + seven digits, from the day's counter row
    held locked until the submission commits or rolls back."""
    counter = RequestCounter.objects.select_for_update().filter(day=day).first()
    if counter is None:
        try:
            with transaction.atomic():
                RequestCounter.objects.create(day=day, last=_numbers_given(day))
        except IntegrityError:
            pass  # another submission made the day's counter first; wait for its lock
        counter = RequestCounter.objects.select_for_update().get(day=day)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{_number_prefix(day)}{counter.last:07d}"


def _handoff_submitted(request: ServiceRequest) -> None:
    try:
        handoffs.submitted(request)
    except handoffs.HandoffError as exc:
        raise RequestError(exc.message) from exc


# --- the flow's own steps --------------------------------------------------------------------


_in_flow: contextvars.ContextVar[ServiceRequest | None] = contextvars.ContextVar(
    "request_in_flow", default=None
)


# The process whose request row this thread holds locked while it moves the flow (set only by
# _complete_flow_handle, whose every caller locked the request first).
_locked_process: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "locked_process", default=None
)


class _moving:
    """While the flow is moved from here, its route reads the locked request in hand."""

    def __init__(self, request: ServiceRequest, *, row_locked: bool = False):
        self.request, self.row_locked = request, row_locked

    def __enter__(self):
        self.token = _in_flow.set(self.request)
        if self.row_locked:
            self.lock_token = _locked_process.set(self.request.process_id)

    def __exit__(self, *exc):
        if self.row_locked:
            _locked_process.reset(self.lock_token)
        _in_flow.reset(self.token)


def holds_request_lock(process_id) -> bool:
    """True while the services move ``process_id`` under its request's row lock (the flow's
    lock then takes no second lock on the process row)."""
    return process_id is not None and _locked_process.get() == process_id


def request_for_process(process) -> ServiceRequest:
    # The service and the applicant: the next step's approvers and every message need them.
    return ServiceRequest.objects.select_related("service", "applicant").get(
        pk=process.data["request_id"]
    )


def request_in_flow(process) -> ServiceRequest:
    """The request the flow's route looks at: the one being moved, else read afresh."""
    request = _in_flow.get()
    if request is not None and request.pk == process.data["request_id"]:
        return request
    return request_for_process(process)


def _condition_holds(step: dict, form_data: dict) -> bool:
    if not step.get("condition_field"):
        return True
    left, right, op = (
        form_data.get(step["condition_field"]),
        step["condition_value"],
        step["condition_operator"],
    )
    try:
        left_n, right_n = Decimal(str(left)), Decimal(str(right))
    except (InvalidOperation, TypeError, ValueError):
        left_s, right_s = str(left if left is not None else ""), str(right)
        return {"eq": left_s == right_s, "ne": left_s != right_s}.get(op, False)
    return {
        "eq": left_n == right_n,
        "ne": left_n != right_n,
        "gt": left_n > right_n,
        "gte": left_n >= right_n,
        "lt": left_n < right_n,
        "lte": left_n <= right_n,
    }[op]


def reminder_schedule(**kwargs) -> dict:
    from workflows.reminders import schedule

    return schedule(**kwargs)


def route(user: User) -> tuple[User, User | None]:
    from workflows.people import route as delegation_route

    return delegation_route(user)


def resolve_approvers(*, request: ServiceRequest, step: dict) -> list[User]:
    """Who decides this step, resolved now (at the moment the step starts)."""
    applicant = request.applicant
    users: list[User] = []
    rule = step["rule"]
    if rule == Rule.USER and step.get("approver_id"):
        users = list(User.objects.filter(pk=step["approver_id"], is_active=True))
    elif rule == Rule.DEPARTMENT_ROLE:
        users = list(
            User.objects.filter(
                roles__department_id=step.get("department_id"),
                roles__code=step.get("role_code"),
                is_active=True,
            ).order_by("pk")
        )
    elif rule == Rule.APPLICANT_HEAD and request.department_id:
        users = list(User.objects.filter(headed_departments=request.department_id, is_active=True))
    elif rule == Rule.APPLICANT_ROLE and request.department_id:
        users = list(
            User.objects.filter(
                roles__department_id=request.department_id,
                roles__code=step.get("role_code"),
                is_active=True,
            ).order_by("pk")
        )
    elif rule == Rule.FORM_FIELD:
        picked = request.form_data.get(step.get("field_key") or "")
        picked_id = picked.get("id") if isinstance(picked, dict) else picked
        users = list(User.objects.filter(pk=picked_id, is_active=True)) if picked_id else []
    # Nobody approves their own request; a head applying goes to the next level up.
    users = [u for u in users if u.pk != applicant.pk]
    if not users and rule == Rule.APPLICANT_HEAD and request.department_id:
        parent = Department.objects.filter(pk=request.department_id).values("parent").first()
        if parent and parent["parent"]:
            users = list(User.objects.filter(headed_departments=parent["parent"], is_active=True))
            users = [u for u in users if u.pk != applicant.pk]
    if not users:
        # A chain that names nobody must not freeze: the office admins take the step.
        users = list(
            User.objects.filter(is_superuser=True, is_active=True).exclude(pk=applicant.pk)[:1]
        )
    return list(dict.fromkeys(users))


def _open_step(*, request: ServiceRequest, index: int) -> None:
    step = request.chain[index]
    approvers = resolve_approvers(request=request, step=step)
    now = timezone.now()
    due = add_working_days(now, step.get("time_limit_days") or 0)
    step["state"] = "active"
    step["approvers"] = [u.pk for u in approvers]
    step["started_at"] = now.isoformat()
    request.current_step, request.current_due = index, due
    role_based = step["rule"] in (Rule.DEPARTMENT_ROLE, Rule.APPLICANT_ROLE)
    if step["mode"] == Mode.SINGLE and role_based and len(approvers) > 1:
        # A role held by several people: one task in their common queue; one of them claims it.
        # Someone away is stood in for by their delegate.
        holders = list(dict.fromkeys(route(u)[0] for u in approvers))
        task = ApprovalTask.objects.create(
            request=request,
            step_index=index,
            urgent=request.urgent,
            due_at=due,
            **reminder_schedule(due_at=due, created_at=now, urgent=request.urgent),
        )
        TaskCandidate.objects.bulk_create([TaskCandidate(task=task, user=u) for u in holders])
        request_event(request=request, kind="task_arrived", recipients=holders, task=task)
    else:
        people = approvers if step["mode"] != Mode.SINGLE else approvers[:1]
        assignees = []
        for user in people:
            assignee, on_behalf_of = route(user)
            assignees.append(assignee.pk)
            task = ApprovalTask.objects.create(
                request=request,
                step_index=index,
                assignee=assignee,
                on_behalf_of=on_behalf_of,
                urgent=request.urgent,
                due_at=due,
                **reminder_schedule(due_at=due, created_at=now, urgent=request.urgent),
            )
            request_event(request=request, kind="task_arrived", recipients=[assignee], task=task)
        selectors.task_counts_changed(assignees)  # one drop for the step's people


def step_advance(*, request: ServiceRequest, save: bool = True) -> None:
    """Opens the next step whose condition holds, or none when the chain is through."""
    start = (
        request.resume_at
        if request.resume_at is not None
        else (request.current_step + 1 if request.current_step is not None else 0)
    )
    request.resume_at = None
    request.current_step = None
    request.current_due = None
    for index in range(start, len(request.chain)):
        step = request.chain[index]
        if _condition_holds(step, request.form_data):
            _open_step(request=request, index=index)
            break
        step["state"] = "skipped"
        _record(request=request, actor=None, action=Action.SKIP, step_index=index)
    if save:
        request.save()


# What moving a request along its chain changes. The rest (the form, its fields, the number)
# was saved when it was submitted or resubmitted: a decision does not write them again (the
# form and its fields' snapshot are most of the row's JSON).
MOVED_FIELDS = (
    "status", "chain", "current_step", "current_due", "resume_at", "paused_at", "finished_at",
    "pdf_enqueued_at", "outcome_comment", "updated_at",
)  # fmt: skip

# The service's guide texts: no decision reads them, and they are most of its row.
SERVICE_GUIDE_TEXTS = tuple(
    f"service__{name}{lang}"
    for name in ("applicant_range", "materials", "procedure", "fees", "faq")
    for lang in ("", "_en")
) + ("service__keywords", "service__synonyms", "service__search_text")


def _move_on(request: ServiceRequest) -> None:
    """After a step is through (or at submission): the next step, or the approval at the end
    (which saves the request once, with its outcome)."""
    step_advance(request=request, save=False)
    if request.current_step is None:
        request_finish_approved(request=request)
    else:
        request.save(update_fields=MOVED_FIELDS)


def enqueue_pdf(request_id: int) -> None:
    from workflows import tasks

    try:
        tasks.render_request_pdf.delay(request_id)
    except Exception:  # noqa: BLE001 - the approval stands; the reminders tick renders it later
        logger.warning("broker unavailable; the PDF of request %s waits for the tick", request_id)


def request_finish_approved(*, request: ServiceRequest) -> None:
    request.status = Status.APPROVED
    request.finished_at = request.pdf_enqueued_at = timezone.now()
    request.current_step = request.current_due = None
    request.save(update_fields=MOVED_FIELDS)
    try:
        handoffs.approved(request)
    except handoffs.HandoffError as exc:
        raise RequestError(exc.message) from exc
    request_event(request=request, kind="request_approved", recipients=[request.applicant])
    transaction.on_commit(lambda: enqueue_pdf(request.pk))


def request_finish_rejected(*, request: ServiceRequest) -> None:
    request.finished_at = timezone.now()
    request.current_step = request.current_due = None
    request.save(update_fields=MOVED_FIELDS)
    handoffs.ended(request, rejected=True)
    request_event(
        request=request,
        kind="request_rejected",
        recipients=[request.applicant],
        body=request.outcome_comment,
    )


# --- decisions -------------------------------------------------------------------------------


def _record(*, request, actor, action, task=None, step_index=None, comment="", on_behalf_of=None):
    if task is not None and step_index is None:
        step_index = task.step_index
    name = ""
    if step_index is not None and step_index < len(request.chain):
        name = request.chain[step_index].get("name_zh", "")
    return ApprovalRecord.objects.create(
        request=request,
        task=task,
        step_index=step_index,
        step_name=name,
        actor=actor,
        on_behalf_of=on_behalf_of,
        action=action,
        comment=comment,
    )


def _locked(task_id: int) -> tuple[ServiceRequest, ApprovalTask]:
    # The request row first (every writer locks it before its tasks), found by the task in the
    # same statement; with its service and applicant, which the next step and the messages read.
    request = (
        ServiceRequest.objects.select_for_update(of=("self",))
        .select_related("service", "applicant")
        .defer(*SERVICE_GUIDE_TEXTS)
        .filter(pk=Subquery(ApprovalTask.objects.filter(pk=task_id).values("request_id")))
        .first()
    )
    if request is None:
        raise RequestError(_("No such task."))
    task = ApprovalTask.objects.select_for_update().get(pk=task_id)
    return request, task


def _check_open_task(request: ServiceRequest, task: ApprovalTask, user: User) -> None:
    if task.status != TaskStatus.PENDING or request.status != Status.IN_PROGRESS:
        raise AlreadyHandled(_("This task has already been handled; nothing was changed."))
    if task.step_index != request.current_step:
        raise AlreadyHandled(_("This step is no longer current; nothing was changed."))
    if task.assignee_id is None:
        raise RequestError(_("Claim the task from the group queue before deciding it."))
    if task.assignee_id != user.pk:
        raise RequestError(_("This task is not yours to decide."))


def _complete_flow_handle(request: ServiceRequest, node_name: str) -> None:
    """Moves the process on from the handle it waits in. Every caller holds the request's row
    lock (taken first, before its tasks), so the handle is read fresh here and viewflow takes
    no second lock on the process row (``flows.RequestLock``)."""
    from viewflow.workflow.models import Task

    from workflows.flows import ServiceRequestFlow

    node = getattr(ServiceRequestFlow, node_name)
    handle = (
        Task.objects.select_related("process")
        .filter(process_id=request.process_id, flow_task=node, status="NEW")
        .first()
    )
    if handle is None:
        raise RequestError(_("The request's process is not waiting here; nothing was changed."))
    with _moving(request, row_locked=True):
        node.run(handle)


def _step_outcome(request: ServiceRequest, index: int) -> tuple[str | None, int]:
    """('approved' when the step's mode is satisfied, else None: keep waiting; and how many of
    the step's tasks are still pending)."""
    step = request.chain[index]
    # Only this opening of the step counts: a step opened again (after a return to it, or an
    # added signer before it) starts from no approvals.
    statuses = list(
        ApprovalTask.objects.filter(
            request=request, step_index=index, created_at__gte=step["started_at"]
        )
        .exclude(status__in=[TaskStatus.TRANSFERRED])
        .values_list("status", flat=True)
    )
    approved = statuses.count(TaskStatus.APPROVED)
    pending = statuses.count(TaskStatus.PENDING)
    mode = step["mode"]
    if mode in (Mode.SINGLE, Mode.ANY):
        done = approved >= 1
    elif mode == Mode.N_OF_M:
        done = approved >= min(step.get("quorum") or 1, len(statuses))
    else:
        done = pending == 0
    return ("approved" if done else None), pending


def _cancel_pending(request: ServiceRequest, index: int | None = None) -> None:
    pending = ApprovalTask.objects.filter(request=request, status=TaskStatus.PENDING)
    if index is not None:
        pending = pending.filter(step_index=index)
    selectors.task_counts_changed(pending.values_list("assignee_id", flat=True))
    pending.update(status=TaskStatus.CANCELLED, decided_at=timezone.now())


@transaction.atomic
def task_decide(
    *,
    task_id: int,
    user: User,
    action: str,
    comment: str = "",
    return_to: int | None = None,
) -> ServiceRequest:
    """Approve, reject or return one task; moves the request on when its step is decided."""
    request, task = _locked(task_id)
    _check_open_task(request, task, user)
    comment = comment.strip()
    if action in (Action.REJECT, Action.RETURN) and not comment:
        raise RequestError(_("Give a reason: the applicant will read it."))
    if return_to is not None and not (-1 <= return_to < task.step_index):
        raise RequestError(_("A request can only be returned to the applicant or an earlier step."))
    outcome = {
        Action.APPROVE: TaskStatus.APPROVED,
        Action.REJECT: TaskStatus.REJECTED,
        Action.RETURN: TaskStatus.RETURNED,
    }
    if action not in outcome:
        raise RequestError(_("Unknown action."))
    now = timezone.now()
    task.decided_at, task.decided_by, task.comment = now, user, comment
    task.status = outcome[action]
    task.save(update_fields=["decided_at", "decided_by", "comment", "status"])
    selectors.task_counts_changed([user.pk])
    _record(
        request=request,
        actor=user,
        action=action,
        task=task,
        comment=comment,
        on_behalf_of=task.on_behalf_of,
    )
    step = request.chain[task.step_index]
    if action == Action.APPROVE:
        outcome, pending = _step_outcome(request, task.step_index)
        if outcome is None:
            return request  # the step waits for more signatures
        step["state"] = "approved"
        if pending:  # the rest of a countersign that needed fewer than all
            _cancel_pending(request, task.step_index)
        _move_on(request)
    elif action == Action.REJECT:
        step["state"] = "rejected"
        request.status = Status.REJECTED
        request.outcome_comment = comment
        _cancel_pending(request)
        request_finish_rejected(request=request)
    else:
        step["state"] = "returned"
        _cancel_pending(request)
        if return_to is None or return_to < 0:
            request.status = Status.RETURNED
            request.current_due = None
            request.paused_at = now
            request.save(update_fields=MOVED_FIELDS)
            request_event(
                request=request, kind="returned", recipients=[request.applicant], body=comment
            )
        else:
            for later in request.chain[return_to:]:
                later["state"] = "pending"
            request.resume_at = return_to
            _move_on(request)
    _complete_flow_handle(request, "step")
    return request


@transaction.atomic
def task_claim(*, task_id: int, user: User) -> ApprovalTask:
    request, task = _locked(task_id)
    if task.status != TaskStatus.PENDING or task.assignee_id is not None:
        raise AlreadyHandled(_("Someone else has already claimed this task."))
    if not TaskCandidate.objects.filter(task=task, user=user).exists():
        raise RequestError(_("This task is not in your group queue."))
    task.assignee = user
    task.save(update_fields=["assignee"])
    selectors.task_counts_changed([user.pk])
    _record(request=request, actor=user, action=Action.CLAIM, task=task)
    return task


@transaction.atomic
def task_transfer(*, task_id: int, user: User, to_user: User, comment: str = "") -> ApprovalTask:
    request, task = _locked(task_id)
    _check_open_task(request, task, user)
    if to_user.pk == user.pk or not to_user.is_active:
        raise RequestError(_("Choose another active person to transfer to."))
    if to_user.pk == request.applicant_id:
        raise RequestError(_("A request cannot be transferred to its applicant."))
    task.status, task.decided_at, task.decided_by = TaskStatus.TRANSFERRED, timezone.now(), user
    task.comment = comment
    task.save()
    selectors.task_counts_changed([user.pk, to_user.pk])
    new_task = ApprovalTask.objects.create(
        request=request,
        step_index=task.step_index,
        assignee=to_user,
        urgent=task.urgent,
        due_at=task.due_at,
        remind_at=task.remind_at,
        urgent_at=task.urgent_at,
    )
    _record(
        request=request,
        actor=user,
        action=Action.TRANSFER,
        task=task,
        comment=_("to %(name)s. %(comment)s") % {"name": to_user, "comment": comment},
    )
    request_event(request=request, kind="task_arrived", recipients=[to_user], task=new_task)
    return new_task


@transaction.atomic
def task_add_signer(
    *, task_id: int, user: User, signer: User, before: bool, comment: str = ""
) -> ServiceRequest:
    """Adds a one-person step before or after the current one."""
    request, task = _locked(task_id)
    _check_open_task(request, task, user)
    if signer.pk == request.applicant_id or not signer.is_active:
        raise RequestError(_("Choose another active person as the added signer."))
    here = task.step_index
    current = request.chain[here]
    added = {
        **current,
        "name_zh": f"加签：{signer}",
        "name_en": f"Added signer: {signer}",
        "rule": Rule.USER,
        "approver_id": signer.pk,
        "mode": Mode.SINGLE,
        "quorum": None,
        "condition_field": "",
        "condition_operator": "",
        "condition_value": "",
        "state": "pending",
        "approvers": [],
        "added_by": user.pk,
    }
    _record(
        request=request,
        actor=user,
        action=Action.ADD_SIGNER,
        task=task,
        comment=f"{signer} · {comment}".strip(" ·"),
    )
    if not before:
        request.chain.insert(here + 1, added)
        request.save()
        return request
    # Before this step: the signer decides first, then this step opens again from the start.
    request.chain.insert(here, added)
    ApprovalTask.objects.filter(request=request, step_index__gte=here).exclude(pk=task.pk).update(
        step_index=F("step_index") + 1
    )
    task.step_index = here + 1
    task.status = TaskStatus.CANCELLED
    task.save()
    selectors.task_counts_changed([task.assignee_id])
    _cancel_pending(request)
    request.chain[here + 1]["state"] = "pending"
    request.resume_at = here
    _move_on(request)
    _complete_flow_handle(request, "step")
    return request


def _is_involved(request: ServiceRequest, user: User) -> bool:
    """The applicant, or someone who holds or held one of the request's tasks."""
    return (
        request.applicant_id == user.pk
        or ApprovalTask.objects.filter(
            Q(assignee=user) | Q(decided_by=user), request=request
        ).exists()
    )


@transaction.atomic
def request_comment(*, request_id: int, user: User, comment: str) -> None:
    """A remark in the history without a decision, by the applicant or an approver."""
    request = ServiceRequest.objects.select_for_update().get(pk=request_id)
    comment = comment.strip()[:2000]
    if not comment:
        raise RequestError(_("Write a comment first."))
    if not _is_involved(request, user):
        raise RequestError(_("Only the applicant and the approvers can comment here."))
    _record(
        request=request,
        actor=user,
        action=Action.COMMENT,
        comment=comment,
        step_index=request.current_step,
    )
    others = {request.applicant_id} | set(
        request.tasks.filter(status=TaskStatus.PENDING, assignee__isnull=False).values_list(
            "assignee_id", flat=True
        )
    )
    request_event(request=request, kind="comment", recipients=sorted(others - {user.pk}))


@transaction.atomic
def request_cc(*, request_id: int, user: User, to_users: list[User]) -> int:
    """Copies the request to people who may then read it (and nothing more)."""
    from guardian.shortcuts import assign_perm

    request = ServiceRequest.objects.select_for_update().get(pk=request_id)
    if not _is_involved(request, user):
        raise RequestError(_("Only the applicant and the approvers can copy this request."))
    added = 0
    for person in to_users:
        if person.pk == request.applicant_id or selectors.is_cc(person, request):
            continue
        assign_perm("workflows.view_servicerequest", person, request)
        _record(request=request, actor=user, action=Action.CC, comment=str(person))
        request_event(request=request, kind="cc", recipients=[person])
        added += 1
    return added


# --- the applicant's own actions -------------------------------------------------------------


@transaction.atomic
def request_withdraw(*, request_id: int, user: User, comment: str = "") -> ServiceRequest:
    from viewflow.workflow.models import Task

    request = ServiceRequest.objects.select_for_update().get(pk=request_id)
    if request.applicant_id != user.pk:
        raise RequestError(_("Only the applicant can withdraw a request."))
    if request.status not in ServiceRequest.OPEN:
        raise AlreadyHandled(_("This request is already finished; it cannot be withdrawn."))
    waiting_on = list(
        request.tasks.filter(status=TaskStatus.PENDING, assignee__isnull=False).values_list(
            "assignee_id", flat=True
        )
    )
    _cancel_pending(request)
    request.status = Status.WITHDRAWN
    request.finished_at = timezone.now()
    request.current_step = request.current_due = None
    request.save()
    _record(request=request, actor=user, action=Action.WITHDRAW, comment=comment)
    handoffs.ended(request, rejected=False)
    if request.process_id:
        from viewflow.workflow.status import PROCESS

        Task.objects.filter(process_id=request.process_id, status="NEW").update(
            status="CANCELED", finished=timezone.now()
        )
        process = request.process
        process.status, process.finished = PROCESS.CANCELED, timezone.now()
        process.save(update_fields=["status", "finished"])
    # The approvers it was waiting on learn that it left their inbox.
    request_event(
        request=request, kind="request_withdrawn", recipients=waiting_on, body=comment.strip()
    )
    return request


@transaction.atomic
def request_resubmit(
    *, request_id: int, user: User, form_data: dict, files: dict, comment: str = ""
) -> ServiceRequest:
    request = (
        ServiceRequest.objects.select_for_update(of=("self",))
        .select_related("service", "applicant")
        .get(pk=request_id)
    )
    if request.applicant_id != user.pk:
        raise RequestError(_("Only the applicant can resubmit a request."))
    if request.status != Status.RETURNED:
        raise AlreadyHandled(_("This request is not waiting for your revision."))
    # Who may apply is asked again: the person's identity or department may have changed since.
    check_may_apply(service=request.service, user=user)
    kept = {k: v for k, v in request.form_data.items() if k in files and not files[k]}
    request.form_data = {**form_data, **kept}
    stored = _store_files(request=request, files={k: v for k, v in files.items() if v}, user=user)
    request.form_data = _merge_files(request.form_data, stored, replace=True)
    request.status = Status.IN_PROGRESS
    if request.paused_at and request.promised_at:
        # The days it spent with the applicant don't count against the promised time limit.
        paused = working_days_between(request.paused_at, timezone.now())
        request.promised_at = add_working_days(request.promised_at, paused)
    request.paused_at = None
    for step in request.chain:
        step["state"] = "pending"
    request.current_step = None
    request.resume_at = 0
    request.save()
    _handoff_submitted(request)
    _record(request=request, actor=user, action=Action.RESUBMIT, comment=comment)
    _move_on(request)
    _complete_flow_handle(request, "revise")
    return request


# --- the approval form as a PDF ----------------------------------------------------------------


PDF_PART_SUFFIX = ".part"


def _write_pdf_bytes(handle, data: bytes) -> None:
    handle.write(data)


def _store_pdf(request: ServiceRequest, data: bytes) -> str:
    """Writes the PDF beside its final name and moves it into place only once it is complete
    (os.replace is atomic within a directory), so a worker killed mid-write leaves at most a
    hidden ``.part`` file, which the orphan sweep clears; the final name is the request's
    number, so a rerun replaces a file left by a crash instead of adding another."""
    storage = request.pdf.storage
    name = request.pdf.field.generate_filename(request, f"{request.number}.pdf")
    path = storage.path(name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd, part = tempfile.mkstemp(
        dir=os.path.dirname(path), prefix=f".{os.path.basename(path)}.", suffix=PDF_PART_SUFFIX
    )
    try:
        with os.fdopen(fd, "wb") as handle:
            _write_pdf_bytes(handle, data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(part, 0o644)
        os.replace(part, path)
    except BaseException:
        if os.path.exists(part):
            os.unlink(part)
        raise
    return name


def request_render_pdf(*, request_id: int) -> str:
    """Renders (once) the PDF of an approved request with its data and approval trail. The
    file is in place before the row that points at it commits; if the row does not commit,
    the file goes again."""
    stored: list[str] = []
    try:
        return _render_pdf(request_id, on_stored=stored.append)
    except BaseException:
        storage = ServiceRequest._meta.get_field("pdf").storage
        for name in stored:
            storage.delete(name)
        raise


def _render_pdf(request_id: int, *, on_stored) -> str:
    import json

    import weasyprint
    from django.template.loader import render_to_string
    from django.utils import translation

    with transaction.atomic():
        request = ServiceRequest.objects.select_for_update().filter(pk=request_id).first()
        if request is None or request.status != Status.APPROVED:
            return ""
        if request.pdf:
            return request.pdf_sha256
        with translation.override("zh-hans"):
            fields = selectors.form_rows(request)
            records = list(selectors.trail(request))
            content = {
                "number": request.number,
                "service": request.service.name_zh,
                "applicant": str(request.applicant),
                "fields": [[label, value] for label, value, _ in fields],
                "trail": [
                    [r.created_at.isoformat(), str(r.actor or ""), r.action, r.comment]
                    for r in records
                ],
            }
            digest = hashlib.sha256(
                json.dumps(content, ensure_ascii=False, sort_keys=True).encode()
            ).hexdigest()
            html = render_to_string(
                "workflows/request_pdf.html",
                {"req": request, "fields": fields, "records": records, "digest": digest},
            )
        document = weasyprint.HTML(string=html).render()
        # PDF/A-2b: the form goes into the archives, which keep it for decades.
        pdf = document.write_pdf(pdf_variant="pdf/a-2b")
        request.pdf.name = _store_pdf(request, pdf)
        on_stored(request.pdf.name)
        request.pdf_sha256 = digest
        request.save(update_fields=["pdf", "pdf_sha256", "updated_at"])
        request_file_in_archives(request=request, pages=len(document.pages))
        return digest


def request_file_in_archives(*, request: ServiceRequest, pages: int = 0):
    """Hands an approved request (its PDF and attachments) to the archives; exactly once."""
    from archives.services import FilingPackage, record_file

    if request.status != Status.APPROVED or not request.pdf:
        return None
    request.pdf.open("rb")
    try:
        files = [(f"{request.number}.pdf", request.pdf.read())]
    finally:
        request.pdf.close()
    for attachment in request.attachments.all():
        with attachment.file.open("rb") as handle:
            files.append((attachment.name, handle.read()))
    return record_file(
        package=FilingPackage(
            title=f"{request.service.name_zh}（{request.applicant}，{request.number}）",
            date=timezone.localdate(request.finished_at or timezone.now()),
            files=files,
            source_ref=f"workflows.request:{request.pk}",
            department_id=request.service.department_id,
            responsible=request.service.department.name_zh,
            doc_number=request.number,
            metadata={
                "service": request.service.code,
                "applicant": request.applicant.get_username(),
                "form": request.form_data,
                "content_sha256": request.pdf_sha256,
                "pages": pages,
            },
        )
    )

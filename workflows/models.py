"""Service requests, their approval tasks and the record of every decision.

The viewflow process runs the chain (workflows/flows.py); these tables hold what people list,
filter and search: every queryable fact is an indexed column, never only JSON.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase
from viewflow.workflow.models import Process


class ServiceRequest(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_PROGRESS = "in_progress", _("In progress")
        RETURNED = "returned", _("Returned for revision")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    OPEN = (Status.IN_PROGRESS, Status.RETURNED)
    FINISHED = (Status.APPROVED, Status.REJECTED, Status.WITHDRAWN)

    # NULL until submitted: drafts have no number, and NULLs don't collide in the unique index.
    number = models.CharField(  # noqa: DJ001
        _("request number"), max_length=30, unique=True, null=True, blank=True
    )
    service = models.ForeignKey(
        "hall.Service", verbose_name=_("service"), on_delete=models.PROTECT, related_name="+"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant"),
        on_delete=models.PROTECT,
        related_name="service_requests",
    )
    department = models.ForeignKey(
        "hall.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    urgent = models.BooleanField(_("urgent"), default=False)
    urgent_reason = models.CharField(_("reason for urgency"), max_length=300, blank=True)
    form_data = models.JSONField(_("form data"), default=dict, blank=True)
    service_fields = models.JSONField(
        _("form fields"),
        default=list,
        blank=True,
        help_text=_("The service's form as it was when the request was written."),
    )
    chain = models.JSONField(
        _("approval chain"),
        default=list,
        blank=True,
        help_text=_("The service's steps as they were at submission."),
    )
    current_step = models.SmallIntegerField(_("current step"), null=True, blank=True)
    resume_at = models.SmallIntegerField(null=True, blank=True, editable=False)
    submit_token = models.UUIDField(unique=True, null=True, editable=False)
    process = models.OneToOneField(
        Process, null=True, blank=True, on_delete=models.SET_NULL, related_name="service_request"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    current_due = models.DateTimeField(_("current step due"), null=True, blank=True)
    promised_at = models.DateTimeField(_("promised finish"), null=True, blank=True)
    paused_at = models.DateTimeField(
        _("clock paused since"),
        null=True,
        blank=True,
        help_text=_("While the request is back with the applicant its clock stands still."),
    )
    outcome_comment = models.TextField(_("final comment"), blank=True)
    pdf = models.FileField(_("approval form (PDF)"), upload_to="approved/%Y/%m", blank=True)
    pdf_sha256 = models.CharField(_("SHA-256 of the content"), max_length=64, blank=True)
    # When the PDF's render was last handed to the broker (at approval, then by the tick): a
    # render still missing two minutes later is queued again, once per two minutes.
    pdf_enqueued_at = models.DateTimeField(_("PDF queued at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["applicant", "-created_at"], name="request_applicant_idx"),
            models.Index(fields=["applicant", "status"], name="request_applicant_status_idx"),
            models.Index(fields=["department", "status"], name="request_dept_status_idx"),
            models.Index(fields=["service", "status"], name="request_service_status_idx"),
            models.Index(fields=["status", "current_due"], name="request_status_due_idx"),
            models.Index(fields=["submitted_at"], name="request_submitted_idx"),
            models.Index(fields=["finished_at"], name="request_finished_idx"),
        ]
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")

    def __str__(self) -> str:
        return self.number or _("Draft %(id)s") % {"id": self.pk}

    def get_absolute_url(self) -> str:
        return reverse("workflows:request-detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED


class RequestCounter(models.Model):
    """The last request number given on one day. Locked while a submission is numbered and
    incremented in the submission's own transaction, so a submission that rolls back (a
    double-click clash, a refused handoff) uses no number: numbers have no gaps, never repeat."""

    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("request counter")
        verbose_name_plural = _("request counters")

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class ApprovalTask(models.Model):
    """One person's part of one step: it sits in their inbox until decided or left behind."""

    class Status(models.TextChoices):
        PENDING = "pending", _("To do")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        RETURNED = "returned", _("Returned for revision")
        CANCELLED = "cancelled", _("No longer needed")
        TRANSFERRED = "transferred", _("Transferred")

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="tasks")
    step_index = models.SmallIntegerField(_("step"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="approval_tasks",
        help_text=_("Empty while the task waits in a group queue to be claimed."),
    )
    candidates = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="queued_tasks", through="TaskCandidate"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    urgent = models.BooleanField(_("urgent"), default=False)
    created_at = models.DateTimeField(_("arrived"), auto_now_add=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    # When the reminder tick next has something to say about this task (approaching, overdue,
    # escalation) and, for urgent requests, when the next repeat is due. NULL: nothing more.
    remind_at = models.DateTimeField(null=True, blank=True, editable=False)
    urgent_at = models.DateTimeField(null=True, blank=True, editable=False)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["-urgent", "due_at", "id"]
        indexes = [
            # The to-do inbox: open tasks of one person, urgent first, then by due time.
            models.Index(
                fields=["assignee", "-urgent", "due_at"],
                name="task_todo_idx",
                condition=Q(status="pending"),
            ),
            # The done inbox, in its whole order: a page of a busy approver's tens of thousands
            # reads its 20 rows off the index, however many share a decided_at.
            models.Index(fields=["decided_by", "-decided_at", "-id"], name="task_done_idx"),
            # The reminder tick: open tasks by their next reminder, and urgent repeats.
            models.Index(
                fields=["remind_at"], name="task_remind_idx", condition=Q(status="pending")
            ),
            models.Index(
                fields=["urgent_at"], name="task_urgent_idx", condition=Q(status="pending")
            ),
            models.Index(fields=["request", "step_index"], name="task_request_step_idx"),
        ]
        verbose_name = _("approval task")
        verbose_name_plural = _("approval tasks")

    def __str__(self) -> str:
        return f"{self.request} · {self.step_index + 1}"

    def get_absolute_url(self) -> str:
        return reverse("workflows:task-detail", args=[self.pk])

    @property
    def step(self) -> dict:
        return self.request.chain[self.step_index]


class TaskCandidate(models.Model):
    """A holder of the role a queued task was given to: anyone of them may claim it."""

    task = models.ForeignKey(ApprovalTask, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "task"], name="candidate_once")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.task_id}"


class ApprovalRecord(models.Model):
    """One line of the audit trail: who did what, when, on behalf of whom, with what comment."""

    class Action(models.TextChoices):
        SUBMIT = "submit", _("Submitted")
        APPROVE = "approve", _("Approved")
        REJECT = "reject", _("Rejected")
        RETURN = "return", _("Returned for revision")
        RESUBMIT = "resubmit", _("Resubmitted")
        WITHDRAW = "withdraw", _("Withdrawn")
        TRANSFER = "transfer", _("Transferred")
        CLAIM = "claim", _("Claimed")
        ADD_SIGNER = "add_signer", _("Added a signer")
        COMMENT = "comment", _("Commented")
        SKIP = "skip", _("Skipped (condition not met)")
        CC = "cc", _("Copied to")

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="records")
    task = models.ForeignKey(
        ApprovalTask, null=True, blank=True, on_delete=models.SET_NULL, related_name="records"
    )
    step_index = models.SmallIntegerField(null=True, blank=True)
    step_name = models.CharField(max_length=150, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("approval record")
        verbose_name_plural = _("approval records")

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.actor}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    # Files live under MEDIA_ROOT, never under static/, and are served only through a view
    # that checks who may see the request.
    return f"requests/{instance.request_id}/{instance.sha256[:16]}-{filename[-80:]}"


class Attachment(models.Model):
    request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="attachments"
    )
    field_key = models.SlugField(max_length=40)
    file = models.FileField(upload_to=attachment_path, max_length=300)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    content_type = models.CharField(max_length=100)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("workflows:attachment", args=[self.request_id, self.pk])


class RequestUserObjectPermission(UserObjectPermissionBase):
    """Explicit per-request grants (a CC reads the request) with a real foreign key, so the
    CC list is one indexed join rather than a scan of guardian's generic table."""

    content_object = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        abstract = False


class SentOnce(models.Model):
    """Exactly once, for any app: one row per (kind, key), written before the thing is sent. The
    back offices' reminder passes (registered with ``workflows.reminders.register_tick``) claim
    each reminder here through ``workflows.reminders.once``; ``kind`` is ``<app>.<what>``."""

    kind = models.CharField(max_length=60)
    key = models.CharField(max_length=160)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="sent_once")]
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"


class ReminderLog(models.Model):
    """One reminder sent for one task in one window. The unique key makes a reminder go out
    exactly once per window, however many ticks run at once."""

    class Kind(models.TextChoices):
        APPROACHING = "approaching", _("Deadline approaching")
        OVERDUE = "overdue", _("Overdue")
        URGENT = "urgent", _("Urgent reminder")
        ESCALATION = "escalation", _("Escalation")
        NUDGE = "nudge", _("Applicant's reminder")

    task = models.ForeignKey(ApprovalTask, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    window = models.CharField(max_length=40)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["task", "kind", "window"], name="reminder_once")
        ]
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")

    def __str__(self) -> str:
        return f"{self.task_id} {self.kind} {self.window}"


class Delegation(models.Model):
    """Out of office: tasks that start for ``user`` between the dates go to ``delegate``."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="delegations"
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("delegate"),
        on_delete=models.PROTECT,
        related_name="delegated_to_me",
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until (inclusive)"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on"]
        indexes = [models.Index(fields=["user", "starts_on", "ends_on"], name="delegation_idx")]
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")

    def __str__(self) -> str:
        return f"{self.user} → {self.delegate} ({self.starts_on}–{self.ends_on})"


class Rating(models.Model):
    """The applicant's satisfaction with a finished request, and the office's follow-up."""

    request = models.OneToOneField(ServiceRequest, on_delete=models.CASCADE, related_name="rating")
    score = models.PositiveSmallIntegerField(
        _("satisfaction"), choices=[(n, str(n)) for n in range(1, 6)]
    )
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    response = models.TextField(_("what we changed"), blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["score", "responded_at"], name="rating_followup_idx")]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")

    def __str__(self) -> str:
        return f"{self.request} {self.score}/5"

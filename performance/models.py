"""Supervision (督办): one item for every source, its milestones, reports, extensions and history.

A source in another app (a meeting decision, a leader's instruction on an incoming document, a
key task, an issued document, a hotline hot spot) is a plain reference ``app.model:pk`` plus its
title and URL, so nothing here imports the app the source lives in.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hall.models import Department


class SourceKind(models.TextChoices):
    DECISION = "decision", _("Meeting decision (会议决定)")
    INSTRUCTION = "instruction", _("Leader's instruction (领导批示)")
    KEY_TASK = "key_task", _("Key task of the outline (工作要点)")
    DOCUMENT = "document", _("Execution of a document (公文落实)")
    HOTSPOT = "hotspot", _("Hotline hot spot (热点)")
    ASSIGNED = "assigned", _("Work assigned by a leader (交办)")


class Item(models.Model):
    """A supervised matter (督办事项)."""

    class Status(models.TextChoices):
        ASSIGNED = "assigned", _("Waiting to be signed for")
        RETURNED = "returned", _("Returned to the office")
        IN_PROGRESS = "in_progress", _("In progress")
        REPORTED = "reported", _("Completion reported")
        CLOSED = "closed", _("Closed (销号)")

    OPEN = (Status.ASSIGNED, Status.IN_PROGRESS, Status.REPORTED)

    title = models.CharField(_("title"), max_length=200)
    source_kind = models.CharField(_("source"), max_length=20, choices=SourceKind.choices)
    # ``app.model:pk``; blank for work a leader assigned by word of mouth.
    source_ref = models.CharField(_("source reference"), max_length=80, blank=True, db_index=True)
    source_title = models.CharField(_("source title"), max_length=300, blank=True)
    source_url = models.CharField(_("source link"), max_length=300, blank=True)
    requirement = models.TextField(_("what is to be done"), blank=True)
    criteria = models.TextField(_("acceptance criteria"))
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leader in charge"),
        on_delete=models.PROTECT,
        related_name="supervised_items",
    )
    lead_unit = models.ForeignKey(
        Department,
        verbose_name=_("lead unit"),
        on_delete=models.PROTECT,
        related_name="supervision_items",
    )
    co_units = models.ManyToManyField(
        Department, verbose_name=_("co-units"), blank=True, related_name="supervision_co_items"
    )
    days = models.PositiveSmallIntegerField(_("time limit (working days)"))
    assigned_at = models.DateTimeField(_("assigned at"))
    deadline = models.DateTimeField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ASSIGNED
    )
    # The next moment the tick looks at this item (a reminder, the deadline, the escalation).
    remind_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["deadline", "pk"]
        verbose_name = _("supervision item")
        verbose_name_plural = _("supervision items")
        indexes = [
            models.Index(fields=["deadline", "id"], name="sup_deadline"),
            models.Index(fields=["status", "deadline"], name="sup_status_deadline"),
            models.Index(fields=["lead_unit", "deadline"], name="sup_unit_deadline"),
            models.Index(fields=["lead_unit", "status", "deadline"], name="sup_unit_status"),
            models.Index(fields=["leader", "status", "deadline"], name="sup_leader_status"),
            models.Index(
                fields=["remind_at"],
                name="sup_remind_open",
                condition=models.Q(remind_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("performance:item", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class Milestone(models.Model):
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="milestones")
    n = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("milestone"), max_length=200)
    days = models.PositiveSmallIntegerField(_("working days after assignment"))
    due = models.DateTimeField(_("due"))
    reached_at = models.DateTimeField(_("reported at"), null=True, blank=True)

    class Meta:
        ordering = ["item", "n"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [models.UniqueConstraint(fields=["item", "n"], name="milestone_n_unique")]

    def __str__(self) -> str:
        return self.title


class Report(models.Model):
    """A progress report (at a milestone or not) or the completion report, with evidence."""

    class Kind(models.TextChoices):
        PROGRESS = "progress", _("Progress report")
        COMPLETION = "completion", _("Completion report")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    milestone = models.ForeignKey(
        Milestone, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    text = models.TextField(_("report"))
    evidence = models.FileField(_("evidence"), upload_to="supervision/%Y/%m/", blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)

    class Meta:
        ordering = ["item", "created_at", "pk"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return f"{self.item_id} {self.kind}"


class Step(models.Model):
    """One step in an item's history; never edited, never deleted while the item lives."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Assigned")
        SIGNED = "signed", _("Signed for")
        RETURNED = "returned", _("Returned to the office")
        REASSIGNED = "reassigned", _("Assigned again")
        PROGRESS = "progress", _("Progress reported")
        COMPLETION = "completion", _("Completion reported")
        SENT_BACK = "sent_back", _("Sent back by the office")
        CLOSED = "closed", _("Verified and closed")
        REMINDER = "reminder", _("Reminder sent")
        OVERDUE = "overdue", _("Overdue notice (催办)")
        MILESTONE_OVERDUE = "milestone_overdue", _("Milestone passed without a report")
        ESCALATED = "escalated", _("Escalated to the leader")
        NOTICE = "notice", _("Put on the public notice (通报)")
        EXTENSION_ASKED = "extension_asked", _("Extension requested")
        EXTENSION_APPROVED = "extension_approved", _("Extension approved")
        EXTENSION_REFUSED = "extension_refused", _("Extension not granted")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(_("step"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("remark"), blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["item", "created_at", "pk"]
        verbose_name = _("history step")
        verbose_name_plural = _("history steps")

    def __str__(self) -> str:
        return f"{self.item_id} {self.kind}"


class NoticeEntry(models.Model):
    """An overdue item on the public notice (通报) of a period (a month, ``YYYY-MM``)."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="notices")
    period = models.CharField(_("period"), max_length=7, db_index=True)
    deadline = models.DateTimeField(_("deadline then"))
    created_at = models.DateTimeField(_("listed at"), auto_now_add=True)

    class Meta:
        ordering = ["-period", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["item", "period"], name="notice_once_per_period")
        ]
        verbose_name = _("public notice entry")
        verbose_name_plural = _("public notice entries")

    def __str__(self) -> str:
        return f"{self.period} {self.item_id}"


class Extension(models.Model):
    """A request for a later deadline, decided through a catalogue chain."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Not granted")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="extensions")
    old_deadline = models.DateTimeField(_("deadline before"))
    new_deadline = models.DateTimeField(_("deadline asked"))
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    request = models.OneToOneField(
        "workflows.ServiceRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)

    class Meta:
        ordering = ["item", "created_at", "pk"]
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        constraints = [
            models.UniqueConstraint(
                fields=["item"],
                condition=models.Q(status="pending"),
                name="one_pending_extension",
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_id} → {self.new_deadline:%Y-%m-%d}"


# --- meetings ----------------------------------------------------------------------------------


class MeetingType(models.Model):
    """The president's office meeting, the executive meeting, a special meeting… with the
    prefix of its minutes' numbers (校长办公会纪要〔2026〕3号)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=150, blank=True)
    prefix = models.CharField(_("minutes prefix"), max_length=30)

    class Meta:
        ordering = ["code"]
        verbose_name = _("meeting type")
        verbose_name_plural = _("meeting types")

    def __str__(self) -> str:
        return self.name_zh

    @property
    def name(self) -> str:
        from hall.models import reading_english

        return self.name_en if reading_english() and self.name_en else self.name_zh


class Meeting(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")

    kind = models.ForeignKey(
        MeetingType, verbose_name=_("meeting type"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chair"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("performance:meeting", args=[self.pk])


class Attendance(models.Model):
    class Role(models.TextChoices):
        ATTENDEE = "attendee", _("Attendee")
        OBSERVER = "observer", _("Observer (列席)")

    class Reply(models.TextChoices):
        PENDING = "pending", _("No reply yet")
        YES = "yes", _("Will attend")
        NO = "no", _("Cannot attend")
        DEPUTY = "deputy", _("Sends a deputy")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_attendances"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    reply = models.CharField(
        _("reply"), max_length=20, choices=Reply.choices, default=Reply.PENDING
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["meeting", "role", "pk"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="attend_once_per_meeting")
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.user_id}"


class Topic(models.Model):
    """A topic a unit submits for a meeting (议题申报), accepted or declined by the office."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="topics")
    title = models.CharField(_("topic"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    unit = models.ForeignKey(
        Department, verbose_name=_("submitting unit"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["meeting", "order", "pk"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.title


class Minutes(models.Model):
    """The minutes (纪要) of a meeting: drafted, reviewed, issued with a number."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("In review")
        ISSUED = "issued", _("Issued")

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="minutes")
    body = models.TextField(_("text"), help_text=_("One paragraph a line."))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    # NULL until issued: NULLs don't collide in the unique index.
    number = models.CharField(  # noqa: DJ001
        _("number"), max_length=60, unique=True, null=True, blank=True
    )
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Issued minutes are a registered 纪要 of the Administrative Center.
    document = models.OneToOneField(
        "documents.Outgoing",
        verbose_name=_("issued as"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")

    def __str__(self) -> str:
        return self.number or str(self.meeting)

    @property
    def paragraphs(self) -> list[str]:
        return [line.strip() for line in self.body.splitlines() if line.strip()]


class Decision(models.Model):
    """A decision of a meeting, pointing back to its paragraph of the minutes."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    paragraph = models.PositiveSmallIntegerField(_("paragraph of the minutes"))
    text = models.TextField(_("decision"))
    item = models.OneToOneField(
        Item, null=True, blank=True, on_delete=models.SET_NULL, related_name="decision"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["meeting", "paragraph", "pk"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return self.text[:60]

    def get_absolute_url(self) -> str:
        return f"{self.meeting.get_absolute_url()}#decision-{self.pk}"

    @property
    def paragraph_url(self) -> str:
        """Its paragraph on the minutes' page (``#p-N``)."""
        return f"{self.meeting.get_absolute_url()}#p-{self.paragraph}"


# --- strategy ----------------------------------------------------------------------------------


class Theme(models.Model):
    """The year's strategic theme (年度工作主题) and its job outline (工作要点)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    title = models.CharField(_("theme"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    published = models.BooleanField(_("published"), default=False)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("annual theme")
        verbose_name_plural = _("annual themes")

    def __str__(self) -> str:
        return f"{self.year} {self.title}"


class KeyTask(models.Model):
    """A numbered key task of the outline; it may become a supervision item."""

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="tasks")
    n = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("key task"), max_length=300)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leader in charge"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    lead_unit = models.ForeignKey(
        Department, verbose_name=_("lead unit"), on_delete=models.PROTECT, related_name="+"
    )
    co_units = models.ManyToManyField(
        Department, verbose_name=_("co-units"), blank=True, related_name="+"
    )
    target_date = models.DateField(_("target date"))
    item = models.OneToOneField(
        Item, null=True, blank=True, on_delete=models.SET_NULL, related_name="key_task"
    )

    class Meta:
        ordering = ["theme", "n"]
        verbose_name = _("key task")
        verbose_name_plural = _("key tasks")
        constraints = [models.UniqueConstraint(fields=["theme", "n"], name="key_task_n_unique")]

    def __str__(self) -> str:
        return f"{self.n}. {self.title}"


# --- Unit plans (年度绩效与工作计划): indicator library, templates, plans, check-ins ----------


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class CheckInPeriod(models.TextChoices):
    """How often a plan's indicators are checked in: four quarters or twelve months a year."""

    QUARTERLY = "quarterly", _("Quarterly")
    MONTHLY = "monthly", _("Monthly")


class IndicatorKind(models.TextChoices):
    CORE = "core", _("Core indicator")
    ROUTINE = "routine", _("Routine indicator")


class Indicator(models.Model):
    """An indicator of the library (指标库): what is measured and how it is scored."""

    class Rule(models.TextChoices):
        LINEAR = "linear", _("Linear, capped at the target")
        THRESHOLD = "threshold", _("Full marks at the target, none below")
        MILESTONES = "milestones", _("A quarter of the marks per milestone reached")
        GRADE_MAP = "grade_map", _("Marks by grade of progress (90/75/60 %)")

    name = models.CharField(_("indicator"), max_length=200)
    definition = models.TextField(_("definition"), blank=True)
    measure = models.CharField(_("unit of measure"), max_length=30, blank=True)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )
    baseline = models.DecimalField(_("baseline"), max_digits=14, decimal_places=2)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2)
    # The share of the way from baseline to target expected by the end of Q1..Q3 (Q4 = 100).
    milestones = models.CharField(_("quarterly milestones (%)"), max_length=40, default="25,50,75")
    data_source = models.CharField(_("data source"), max_length=200, blank=True)
    evidence_required = models.BooleanField(_("evidence required"), default=False)
    rule = models.CharField(
        _("scoring rule"), max_length=20, choices=Rule.choices, default=Rule.LINEAR
    )

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class PlanTemplate(models.Model):
    """The same indicators for every unit of a kind, applied in one step."""

    name = models.CharField(_("template"), max_length=200)
    unit_kind = models.CharField(_("kind of unit"), max_length=20, choices=Department.Kind.choices)
    period = models.CharField(
        _("check-in period"),
        max_length=10,
        choices=CheckInPeriod.choices,
        default=CheckInPeriod.QUARTERLY,
    )

    def __str__(self) -> str:
        return self.name


class TemplateLine(models.Model):
    template = models.ForeignKey(PlanTemplate, on_delete=models.CASCADE, related_name="lines")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=IndicatorKind.choices)
    weight = models.PositiveSmallIntegerField(_("weight"))
    key_task = models.ForeignKey(
        KeyTask, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["template", "pk"]

    def __str__(self) -> str:
        return f"{self.template_id}: {self.indicator_id} ({self.weight})"


class Plan(models.Model):
    """A second-level unit's annual performance and work plan."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Waiting for approval")
        APPROVED = "approved", _("Approved")

    unit = models.ForeignKey(
        Department, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="plans"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    template = models.ForeignKey(
        PlanTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="plans"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    # Quarterly plans have four check-ins a year, monthly ones twelve (``CheckIn.quarter`` is
    # then the month).
    period = models.CharField(
        _("check-in period"),
        max_length=10,
        choices=CheckInPeriod.choices,
        default=CheckInPeriod.QUARTERLY,
    )
    # What the institution's dashboard shows of the plan (its lines by light, weighted score,
    # check-ins per period and lights per quarter), kept by every write to it
    # (``plans.changed``); None until counted.
    figures = models.JSONField(_("figures"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-year", "unit__order", "unit__code"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="performance_plan_unit_year")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.unit}"

    def get_absolute_url(self) -> str:
        return reverse("performance:plan", args=[self.pk])


class PlanLine(models.Model):
    """One indicator of a plan, with this unit's baseline, target and weight."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="lines")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    key_task = models.ForeignKey(
        KeyTask, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=IndicatorKind.choices)
    weight = models.PositiveSmallIntegerField(_("weight"))
    baseline = models.DecimalField(_("baseline"), max_digits=14, decimal_places=2)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2)
    # The latest check-in's figures, kept here so a plan's page reads one row per line.
    progress = models.DecimalField(
        _("progress (%)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    light = models.CharField(_("light"), max_length=10, blank=True)

    class Meta:
        ordering = ["plan", "pk"]

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.indicator_id} ({self.weight})"


class CheckIn(models.Model):
    """A period's value for one indicator, with its narrative and evidence (进展填报)."""

    line = models.ForeignKey(PlanLine, on_delete=models.CASCADE, related_name="checkins")
    # The period's number in the plan's year: the quarter (1–4) of a quarterly plan, the month
    # (1–12) of a monthly one.
    quarter = models.PositiveSmallIntegerField(_("period"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    narrative = models.TextField(_("narrative"), blank=True)
    evidence = models.FileField(_("evidence"), upload_to="plans/%Y/%m/", blank=True)
    progress = models.DecimalField(_("progress (%)"), max_digits=6, decimal_places=2)
    light = models.CharField(_("light"), max_length=10)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["line", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["line", "quarter"], name="performance_checkin_quarter")
        ]

    def __str__(self) -> str:
        return f"{self.line_id} Q{self.quarter}: {self.value}"


class TargetChange(models.Model):
    """A change of an approved plan's target: waits for its own approval; the row keeps the
    old target, so every version of the line stays readable."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    line = models.ForeignKey(PlanLine, on_delete=models.CASCADE, related_name="changes")
    old_target = models.DecimalField(_("old target"), max_digits=14, decimal_places=2)
    new_target = models.DecimalField(_("new target"), max_digits=14, decimal_places=2)
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    # The plan's version this change made, once approved.
    version = models.PositiveSmallIntegerField(_("version"), null=True, blank=True)
    request = models.OneToOneField(
        "workflows.ServiceRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["line", "pk"]

    def __str__(self) -> str:
        return f"{self.line_id}: {self.old_target} → {self.new_target}"


# --- Evaluation (考核): mid-year and annual summaries, scores, veto, quota, results -------------


class Grade(models.TextChoices):
    # The grade's own words in each language ("Pass" and "Fail" also name other things).
    EXCELLENT = "excellent", pgettext_lazy("grade", "Excellent")
    GOOD = "good", pgettext_lazy("grade", "Good")
    PASS = "pass", pgettext_lazy("grade", "Pass")
    FAIL = "fail", pgettext_lazy("grade", "Fail")


class Evaluation(models.Model):
    """A year's (or half-year's) evaluation of every unit with a plan."""

    class Period(models.TextChoices):
        MID_YEAR = "mid", _("Mid-year")
        ANNUAL = "annual", _("Annual")

    class Status(models.TextChoices):
        SCORING = "scoring", _("Scoring")
        SUBMITTED = "submitted", _("Waiting for approval")
        APPROVED = "approved", _("Approved")

    year = models.PositiveSmallIntegerField(_("year"))
    period = models.CharField(_("period"), max_length=10, choices=Period.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SCORING
    )
    # At most this share of the units may be rated excellent.
    quota_excellent = models.PositiveSmallIntegerField(_("excellent quota (%)"), default=30)
    committee = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("committee"),
        blank=True,
        related_name="evaluations_scored",
    )
    request = models.OneToOneField(
        "workflows.ServiceRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    archive_code = models.CharField(_("archival code"), max_length=80, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "period"], name="performance_evaluation_year_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_period_display()}"

    def get_absolute_url(self) -> str:
        return reverse("performance:evaluation", args=[self.pk])


class EvaluationEntry(models.Model):
    """One unit in an evaluation: its self-score (computed), items, veto, the scores given."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="entries")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        Department, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    self_score = models.DecimalField(_("self-score"), max_digits=6, decimal_places=2, default=0)
    bonus = models.DecimalField(_("bonus"), max_digits=5, decimal_places=2, default=0)
    penalty = models.DecimalField(_("penalty"), max_digits=5, decimal_places=2, default=0)
    items_note = models.CharField(_("bonus and penalty items"), max_length=500, blank=True)
    veto = models.BooleanField(_("veto (一票否决)"), default=False)
    veto_reason = models.CharField(_("veto reason"), max_length=300, blank=True)
    reviewer_score = models.DecimalField(
        _("reviewer's score"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    committee_score = models.DecimalField(
        _("committee's score"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    final_score = models.DecimalField(_("final score"), max_digits=6, decimal_places=2, default=0)
    grade = models.CharField(_("grade"), max_length=10, choices=Grade.choices, blank=True)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)

    class Meta:
        ordering = ["evaluation", "rank", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "unit"], name="performance_entry_evaluation_unit"
            )
        ]

    def __str__(self) -> str:
        return f"{self.evaluation_id}: {self.unit_id} {self.final_score}"


class ScoreItem(models.Model):
    """A bonus or penalty item of the catalogue (加分项 / 减分项) that evaluators pick from;
    edited in admin."""

    class Kind(models.TextChoices):
        BONUS = "bonus", _("Bonus")
        PENALTY = "penalty", _("Penalty")

    name = models.CharField(_("item"), max_length=200)
    name_en = models.CharField(_("item (English)"), max_length=200, blank=True)
    kind = models.CharField(_("bonus or penalty"), max_length=10, choices=Kind.choices)
    points = models.DecimalField(
        _("points"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal(20))],
    )
    evidence_required = models.BooleanField(_("evidence required"), default=False)
    active = models.BooleanField(_("offered"), default=True)

    class Meta:
        ordering = ["kind", "name", "pk"]
        verbose_name = _("bonus or penalty item")
        verbose_name_plural = _("bonus and penalty items")

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        from hall.models import reading_english

        return self.name_en if reading_english() and self.name_en else self.name


class EntryItem(models.Model):
    """A catalogue item applied to one unit in an evaluation, with its note and evidence; its
    points and kind are copied, so a later edit of the catalogue leaves the score as given."""

    entry = models.ForeignKey(EvaluationEntry, on_delete=models.CASCADE, related_name="items")
    item = models.ForeignKey(ScoreItem, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("bonus or penalty"), max_length=10, choices=ScoreItem.Kind.choices)
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=2)
    note = models.CharField(_("note"), max_length=500)
    evidence = models.FileField(_("evidence"), upload_to="evaluations/%Y/%m/", blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["entry", "pk"]
        verbose_name = _("bonus or penalty of a unit")
        verbose_name_plural = _("bonuses and penalties of units")

    def __str__(self) -> str:
        return f"{self.entry_id}: {self.item_id} {self.points}"


# --- Coordination of disputes between offices (协调) -------------------------------------------


class Coordination(models.Model):
    """A dispute between units that the office coordinates: the parties' positions, meetings
    and opinions, the office's proposed solution, the leader's decision through a chain, which
    then becomes a supervision item."""

    class Status(models.TextChoices):
        OPEN = "open", _("Being coordinated")
        SUBMITTED = "submitted", _("With the leader for decision")
        DECIDED = "decided", _("Decided")

    title = models.CharField(_("title"), max_length=200)
    matter = models.TextField(_("the matter in dispute"))
    parties = models.ManyToManyField(
        Department, verbose_name=_("parties"), related_name="coordinations"
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coordinator"),
        on_delete=models.PROTECT,
        related_name="coordinations_led",
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leader who decides"),
        on_delete=models.PROTECT,
        related_name="coordinations_decided",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    proposal = models.TextField(_("proposed solution"), blank=True)
    decision = models.TextField(_("leader's decision"), blank=True)
    request = models.OneToOneField(
        "workflows.ServiceRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    item = models.OneToOneField(
        Item, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The party that leads the supervision item the decision becomes (the others co-units).
    lead_party = models.ForeignKey(
        Department,
        verbose_name=_("lead party"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    positions_due = models.DateTimeField(_("positions due by"), null=True, blank=True)
    meeting_at = models.DateTimeField(_("coordination meeting at"), null=True, blank=True)
    meeting_place = models.CharField(_("meeting place"), max_length=200, blank=True)
    submitted_at = models.DateTimeField(_("sent to the leader at"), null=True, blank=True)
    # The tick's next moment (a position deadline, a meeting, a decision pending too long).
    remind_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["remind_at"],
                name="coord_remind_open",
                condition=models.Q(remind_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("performance:coordination", args=[self.pk])


class CoordinationNote(models.Model):
    """A party's position, the record of a coordination meeting, or an opinion."""

    class Kind(models.TextChoices):
        POSITION = "position", _("Position of a party")
        MEETING = "meeting", _("Coordination meeting")
        OPINION = "opinion", _("Opinion")

    case = models.ForeignKey(Coordination, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    unit = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("text"))
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["case", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class WeightChange(models.Model):
    """A change of an approved plan's weights (all its lines at once, still totalling 100):
    waits for its own approval; old and new weights are kept, with the version it made."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="weight_changes")
    # {line id: weight} before and after, as strings of the ids (JSON keys).
    old_weights = models.JSONField(_("old weights"))
    new_weights = models.JSONField(_("new weights"))
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    version = models.PositiveSmallIntegerField(_("version"), null=True, blank=True)
    request = models.OneToOneField(
        "workflows.ServiceRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["plan", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan"],
                condition=models.Q(status="pending"),
                name="one_pending_weight_change",
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.old_weights} → {self.new_weights}"

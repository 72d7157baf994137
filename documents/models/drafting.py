"""Drafting tasks (专报、讲话稿、政府工作报告、调研报告) and government affairs information
(政务信息)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hall.models import Department

# --- drafting tasks (专报、讲话稿、政府工作报告、调研报告) ---------------------------------------


class DraftingTask(models.Model):
    """A text the office has its writers draft, with material collected from named units, its
    versions, a review chain and, once approved, its final text filed in the archives."""

    class Kind(models.TextChoices):
        SPECIAL_REPORT = "special-report", _("Special report (专报)")
        SPEECH = "speech", _("Leader's speech (讲话稿)")
        WORK_REPORT = "work-report", _("Government work report (政府工作报告)")
        RESEARCH = "research", _("Investigation and research report (调研报告)")

    class Status(models.TextChoices):
        DRAFTING = "drafting", _("Drafting")
        IN_REVIEW = "in_review", _("In review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    office = models.ForeignKey(
        Department,
        verbose_name=_("office in charge"),
        on_delete=models.CASCADE,
        related_name="drafting_tasks",
    )
    writers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("writers"), related_name="drafting_tasks"
    )
    deadline = models.DateField(_("deadline"))
    body = models.TextField(_("text"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFTING
    )
    request = models.ForeignKey(
        "workflows.ServiceRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    archive_code = models.CharField(_("archive code"), max_length=80, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("drafting task")
        verbose_name_plural = _("drafting tasks")
        indexes = [
            models.Index(fields=["office", "-created_at"], name="drafting_office_created"),
            models.Index(fields=["status", "deadline"], name="drafting_status_deadline"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("documents:drafting-detail", args=[self.pk])


class DraftingVersion(models.Model):
    """The text of a drafting task as it stood before a later save."""

    task = models.ForeignKey(DraftingTask, on_delete=models.CASCADE, related_name="versions")
    n = models.PositiveSmallIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    saved_at = models.DateTimeField(_("saved at"))

    class Meta:
        ordering = ["task", "n"]
        verbose_name = _("drafting version")
        verbose_name_plural = _("drafting versions")
        constraints = [
            models.UniqueConstraint(fields=["task", "n"], name="drafting_version_unique_n")
        ]

    def __str__(self) -> str:
        return f"{self.task_id} v{self.n}"


class Material(models.Model):
    """What one unit is asked to contribute to a drafting task, by its own deadline: a checked
    file and a note. ``reminded`` counts the reminders sent (0, 1 before, 2 on the day)."""

    task = models.ForeignKey(DraftingTask, on_delete=models.CASCADE, related_name="materials")
    department = models.ForeignKey(
        Department, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+"
    )
    asked = models.CharField(_("what is asked"), max_length=300, blank=True)
    due_date = models.DateField(pgettext_lazy("drafting", "due date"))
    file = models.FileField(_("file"), upload_to="drafting/%Y/%m", blank=True)
    note = models.TextField(_("note"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reminded = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["task", "due_date", "pk"]
        verbose_name = _("unit material")
        verbose_name_plural = _("unit materials")
        constraints = [
            models.UniqueConstraint(fields=["task", "department"], name="material_once_per_unit")
        ]
        indexes = [
            models.Index(
                fields=["due_date"],
                condition=models.Q(submitted_at=None, reminded__lt=2),
                name="material_to_remind",
            ),
            models.Index(fields=["department", "-due_date"], name="material_unit_due"),
        ]

    def __str__(self) -> str:
        return f"{self.task} · {self.department}"

    def get_absolute_url(self) -> str:
        return reverse("documents:material", args=[self.pk])


# --- government affairs information (政务信息) -----------------------------------------------


class InfoIssue(models.Model):
    """An issue of 信息专报 or 简报 compiled from adopted items, numbered per kind and year."""

    class Kind(models.TextChoices):
        SPECIAL = "special", _("Special information report (信息专报)")
        BRIEF = "brief", _("Briefing (简报)")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    sent_to = models.CharField(_("sent to"), max_length=200, blank=True)
    compiled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    compiled_at = models.DateTimeField(_("compiled at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    archive_code = models.CharField(_("archive code"), max_length=80, blank=True)

    class Meta:
        ordering = ["-year", "-number", "-pk"]
        verbose_name = _("information issue")
        verbose_name_plural = _("information issues")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "year", "number"], name="info_issue_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year}-{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("documents:info-issue", args=[self.pk])


class InfoItem(models.Model):
    """An item of government affairs information a unit submits to the editors."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ADOPTED = "adopted", _("Adopted")
        REJECTED = "rejected", _("Rejected")

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    department = models.ForeignKey(
        Department, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+"
    )
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_on = models.DateField(_("date"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issue = models.ForeignKey(
        InfoIssue, null=True, blank=True, on_delete=models.SET_NULL, related_name="items"
    )
    upper_adopted_on = models.DateField(_("adopted by the upper level on"), null=True, blank=True)
    upper_adopted_by = models.CharField(_("adopted by (upper level)"), max_length=200, blank=True)

    class Meta:
        ordering = ["-submitted_on", "-pk"]
        verbose_name = _("information item")
        verbose_name_plural = _("information items")
        indexes = [
            models.Index(fields=["department", "-submitted_on"], name="info_unit_date"),
            models.Index(fields=["status", "-submitted_on"], name="info_status_date"),
            # the score table counts a period's items
            models.Index(fields=["submitted_on"], name="info_date"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("documents:info-item", args=[self.pk])


class InfoPoints(models.Model):
    """Points a unit earns per submitted, adopted and upper-adopted item (edited in admin)."""

    class Event(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ADOPTED = "adopted", _("Adopted")
        UPPER = "upper", _("Adopted by the upper level")

    event = models.CharField(_("event"), max_length=12, choices=Event.choices, unique=True)
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=1)

    class Meta:
        verbose_name = _("information points")
        verbose_name_plural = _("information points")

    def __str__(self) -> str:
        return f"{self.get_event_display()}: {self.points}"

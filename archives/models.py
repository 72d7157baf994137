"""Archival records after DA/T 22-2015: fonds, the year / retention / organization classes,
item numbers without gaps, files with their SHA-256, and an append-only event log."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from guardian.models import UserObjectPermissionBase


class Retention(models.TextChoices):
    PERMANENT = "Y", _("Permanent")
    THIRTY_YEARS = "D30", _("30 years")
    TEN_YEARS = "D10", _("10 years")


RETENTION_YEARS = {Retention.THIRTY_YEARS: 30, Retention.TEN_YEARS: 10}


def appraisal_year_for(year: int, retention: str) -> int | None:
    """Retention runs from 1 January of the year after the record's year; a record is due for
    appraisal in the year after its period ends. Permanent records are never due."""
    years = RETENTION_YEARS.get(retention)
    return None if years is None else year + years + 1


class Fonds(models.Model):
    """全宗: the archives of one institution."""

    code = models.CharField(_("fonds number"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=200)
    uses_org_codes = models.BooleanField(
        _("codes include the organization"),
        default=True,
        help_text=_("Whether archival codes carry the organization (department) code."),
    )

    class Meta:
        verbose_name = _("fonds")
        verbose_name_plural = _("fonds")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class OrganizationCode(models.Model):
    """The code a department's documents carry in archival codes (e.g. XZB for 校长办公室)."""

    fonds = models.ForeignKey(Fonds, on_delete=models.CASCADE, related_name="org_codes")
    department = models.ForeignKey(
        "hall.Department", on_delete=models.CASCADE, related_name="archive_codes"
    )
    code = models.CharField(_("organization code"), max_length=10)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["fonds", "department"], name="org_code_per_dept"),
            models.UniqueConstraint(fields=["fonds", "code"], name="org_code_unique"),
        ]
        verbose_name = _("organization code")
        verbose_name_plural = _("organization codes")

    def __str__(self) -> str:
        return f"{self.code} {self.department}"


class ItemCounter(models.Model):
    """The last item number used in one lowest class. Locked while a record is numbered, and
    incremented in the same transaction, so numbers have no gaps and never repeat."""

    fonds = models.ForeignKey(Fonds, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    retention = models.CharField(max_length=3, choices=Retention.choices)
    org_code = models.CharField(max_length=10, blank=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["fonds", "year", "retention", "org_code"], name="one_counter_per_class"
            )
        ]

    def __str__(self) -> str:
        return f"{self.fonds_id}/{self.year}/{self.retention}/{self.org_code}: {self.last}"


class Record(models.Model):
    class Status(models.TextChoices):
        KEPT = "kept", _("Kept")
        DESTROYED = "destroyed", _("Destroyed (residual record)")

    class Security(models.TextChoices):
        PUBLIC = "public", _("Public")
        INTERNAL = "internal", _("Internal")
        CONFIDENTIAL = "confidential", _("Confidential")

    fonds = models.ForeignKey(Fonds, on_delete=models.PROTECT, related_name="records")
    year = models.PositiveSmallIntegerField(_("year"))
    retention = models.CharField(_("retention"), max_length=3, choices=Retention.choices)
    org_code = models.CharField(_("organization code"), max_length=10, blank=True)
    item_number = models.PositiveIntegerField(_("item number"))
    code = models.CharField(_("archival code"), max_length=60, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=500)
    responsible = models.CharField(_("responsible party"), max_length=200, blank=True)
    doc_number = models.CharField(_("document number"), max_length=100, blank=True)
    date = models.DateField(_("date"))
    pages = models.PositiveIntegerField(_("pages"), default=0)
    security = models.CharField(
        _("security level"), max_length=20, choices=Security.choices, default=Security.INTERNAL
    )
    remarks = models.TextField(_("remarks"), blank=True)
    metadata = models.JSONField(_("metadata"), default=dict, blank=True)
    search_text = models.TextField(editable=False, default="")
    department = models.ForeignKey(
        "hall.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # NULL for manual accessions (they may repeat), unique for filed packages (exactly once).
    source_ref = models.CharField(  # noqa: DJ001
        _("source"),
        max_length=100,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Where a filed package came from, e.g. workflows.request:42."),
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.KEPT)
    # Moves when an appraisal keeps or extends the record; the code's retention part never does.
    appraisal_year = models.PositiveSmallIntegerField(
        _("due for appraisal in"), null=True, blank=True, db_index=True
    )
    created_at = models.DateTimeField(_("filed"), auto_now_add=True)
    destroyed_at = models.DateTimeField(_("destroyed"), null=True, blank=True)

    class Meta:
        ordering = ["-year", "retention", "org_code", "item_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["fonds", "year", "retention", "org_code", "item_number"],
                name="item_number_once_per_class",
            )
        ]
        indexes = [
            models.Index(fields=["year", "retention"], name="record_class_idx"),
            models.Index(fields=["department", "year"], name="record_dept_idx"),
        ]
        verbose_name = _("record")
        verbose_name_plural = _("records")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("archives:record-detail", args=[self.pk])


def record_file_path(instance: "RecordFile", filename: str) -> str:
    digest = instance.sha256
    return f"archives/{instance.record.year}/{digest[:2]}/{digest}-{filename[-60:]}"


class RecordFile(models.Model):
    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="files")
    file = models.FileField(upload_to=record_file_path, max_length=300)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256 at capture"), max_length=64)
    checked_at = models.DateTimeField(_("last fixity check"), null=True, blank=True)
    intact = models.BooleanField(_("intact at last check"), default=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("record file")
        verbose_name_plural = _("record files")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("archives:file", args=[self.record_id, self.pk])


class ArchiveEvent(models.Model):
    """The archive's log: capture, view, download, appraise, lend, destroy, fixity. The
    database refuses UPDATE and DELETE on this table (a trigger), so tampering shows."""

    class Kind(models.TextChoices):
        CAPTURE = "capture", _("Captured")
        VIEW = "view", _("Viewed")
        DOWNLOAD = "download", _("Downloaded")
        APPRAISE = "appraise", _("Appraised")
        LEND = "lend", _("Lent")
        DESTROY = "destroy", _("Destroyed")
        FIXITY = "fixity", _("Fixity check failed")
        HOLD = "hold", _("Disposal hold")
        RETURN = "return", pgettext_lazy("loan", "Returned")

    record = models.ForeignKey(
        Record, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("archive event")
        verbose_name_plural = _("archive events")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.record_id}"


class Loan(models.Model):
    """A borrowing request: approved, it lets the borrower read the records until the due date."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Lent")
        REFUSED = "refused", _("Refused")
        RETURNED = "returned", pgettext_lazy("loan", "Returned")
        EXPIRED = "expired", _("Expired")

    borrower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="archive_loans"
    )
    records = models.ManyToManyField(Record, related_name="loans")
    purpose = models.CharField(_("purpose"), max_length=300)
    scope = models.CharField(_("scope"), max_length=300, blank=True)
    due_on = models.DateField(_("due date"))
    originals = models.BooleanField(
        _("paper originals taken out"),
        default=False,
        help_text=_("Originals must be returned; overdue reminders run until they are."),
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    # The approval chain that decides the loan (workflows.request:<id>).
    source_ref = models.CharField(max_length=100, unique=True, null=True, blank=True)  # noqa: DJ001
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["borrower", "status", "due_on"], name="loan_access_idx")]
        verbose_name = _("loan")
        verbose_name_plural = _("loans")

    def __str__(self) -> str:
        return f"{self.borrower} · {self.due_on}"

    def get_absolute_url(self) -> str:
        return reverse("archives:loan-detail", args=[self.pk])


class RecordUserObjectPermission(UserObjectPermissionBase):
    """A borrower's grant to read one record (django-guardian, direct foreign key) with an end:
    checks ignore it after ``expires_at``, and the hourly sweep deletes it."""

    content_object = models.ForeignKey(Record, on_delete=models.CASCADE)
    loan = models.ForeignKey(Loan, null=True, blank=True, on_delete=models.CASCADE)
    expires_at = models.DateTimeField(db_index=True)

    class Meta(UserObjectPermissionBase.Meta):
        abstract = False


class DisposalHold(models.Model):
    """A hold (litigation, audit, an enquiry) that blocks a record's destruction until released."""

    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="holds")
    reason = models.CharField(_("reason"), max_length=300)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField(auto_now_add=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-placed_at"]
        indexes = [
            models.Index(
                fields=["record"],
                condition=models.Q(released_at__isnull=True),
                name="hold_active_idx",
            )
        ]
        verbose_name = _("disposal hold")
        verbose_name_plural = _("disposal holds")

    def __str__(self) -> str:
        return f"{self.record_id}: {self.reason}"


class Appraisal(models.Model):
    """An appraisal batch: the archivist's proposal per record, decided through an approval
    chain (the catalogue service ARCHIVE-APPRAISAL)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    number = models.CharField(_("number"), max_length=20, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    source_ref = models.CharField(max_length=100, unique=True, null=True, blank=True)  # noqa: DJ001
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("appraisal")
        verbose_name_plural = _("appraisals")

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("archives:appraisal-detail", args=[self.pk])


class AppraisalItem(models.Model):
    class Decision(models.TextChoices):
        KEEP = "keep", _("Keep permanently")
        EXTEND = "extend", _("Extend")
        DESTROY = "destroy", _("Destroy")

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="items")
    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="appraisals")
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    extend_years = models.PositiveSmallIntegerField(_("extend by (years)"), default=10)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    destroyed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["appraisal", "record"], name="record_once_per_appraisal"
            )
        ]

    def __str__(self) -> str:
        return f"{self.appraisal_id}/{self.record_id}: {self.decision}"

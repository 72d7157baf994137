"""Archival records after DA/T 22-2015: fonds, the year / retention / organization classes,
item numbers without gaps, files with their SHA-256, and an append-only event log."""

import re
import unicodedata
import uuid
from datetime import date as date_type
from datetime import datetime, time, timedelta
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
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


ORG_CODE_FORM = re.compile(r"[A-Z0-9]{3}")


def clean_org_code(code: str) -> str:
    """An organization code as DA/T 22-2015 gives it: three capital letters or digits (BGS).
    Full-width forms and lower case are mended; anything else is refused."""
    code = unicodedata.normalize("NFKC", code or "").strip().upper()
    if not ORG_CODE_FORM.fullmatch(code):
        raise ValidationError(
            _("An organization code is three capital letters or digits (DA/T 22-2015), e.g. BGS."),
            code="org_code_form",
        )
    return code


class OrganizationCode(models.Model):
    """The code a department's documents carry in archival codes (e.g. XZB for 校长办公室).
    A new or changed code must have the standard's form; a code from before the rule stays as
    it is (records filed under it keep their archival codes)."""

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

    def clean(self) -> None:
        super().clean()
        stored = None
        if self.pk:
            stored = OrganizationCode.objects.filter(pk=self.pk).values_list("code", flat=True)
            stored = stored.first()
        if self.code != stored:
            try:
                self.code = clean_org_code(self.code)
            except ValidationError as exc:
                raise ValidationError({"code": exc.messages}) from exc


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


def loan_ends(due_on: date_type) -> datetime:
    """A loan's access ends when its due date ends, local time."""
    return timezone.make_aware(datetime.combine(due_on + timedelta(days=1), time.min))


class LoanQuerySet(models.QuerySet):
    def out(self) -> "LoanQuerySet":
        """Lent and not returned (paper originals stay out past the due date until returned)."""
        return self.filter(status=Loan.Status.APPROVED, returned_at=None)

    def overdue(self, today: date_type | None = None) -> "LoanQuerySet":
        return self.out().filter(due_on__lt=today or timezone.localdate())


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

    objects = LoanQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["borrower", "status", "due_on"], name="loan_access_idx")]
        verbose_name = _("loan")
        verbose_name_plural = _("loans")

    def __str__(self) -> str:
        return f"{self.borrower} · {self.due_on}"

    def get_absolute_url(self) -> str:
        return reverse("archives:loan-detail", args=[self.pk])

    @property
    def is_out(self) -> bool:
        return self.status == self.Status.APPROVED and self.returned_at is None

    @property
    def is_overdue(self) -> bool:
        return self.is_out and self.due_on < timezone.localdate()

    @property
    def readable(self) -> bool:
        """Whether the loan still lets its borrower read the records (until the due date ends)."""
        return self.status == self.Status.APPROVED and timezone.now() < loan_ends(self.due_on)


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


# --- office: certificates, statistics report, training, chronicle ---

# Imported here, not at the top, so this section stays self-contained in a shared file.


def certificate_scan_path(instance: "Certificate", filename: str) -> str:
    # A random part: numbers of certificates are not secret, but the scans are.
    return f"archives/certificates/{uuid.uuid4().hex}-{filename[-60:]}"


class Certificate(models.Model):
    """资质证书: a certificate the university holds, its scan, who keeps the paper original."""

    class Kind(models.TextChoices):
        LEGAL_PERSON = "legal_person", _("Legal person certificate")
        SCHOOL_LICENCE = "school_licence", _("School operating licence")
        CREDIT_CODE = "credit_code", _("Unified social credit code certificate")
        QUALIFICATION = "qualification", _("Qualification certificate")
        ACCREDITATION = "accreditation", _("Accreditation certificate")
        PERMIT = "permit", _("Permit or licence")
        OTHER = "other", _("Other certificate")

    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("certificate name"), max_length=200)
    number = models.CharField(_("certificate number"), max_length=100)
    issuer = models.CharField(_("issued by"), max_length=200)
    valid_until = models.DateField(
        _("valid until"), null=True, blank=True, help_text=_("Leave empty if it never expires.")
    )
    custodian = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("custodian"),
        on_delete=models.PROTECT,
        related_name="custodied_certificates",
    )
    scan = models.FileField(_("scan"), upload_to=certificate_scan_path, max_length=300, blank=True)
    scan_name = models.CharField(max_length=200, blank=True)
    remarks = models.TextField(_("remarks"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = [models.F("valid_until").asc(nulls_last=True), "id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "number"], name="certificate_number_once")
        ]
        indexes = [models.Index(fields=["valid_until"], name="certificate_expiry_idx")]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self) -> str:
        return f"{self.name} {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("archives:cert-detail", args=[self.pk])

    def days_left(self, today: date_type) -> int | None:
        return None if self.valid_until is None else (self.valid_until - today).days


CERTIFICATE_REMINDER_DAYS = (60, 30, 7)


class CertificateReminder(models.Model):
    """One row per certificate, threshold and expiry date: the reminder went out. A renewed
    certificate (a new expiry date) is reminded again."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="+")
    days = models.PositiveSmallIntegerField()
    valid_until = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "days", "valid_until"], name="certificate_reminded_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.certificate_id}: {self.days} days before {self.valid_until}"


class CertificateLoan(models.Model):
    """The paper original taken out of the cabinet; one open loan per certificate at a time."""

    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="loans")
    borrower = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("borrower"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    purpose = models.CharField(_("purpose"), max_length=300)
    lent_at = models.DateTimeField(_("lent at"), auto_now_add=True)
    due_on = models.DateField(_("due date"))
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    lent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    returned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-lent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["certificate"],
                condition=models.Q(returned_at__isnull=True),
                name="certificate_lent_once",
            )
        ]
        verbose_name = _("certificate loan")
        verbose_name_plural = _("certificate loans")

    def __str__(self) -> str:
        return f"{self.certificate_id} → {self.borrower_id}"


class ReportItem(NamedTuple):
    key: str
    label: str
    group: str


class ReportRule(NamedTuple):
    total: str
    parts: tuple[str, ...]


# 高等教育基本统计报表: the figures each unit reports (whole numbers, none negative).
REPORT_GROUPS = {
    "staff": _("Staff"),
    "students": _("Students"),
    "facilities": _("Facilities"),
}
REPORT_ITEMS = (
    ReportItem("staff_total", _("Staff, total"), "staff"),
    ReportItem("teachers", _("Full-time teachers"), "staff"),
    ReportItem("admin_staff", _("Administrative staff"), "staff"),
    ReportItem("support_staff", _("Teaching support staff"), "staff"),
    ReportItem("other_staff", _("Other staff"), "staff"),
    ReportItem("professors", _("Teachers: professors"), "staff"),
    ReportItem("associate_professors", _("Teachers: associate professors"), "staff"),
    ReportItem("lecturers", _("Teachers: lecturers"), "staff"),
    ReportItem("assistants", _("Teachers: assistants and untitled"), "staff"),
    ReportItem("students_total", _("Students, total"), "students"),
    ReportItem("undergraduates", _("Undergraduates"), "students"),
    ReportItem("postgraduates", _("Postgraduates"), "students"),
    ReportItem("masters", _("Postgraduates: master's students"), "students"),
    ReportItem("doctoral", _("Postgraduates: doctoral students"), "students"),
    ReportItem("other_students", _("Other students"), "students"),
    ReportItem("new_enrolment", _("New enrolment this year"), "students"),
    ReportItem("graduated", _("Graduated this year"), "students"),
    ReportItem("floor_area", _("Floor area (m²)"), "facilities"),
    ReportItem("library_books", _("Library books (volumes)"), "facilities"),
    ReportItem("computers", _("Computers"), "facilities"),
)
REPORT_KEYS = tuple(item.key for item in REPORT_ITEMS)
REPORT_RULES = (
    ReportRule("staff_total", ("teachers", "admin_staff", "support_staff", "other_staff")),
    ReportRule("teachers", ("professors", "associate_professors", "lecturers", "assistants")),
    ReportRule("students_total", ("undergraduates", "postgraduates", "other_students")),
    ReportRule("postgraduates", ("masters", "doctoral")),
)
REPORTER_ROLES = ("admin", "statistician")


class ReportTask(models.Model):
    """One year's Basic Statistics Report of Higher Education, sent to some units."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    deadline = models.DateField(_("deadline"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("statistics report task")
        verbose_name_plural = _("statistics report tasks")

    def __str__(self) -> str:
        return str(self.year)

    def get_absolute_url(self) -> str:
        return reverse("archives:report-detail", args=[self.pk])


class ReportForm(models.Model):
    """One unit's form of a report task: figures keyed by REPORT_ITEMS, saved, then submitted."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Not submitted")
        SUBMITTED = "submitted", _("Submitted")

    task = models.ForeignKey(ReportTask, on_delete=models.CASCADE, related_name="forms")
    department = models.ForeignKey(
        "hall.Department",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="statistics_forms",
    )
    values = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["task", "department__order", "department__code"]
        constraints = [
            models.UniqueConstraint(fields=["task", "department"], name="report_form_per_unit")
        ]
        indexes = [models.Index(fields=["department", "status"], name="report_form_unit_idx")]
        verbose_name = _("statistics report form")
        verbose_name_plural = _("statistics report forms")

    def __str__(self) -> str:
        return f"{self.task_id}/{self.department_id}"

    def get_absolute_url(self) -> str:
        return reverse("archives:report-form", args=[self.pk])


class ReportReminder(models.Model):
    """The deadline reminder of one unit's form went out (once)."""

    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="+")
    days = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["form", "days"], name="report_reminded_once")
        ]

    def __str__(self) -> str:
        return f"{self.form_id}: {self.days} days"


class TrainingRecord(models.Model):
    """Training of the archivists: a course, when, how long, who took part."""

    course = models.CharField(_("course"), max_length=200)
    date = models.DateField(_("date"), db_index=True)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("participants"), related_name="+"
    )
    remarks = models.TextField(_("remarks"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("training record")
        verbose_name_plural = _("training records")

    def __str__(self) -> str:
        return f"{self.date} {self.course}"


class ChronicleEntry(models.Model):
    """大事记: one event in the university's chronicle, with the records that document it."""

    date = models.DateField(_("date"), db_index=True)
    text = models.TextField(_("event"))
    records = models.ManyToManyField(
        Record, verbose_name=_("records"), blank=True, related_name="chronicle_entries"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("chronicle entry")
        verbose_name_plural = _("chronicle entries")

    def __str__(self) -> str:
        return f"{self.date} {self.text[:40]}"

"""Outgoing documents (发文): issuing authorities, drafts and their versions, numbers,
readers of classified documents, dispatch and filing rules, copy numbers (份号) and the government
gazette (政府公报)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase

from hall.models import Bilingual, Department


class DocType(models.TextChoices):
    """The fifteen kinds of the 党政机关公文处理工作条例 (2012), in its order."""

    RESOLUTION = "resolution", _("Resolution (决议)")
    DECISION = "decision", _("Decision (决定)")
    ORDER = "order", _("Order (命令)")
    COMMUNIQUE = "communique", _("Communiqué (公报)")
    ANNOUNCEMENT = "announcement", _("Announcement (公告)")
    PUBLIC_NOTICE = "public-notice", _("Public notice (通告)")
    OPINION = "opinion", _("Opinion (意见)")
    NOTICE = "notice", _("Notice (通知)")
    CIRCULAR = "circular", _("Circular (通报)")
    REPORT = "report", _("Report (报告)")
    REQUEST = "request", _("Request for instructions (请示)")
    REPLY = "reply", _("Reply (批复)")
    MOTION = "motion", _("Motion (议案)")
    LETTER = "letter", _("Letter (函)")
    MINUTES = "minutes", _("Minutes (纪要)")


DOC_TYPE_ZH = {
    "resolution": "决议",
    "decision": "决定",
    "order": "命令",
    "communique": "公报",
    "announcement": "公告",
    "public-notice": "通告",
    "opinion": "意见",
    "notice": "通知",
    "circular": "通报",
    "report": "报告",
    "request": "请示",
    "reply": "批复",
    "motion": "议案",
    "letter": "函",
    "minutes": "纪要",
}

# Documents sent up to a higher authority name their signer (签发人) in the header.
UPWARD_TYPES = (DocType.REPORT, DocType.REQUEST)


class Security(models.TextChoices):
    NONE = "", _("Not classified")
    INTERNAL = "internal", _("Internal (内部)")
    CONFIDENTIAL = "confidential", _("Confidential (秘密)")
    SECRET = "secret", _("Secret (机密)")


# Above 内部: only the drafting department, the chain, the office and the named readers.
CLASSIFIED = (Security.CONFIDENTIAL, Security.SECRET)


class Urgency(models.TextChoices):
    NONE = "", _("Normal")
    EXTRA = "extra", _("Extra urgent (特急)")
    URGENT = "urgent", _("Urgent (加急)")


class Authority(Bilingual, models.Model):
    """An issuing authority (发文机关) and its 代字, e.g. 校办发 for the president's office."""

    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=150, blank=True)
    prefix = models.CharField(
        _("document prefix (代字)"),
        max_length=20,
        unique=True,
        help_text=_("As in the reference number: 校办发〔2026〕3号 has the prefix 校办发."),
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("issuing department"),
        on_delete=models.CASCADE,
        related_name="document_authorities",
    )
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["prefix"]
        verbose_name = _("issuing authority")
        verbose_name_plural = _("issuing authorities")

    def __str__(self) -> str:
        return f"{self.name_zh}（{self.prefix}）"


class Outgoing(models.Model):
    """An outgoing document (发文), kept as structured fields from the draft to its number."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        SIGNED = "signed", _("Signed off")
        REGISTERED = "registered", _("Registered")
        REJECTED = "rejected", _("Rejected")
        VOID = "void", _("Void")

    doc_type = models.CharField(_("document type"), max_length=20, choices=DocType.choices)
    authority = models.ForeignKey(
        Authority,
        verbose_name=_("issuing authority"),
        on_delete=models.CASCADE,
        related_name="documents",
    )
    title = models.CharField(_("title"), max_length=200)
    to_departments = models.ManyToManyField(
        Department, verbose_name=_("main addressees"), blank=True, related_name="documents_to"
    )
    to_others = models.CharField(
        _("main addressees outside the hall"),
        max_length=300,
        blank=True,
        help_text=_("Outside bodies, separated by 、 or commas."),
    )
    copy_departments = models.ManyToManyField(
        Department, verbose_name=_("copies to"), blank=True, related_name="documents_copied"
    )
    copy_others = models.CharField(_("copies to outside bodies"), max_length=300, blank=True)
    body = models.TextField(
        _("body"),
        blank=True,
        help_text=_("Headings as text lines: 一、 then （一） then 1. then （1）."),
    )
    security = models.CharField(
        _("security level"), max_length=20, choices=Security.choices, blank=True, default=""
    )
    security_period = models.CharField(
        _("period of secrecy"), max_length=20, blank=True, help_text=_("For example 1年 or 6个月.")
    )
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, blank=True, default=""
    )
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signer (签发人)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("drafting department"),
        null=True,
        on_delete=models.CASCADE,
        related_name="drafted_documents",
    )
    drafter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drafter"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="drafted_documents",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    request = models.ForeignKey(
        "workflows.ServiceRequest",
        verbose_name=_("approval request"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("year of the number"), null=True, blank=True)
    seq = models.PositiveIntegerField(_("sequence number"), null=True, blank=True)
    # NULL until registered: NULLs don't collide in the unique index.
    number = models.CharField(  # noqa: DJ001
        _("reference number"), max_length=40, unique=True, null=True, blank=True
    )
    registered_at = models.DateTimeField(_("registered at"), null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    void_reason = models.CharField(_("reason for voiding"), max_length=300, blank=True)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("saved at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    archive_code = models.CharField(_("archival code (档号)"), max_length=80, blank=True)
    in_reply_to = models.ForeignKey(
        "Incoming",
        verbose_name=_("reply to the request"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replies",
    )
    # The gazette takes only documents marked public (never a classified or internal one).
    is_public = models.BooleanField(
        _("public (may enter the gazette)"),
        default=False,
        help_text=_("Issued documents marked public may be published in the government gazette."),
    )
    # The minutes format (纪要): its issue number and the people at the meeting.
    minutes_issue = models.PositiveSmallIntegerField(
        _("minutes issue number (期)"), null=True, blank=True
    )
    present = models.TextField(_("present (出席)"), blank=True)
    attending = models.TextField(_("attending (列席)"), blank=True)
    absent = models.TextField(_("on leave (请假)"), blank=True)
    # Minutes of a meeting are for the meeting's people: once issued, only the named readers,
    # the staff of the main addressee departments, the drafting department and the office.
    readers_only = models.BooleanField(
        _("only for its named readers and addressees"), default=False
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("outgoing document")
        verbose_name_plural = _("outgoing documents")
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "year", "seq"], name="outgoing_one_document_per_number"
            )
        ]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="outgoing_status_created"),
            models.Index(fields=["department", "-created_at"], name="outgoing_dept_created"),
            models.Index(fields=["year", "seq"], name="outgoing_year_seq"),
            # The register's order: the newest first, read off the index and stopped at a page.
            models.Index(fields=["-created_at", "-id"], name="outgoing_created"),
        ]

    def __str__(self) -> str:
        return self.number or self.title

    def get_absolute_url(self) -> str:
        return reverse("documents:detail", args=[self.pk])

    @property
    def is_upward(self) -> bool:
        return self.doc_type in UPWARD_TYPES

    @property
    def is_classified(self) -> bool:
        return self.security in CLASSIFIED


class Version(models.Model):
    """The text of a document as it stood before a later save (kept once it was submitted)."""

    document = models.ForeignKey(Outgoing, on_delete=models.CASCADE, related_name="versions")
    n = models.PositiveSmallIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saved by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    saved_at = models.DateTimeField(_("saved at"))

    class Meta:
        ordering = ["document", "n"]
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        constraints = [
            models.UniqueConstraint(fields=["document", "n"], name="version_unique_per_document")
        ]

    def __str__(self) -> str:
        return f"{self.document_id} v{self.n}"


class NumberCounter(models.Model):
    """The last number given per 代字 and year; registration locks this row (select_for_update)."""

    prefix = models.CharField(_("document prefix (代字)"), max_length=20)
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("number counter")
        verbose_name_plural = _("number counters")
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="counter_unique_prefix_year")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}〔{self.year}〕{self.last}"


class OutgoingUserObjectPermission(UserObjectPermissionBase):
    """A named reader of a classified document (django-guardian, direct foreign key)."""

    content_object = models.ForeignKey(Outgoing, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        abstract = False


# --- dispatch and filing ---------------------------------------------------------------------

# Retention of an issued document in the archives, by type, unless admin set a rule: the
# normative and founding kinds are kept for good, everyday correspondence for ten years.
DEFAULT_RETENTION = {
    "resolution": "Y",
    "decision": "Y",
    "order": "Y",
    "communique": "Y",
    "announcement": "Y",
    "motion": "Y",
    "public-notice": "D30",
    "opinion": "D30",
    "notice": "D30",
    "circular": "D30",
    "report": "D30",
    "request": "D30",
    "reply": "D30",
    "minutes": "D30",
    "letter": "D10",
    # Information issues (政务信息), filed once sent upward: their kinds have a rule too.
    "info-special": "D30",
    "info-brief": "D10",
}

# What a retention rule is for: the fifteen document types, then the information issues' kinds.
RETENTION_KINDS = [
    *DocType.choices,
    ("info-special", _("Special information report (信息专报)")),
    ("info-brief", _("Briefing (简报)")),
]


class RetentionRule(models.Model):
    """How long the archives keep an issued document of one type, or a sent information issue
    of one kind (editable in admin)."""

    class Period(models.TextChoices):
        # The archives' own codes (archives.models.Retention).
        PERMANENT = "Y", _("Permanent")
        THIRTY_YEARS = "D30", _("30 years")
        TEN_YEARS = "D10", _("10 years")

    doc_type = models.CharField(
        _("document type"), max_length=20, choices=RETENTION_KINDS, unique=True
    )
    retention = models.CharField(_("retention"), max_length=3, choices=Period.choices)

    class Meta:
        ordering = ["doc_type"]
        verbose_name = _("retention of a document type")
        verbose_name_plural = _("retention of document types")

    def __str__(self) -> str:
        return f"{self.get_doc_type_display()}: {self.get_retention_display()}"


class Dispatch(models.Model):
    """An issued document sent to one addressee department inside the hall, and its signature
    on arrival (签收)."""

    class Kind(models.TextChoices):
        MAIN = "main", _("Main addressee")
        COPY = "copy", _("Copy")

    document = models.ForeignKey(Outgoing, on_delete=models.CASCADE, related_name="dispatches")
    department = models.ForeignKey(
        Department,
        verbose_name=_("addressee department"),
        on_delete=models.CASCADE,
        related_name="received_documents",
    )
    kind = models.CharField(_("as"), max_length=10, choices=Kind.choices, default=Kind.MAIN)
    sent_at = models.DateTimeField(_("dispatched at"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_at = models.DateTimeField(_("signed for at"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed for by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("dispatch")
        verbose_name_plural = _("dispatches")
        constraints = [
            models.UniqueConstraint(
                fields=["document", "department"], name="dispatch_once_per_department"
            )
        ]
        indexes = [
            models.Index(fields=["department", "-sent_at"], name="dispatch_dept_sent"),
        ]

    def __str__(self) -> str:
        return f"{self.document} → {self.department}"


# --- copy numbers (份号) -----------------------------------------------------------------------


class PrintRun(models.Model):
    """One print run of a document: copies first..last, each carrying its 份号 (GB/T 9704 §7.2.1).
    Numbers are unique per document: a run starts after the document's last one."""

    document = models.ForeignKey(Outgoing, on_delete=models.CASCADE, related_name="print_runs")
    first = models.PositiveIntegerField(_("first copy number"))
    last = models.PositiveIntegerField(_("last copy number"))
    printed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("printed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    printed_at = models.DateTimeField(_("printed at"))

    class Meta:
        ordering = ["document", "first"]
        verbose_name = _("print run")
        verbose_name_plural = _("print runs")
        constraints = [
            models.UniqueConstraint(fields=["document", "first"], name="printrun_unique_first"),
            models.CheckConstraint(
                condition=models.Q(first__gte=1, last__gte=models.F("first")),
                name="printrun_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document_id}: {self.first:06d}–{self.last:06d}"

    @property
    def count(self) -> int:
        return self.last - self.first + 1


# --- the government gazette (政府公报) ---------------------------------------------------------


class GazetteIssue(models.Model):
    """An issue of the gazette: compiled by the office from public issued documents; numbered
    (year, number) without gaps when it is published, and then public to everyone."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Being compiled")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    number = models.PositiveSmallIntegerField(_("issue number"), null=True, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    pdf = models.FileField(_("PDF"), upload_to="gazette/", blank=True)
    pages = models.PositiveSmallIntegerField(_("pages"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-year", "-number", "-pk"]
        verbose_name = _("gazette issue")
        verbose_name_plural = _("gazette issues")
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="gazette_one_issue_per_number")
        ]
        indexes = [
            models.Index(fields=["status", "-year", "-number"], name="gazette_status_year"),
        ]

    def __str__(self) -> str:
        return self.label_zh

    @property
    def label_zh(self) -> str:
        return f"{self.year}年第{self.number}期" if self.number else "（待编期号）"


class GazetteEntry(models.Model):
    """A document in an issue, at its place in the contents. A document enters one issue."""

    issue = models.ForeignKey(GazetteIssue, on_delete=models.CASCADE, related_name="entries")
    document = models.OneToOneField(
        Outgoing, on_delete=models.PROTECT, related_name="gazette_entry"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    page = models.PositiveSmallIntegerField(_("page"), null=True, blank=True)

    class Meta:
        ordering = ["issue", "position", "pk"]
        verbose_name = _("gazette entry")
        verbose_name_plural = _("gazette entries")

    def __str__(self) -> str:
        return f"{self.issue} · {self.document}"

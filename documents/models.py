"""Official documents (公文): issuing authorities, outgoing documents, versions and numbers."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
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
}


class RetentionRule(models.Model):
    """How long the archives keep an issued document of one type (editable in admin)."""

    class Period(models.TextChoices):
        # The archives' own codes (archives.models.Retention).
        PERMANENT = "Y", _("Permanent")
        THIRTY_YEARS = "D30", _("30 years")
        TEN_YEARS = "D10", _("10 years")

    doc_type = models.CharField(
        _("document type"), max_length=20, choices=DocType.choices, unique=True
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


# --- incoming documents (收文) -----------------------------------------------------------------


class Incoming(models.Model):
    """A document that arrived in a department: a file, a call, a fax or a dispatch inside the
    hall, from its signature (签收) to the end of its handling (办结)."""

    class Source(models.TextChoices):
        FILE = "file", _("A file")
        CALL = "call", _("A call (来电)")
        FAX = "fax", _("A fax (传真)")
        HALL = "hall", _("Dispatched inside the hall")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Signed for (签收)")
        REGISTERED = "registered", _("Registered (登记)")
        RETURNED = "returned", _("Returned to the sender")
        REVIEWED = "reviewed", _("Checked (初审)")
        PROPOSED = "proposed", _("Handling proposed (拟办)")
        INSTRUCTED = "instructed", _("Instructed (批示)")
        HANDLING = "handling", _("Being handled (承办)")
        DONE = "done", _("Done (办结)")

    department = models.ForeignKey(
        Department,
        verbose_name=_("receiving department"),
        on_delete=models.CASCADE,
        related_name="incoming_documents",
    )
    source = models.CharField(_("arrived as"), max_length=10, choices=Source.choices)
    sender = models.CharField(_("from"), max_length=200)
    sender_number = models.CharField(_("sender's reference number"), max_length=60, blank=True)
    title = models.CharField(_("title"), max_length=200)
    note = models.TextField(
        _("content or call note"),
        blank=True,
        help_text=_("For a call: who called and what was said."),
    )
    file = models.FileField(_("file or scan"), upload_to="incoming/%Y/%m", blank=True)
    is_request = models.BooleanField(
        _("request for instructions (请示)"),
        default=False,
        help_text=_("From a subordinate unit; answered by a reply (批复)."),
    )
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, blank=True, default=""
    )
    dispatch = models.OneToOneField(
        Dispatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="incoming"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    received_at = models.DateTimeField(_("signed for at"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    seq = models.PositiveIntegerField(_("incoming number"), null=True, blank=True)
    return_reason = models.CharField(_("reason for returning"), max_length=300, blank=True)
    proposal = models.TextField(_("proposed handling (拟办意见)"), blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leader to instruct"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="incoming_to_instruct",
    )
    lead_unit = models.ForeignKey(
        Department,
        verbose_name=_("lead unit (主办)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="incoming_led",
    )
    co_units = models.ManyToManyField(
        Department, verbose_name=_("co-units (协办)"), blank=True, related_name="incoming_assisted"
    )
    due_date = models.DateField(_("to be done by"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("incoming document")
        verbose_name_plural = _("incoming documents")
        constraints = [
            models.UniqueConstraint(
                fields=["department", "year", "seq"], name="incoming_one_number_per_department"
            )
        ]
        indexes = [
            models.Index(fields=["department", "-received_at"], name="incoming_dept_received"),
            models.Index(fields=["lead_unit", "status"], name="incoming_lead_status"),
            models.Index(fields=["status", "due_date"], name="incoming_status_due"),
            models.Index(fields=["-received_at", "-id"], name="incoming_received"),
        ]

    def __str__(self) -> str:
        return self.number or self.title

    def get_absolute_url(self) -> str:
        return reverse("documents:incoming-detail", args=[self.pk])

    @property
    def number(self) -> str:
        """The incoming number, 收〔YYYY〕N号, once registered."""
        return f"收〔{self.year}〕{self.seq}号" if self.seq else ""


class IncomingCounter(models.Model):
    """The last incoming number per department and year (locked while registering)."""

    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["department", "year"], name="incoming_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.department_id} {self.year}: {self.last}"


class Instruction(models.Model):
    """A leader's instruction (批示) on an incoming document: one row each, referred to by
    others (supervision) as ``documents.instruction:<pk>``."""

    incoming = models.ForeignKey(Incoming, on_delete=models.CASCADE, related_name="instructions")
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leader"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="document_instructions",
    )
    text = models.TextField(_("instruction"))
    created_at = models.DateTimeField(_("given at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("leader's instruction")
        verbose_name_plural = _("leaders' instructions")

    def __str__(self) -> str:
        return f"{self.leader}: {self.text[:40]}"

    @property
    def source_ref(self) -> str:
        return f"documents.instruction:{self.pk}"


class Circulation(models.Model):
    """An incoming document sent round to one reader (传阅), with its purpose and read mark."""

    incoming = models.ForeignKey(Incoming, on_delete=models.CASCADE, related_name="circulations")
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reader"),
        on_delete=models.CASCADE,
        related_name="document_circulations",
    )
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # The next reminder (催阅) the tick sends while it is unread; a due time in Postgres.
    remind_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["sent_at", "pk"]
        verbose_name = _("circulation")
        verbose_name_plural = _("circulations")
        constraints = [
            models.UniqueConstraint(
                fields=["incoming", "reader"], name="circulation_once_per_reader"
            )
        ]
        indexes = [
            models.Index(
                fields=["remind_at"],
                name="circulation_remind_due",
                condition=models.Q(read_at__isnull=True, remind_at__isnull=False),
            ),
            models.Index(fields=["reader", "-sent_at"], name="circulation_reader_sent"),
        ]

    def __str__(self) -> str:
        return f"{self.incoming_id} → {self.reader}"


# --- seals (印章) ------------------------------------------------------------------------------


class Seal(Bilingual, models.Model):
    """A seal in the register: who keeps it, what kind, and whether it is in use."""

    class Kind(models.TextChoices):
        OFFICIAL = "official", _("Official seal (公章)")
        PARTY = "party", _("Party seal (党委章)")
        CONTRACT = "contract", _("Contract seal (合同专用章)")
        FINANCE = "finance", _("Finance seal (财务专用章)")
        STEEL = "steel", _("Steel stamp (钢印)")

    class Status(models.TextChoices):
        ACTIVE = "active", _("In use")
        REVOKED = "revoked", _("Revoked")

    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=150, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.CASCADE, related_name="seals"
    )
    custodian = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("custodian"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="kept_seals",
    )
    image = models.FileField(
        _("image"), upload_to="seals/", blank=True, help_text=_("A PNG of the impression.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    activated_on = models.DateField(_("in use from"), null=True, blank=True)
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)

    class Meta:
        ordering = ["department", "kind", "pk"]
        verbose_name = _("seal")
        verbose_name_plural = _("seals")

    def __str__(self) -> str:
        return self.name_zh

    def get_absolute_url(self) -> str:
        return reverse("documents:seal-detail", args=[self.pk])


class SealUse(models.Model):
    """A request to use a seal (用印) on a document or an uploaded file, approved by a chain and
    then recorded by the custodian when the seal is applied."""

    class Status(models.TextChoices):
        IN_REVIEW = "in_review", _("In review")
        APPROVED = "approved", _("Approved, to be sealed")
        APPLIED = "applied", _("Sealed")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    seal = models.ForeignKey(
        Seal, verbose_name=_("seal"), on_delete=models.CASCADE, related_name="uses"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    department = models.ForeignKey(
        Department, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    document = models.ForeignKey(
        Outgoing,
        verbose_name=_("document"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="seal_uses",
    )
    file = models.FileField(_("file to seal"), upload_to="seal-uses/%Y/%m", blank=True)
    purpose = models.CharField(_("purpose"), max_length=300)
    copies = models.PositiveSmallIntegerField(_("copies"), default=1)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.IN_REVIEW
    )
    request = models.ForeignKey(
        "workflows.ServiceRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    applied_at = models.DateTimeField(_("sealed at"), null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    applied_copies = models.PositiveSmallIntegerField(_("copies sealed"), null=True, blank=True)
    scan = models.FileField(_("scan of the sealed copy"), upload_to="seal-uses/%Y/%m", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("seal use")
        verbose_name_plural = _("seal uses")
        indexes = [models.Index(fields=["seal", "-created_at"], name="sealuse_seal_created")]

    def __str__(self) -> str:
        return f"{self.seal} · {self.purpose[:30]}"

    def get_absolute_url(self) -> str:
        return reverse("documents:seal-use", args=[self.pk])


class SealLoan(models.Model):
    """A seal taken out of the office (外带) with a due time, until it is returned."""

    seal = models.ForeignKey(Seal, on_delete=models.CASCADE, related_name="loans")
    borrower = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("taken by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    purpose = models.CharField(_("purpose"), max_length=300)
    out_at = models.DateTimeField(_("taken out at"))
    due_at = models.DateTimeField(_("due back"))
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)

    class Meta:
        ordering = ["-out_at", "-pk"]
        verbose_name = _("seal taken out")
        verbose_name_plural = _("seals taken out")
        constraints = [
            models.UniqueConstraint(
                fields=["seal"], condition=models.Q(returned_at=None), name="seal_out_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.seal} → {self.borrower}"


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


# --- legal counsel (法律事务) ------------------------------------------------------------------


from django.utils.translation import pgettext_lazy  # noqa: E402


class Counsel(models.Model):
    """A member of the legal team: an internal counsel or a lawyer of the retained law firm."""

    class Kind(models.TextChoices):
        INTERNAL = "internal", _("Internal counsel")
        FIRM = "firm", _("Retained law firm")

    name = models.CharField(pgettext_lazy("legal", "name"), max_length=100)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("hall account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="counsel",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    firm = models.CharField(_("law firm"), max_length=150, blank=True)
    specialty = models.CharField(_("specialty"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "name", "pk"]
        verbose_name = _("counsel")
        verbose_name_plural = _("counsels")

    def __str__(self) -> str:
        return self.name


class ContractKind(models.TextChoices):
    PURCHASE = "purchase", _("Purchase")
    SERVICE = "service", pgettext_lazy("legal", "Service")
    COOPERATION = "cooperation", _("Cooperation")
    LEASE = "lease", _("Lease")
    TECHNOLOGY = "technology", _("Technology")
    OTHER = "other", _("Other")


class ContractReview(models.Model):
    """A contract sent for review (合同审查): the department head's approval and the legal
    office's acceptance run as a catalogue chain; then a counsel reviews the versions."""

    class Status(models.TextChoices):
        IN_CHAIN = "in_chain", _("In approval")
        TO_ASSIGN = "to_assign", _("Waiting for a counsel")
        REVIEWING = "reviewing", _("With the counsel")
        REVISING = "revising", _("To be revised")
        CLOSED = "closed", pgettext_lazy("legal", "Closed")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Verdict(models.TextChoices):
        AGREE = "agree", _("Agree")
        CHANGES = "changes", _("Agree after changes")
        DISAGREE = "disagree", _("Disagree")

    title = models.CharField(_("contract"), max_length=200)
    counterparty = models.CharField(_("counterparty"), max_length=200)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2)
    kind = models.CharField(_("kind"), max_length=20, choices=ContractKind.choices)
    wanted_by = models.DateField(_("wanted by"))
    term_start = models.DateField(_("term from"), null=True, blank=True)
    term_end = models.DateField(_("term until"), null=True, blank=True)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.IN_CHAIN
    )
    counsel = models.ForeignKey(
        Counsel,
        verbose_name=_("counsel"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reviews",
    )
    verdict = models.CharField(
        _("final opinion"), max_length=10, choices=Verdict.choices, blank=True
    )
    request = models.ForeignKey(
        "workflows.ServiceRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("contract review")
        verbose_name_plural = _("contract reviews")
        indexes = [
            models.Index(fields=["department", "-created_at"], name="review_dept_created"),
            models.Index(fields=["counsel", "status"], name="review_counsel_status"),
            models.Index(fields=["status", "-created_at"], name="review_status_created"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("documents:legal-review", args=[self.pk])


class ReviewVersion(models.Model):
    """One version of the contract's text: 1 is the file sent with the request."""

    review = models.ForeignKey(ContractReview, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to="legal/contracts/%Y/%m")
    note = models.CharField(_("note"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["review", "number"]
        constraints = [
            models.UniqueConstraint(fields=["review", "number"], name="review_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.review} v{self.number}"


class ReviewOpinion(models.Model):
    """A counsel's opinion on one version: the verdict, the text and an annotated file."""

    review = models.ForeignKey(ContractReview, on_delete=models.CASCADE, related_name="opinions")
    version = models.ForeignKey(ReviewVersion, on_delete=models.CASCADE, related_name="+")
    counsel = models.ForeignKey(Counsel, on_delete=models.PROTECT, related_name="+")
    verdict = models.CharField(_("opinion"), max_length=10, choices=ContractReview.Verdict.choices)
    text = models.TextField(_("opinion text"))
    file = models.FileField(_("annotated file"), upload_to="legal/opinions/%Y/%m", blank=True)
    final = models.BooleanField(_("final opinion"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["review", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.review}: {self.get_verdict_display()}"


class Contract(models.Model):
    """The contract register (合同台账): a contract once its review closed with a yes."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("In force")
        EXPIRED = "expired", _("Expired")
        TERMINATED = "terminated", _("Terminated")

    number = models.CharField(_("number"), max_length=40, unique=True)
    title = models.CharField(_("contract"), max_length=200)
    parties = models.CharField(pgettext_lazy("legal", "parties"), max_length=300)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2)
    kind = models.CharField(_("kind"), max_length=20, choices=ContractKind.choices)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    term_start = models.DateField(_("term from"))
    term_end = models.DateField(_("term until"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE
    )
    review = models.OneToOneField(
        ContractReview, null=True, blank=True, on_delete=models.SET_NULL, related_name="contract"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["term_end", "pk"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        indexes = [
            models.Index(fields=["status", "term_end"], name="contract_status_end"),
            models.Index(fields=["department", "term_end"], name="contract_dept_end"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class LegalQuestion(models.Model):
    """A request for a legal opinion on another matter: a question, a counsel's answer."""

    class Status(models.TextChoices):
        TO_ASSIGN = "to_assign", _("Waiting for a counsel")
        ASSIGNED = "assigned", _("With the counsel")
        ANSWERED = "answered", _("Answered")

    title = models.CharField(_("matter"), max_length=200)
    question = models.TextField(pgettext_lazy("legal", "question"))
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    counsel = models.ForeignKey(
        Counsel,
        verbose_name=_("counsel"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="questions",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.TO_ASSIGN
    )
    answer = models.TextField(pgettext_lazy("legal", "answer"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("legal opinion")
        verbose_name_plural = _("legal opinions")
        indexes = [
            models.Index(fields=["department", "-created_at"], name="question_dept_created"),
            models.Index(fields=["counsel", "status"], name="question_counsel_status"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("documents:legal-question", args=[self.pk])


class LegalCase(models.Model):
    """A litigation or arbitration matter (案件) handled by a counsel."""

    class Role(models.TextChoices):
        PLAINTIFF = "plaintiff", _("Plaintiff")
        DEFENDANT = "defendant", _("Defendant")
        THIRD = "third", _("Third party")
        APPLICANT = "applicant", _("Applicant (arbitration)")
        RESPONDENT = "respondent", _("Respondent (arbitration)")

    class Status(models.TextChoices):
        FILED = "filed", _("Filed")
        TRIAL = "trial", _("In trial")
        JUDGED = "judged", _("Judged")
        CLOSED = "closed", pgettext_lazy("legal", "Closed")

    case_number = models.CharField(pgettext_lazy("legal", "case number"), max_length=80)
    court = models.CharField(_("court"), max_length=150)
    parties = models.CharField(pgettext_lazy("legal", "parties"), max_length=300)
    our_role = models.CharField(_("our role"), max_length=12, choices=Role.choices)
    cause = models.CharField(_("cause of action"), max_length=200)
    amount = models.DecimalField(
        _("amount in dispute (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    counsel = models.ForeignKey(
        Counsel,
        verbose_name=_("counsel"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.FILED
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("litigation matter")
        verbose_name_plural = _("litigation matters")
        indexes = [models.Index(fields=["counsel", "status"], name="case_counsel_status")]

    def __str__(self) -> str:
        return f"{self.case_number} {self.cause}"

    def get_absolute_url(self) -> str:
        return reverse("documents:legal-case", args=[self.pk])


class Hearing(models.Model):
    """A hearing date of a case; reminded 3 days and 1 day before."""

    case = models.ForeignKey(LegalCase, on_delete=models.CASCADE, related_name="hearings")
    at = models.DateTimeField(_("hearing at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["at"], name="hearing_at")]

    def __str__(self) -> str:
        return f"{self.case} @ {self.at:%Y-%m-%d %H:%M}"

"""The people's voices: one case record (工单) for every channel, its events, clocks,
extensions, notices, proposals and co-complainants, and the Open311 keys and posted requests.
"""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hall.models import Bilingual, Department


class CaseCategory(Bilingual, models.Model):
    """A node of the category tree (edited in admin): 城市管理 › 噪音."""

    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=150, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("case category")
        verbose_name_plural = _("case categories")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class CaseClock(models.Model):
    """How many working days a kind of case has (data, edited in admin)."""

    class Unit(models.TextChoices):
        WORKING_DAYS = "working_days", _("working days")
        DAYS = "days", _("calendar days")
        MONTHS = "months", _("months")

    kind = models.CharField(_("kind"), max_length=20, unique=True)
    working_days = models.PositiveIntegerField(
        _("working days"), help_text=_("0 means the end of the same working day.")
    )
    # 信访 counts calendar days and NPC/CPPCC replies months (their rules say so).
    unit = models.CharField(
        pgettext_lazy("clock", "unit"),
        max_length=20,
        choices=Unit.choices,
        default=Unit.WORKING_DAYS,
    )

    class Meta:
        verbose_name = _("case clock")
        verbose_name_plural = _("case clocks")

    def __str__(self) -> str:
        return f"{self.kind}: {self.working_days}"


class Case(models.Model):
    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone call")
        MAILBOX = "mailbox", _("Mailbox")
        ONLINE = "online", _("Online message")
        PETITION = "petition", _("Letters and visits")
        NPC = "npc", _("NPC deputy's suggestion")
        CPPCC = "cppcc", _("CPPCC proposal")

    class Kind(models.TextChoices):
        URGENT = "urgent", _("Urgent")
        ENQUIRY = "enquiry", _("Enquiry")
        COMPLAINT = "complaint", _("Complaint")
        SUGGESTION = "suggestion", _("Suggestion")

    class Status(models.TextChoices):
        NEW = "new", _("Received")
        NOT_ACCEPTED = "not_accepted", _("Not accepted")
        ACCEPTED = "accepted", pgettext_lazy("case", "Accepted")
        DISPATCHED = "dispatched", pgettext_lazy("case", "Dispatched")
        RETURNED = "returned", _("Returned by the unit")
        SIGNED = "signed", _("Being handled")
        REPLIED = "replied", _("Reply under review")
        CLOSED = "closed", pgettext_lazy("case", "Closed")
        DONE = "done", _("Called back")
        MERGED = "merged", _("Merged into another case")

    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", _("Satisfied")
        BASICALLY = "basically", _("Basically satisfied")
        DISSATISFIED = "dissatisfied", _("Dissatisfied")

    number = models.CharField(_("case number"), max_length=20, unique=True)
    # Given to the person with the number; the public look-up needs both.
    verification_code = models.CharField(max_length=12, editable=False)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    category = models.ForeignKey(
        CaseCategory,
        verbose_name=pgettext_lazy("case", "category"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("subject"), max_length=200)
    content = models.TextField(_("content"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    contact_name = models.CharField(_("name"), max_length=100, blank=True)
    contact_phone = models.CharField(_("phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("e-mail"), blank=True)
    anonymous = models.BooleanField(_("anonymous"), default=False)
    consent_to_publish = models.BooleanField(_("may be published"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW, db_index=True
    )
    not_accepted_reason = models.CharField(_("reason"), max_length=300, blank=True)
    lead_unit = models.ForeignKey(
        Department,
        verbose_name=pgettext_lazy("case", "lead unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    co_units = models.ManyToManyField(
        Department, verbose_name=_("co-units"), blank=True, related_name="+"
    )
    reply = models.TextField(pgettext_lazy("case", "reply"), blank=True)
    public_reply = models.TextField(_("public reply"), blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    satisfaction = models.CharField(
        _("satisfaction"), max_length=20, choices=Satisfaction.choices, blank=True
    )
    reopened = models.PositiveIntegerField(_("times reopened"), default=0)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The address an online message came from (for the rate limit), never shown.
    source_address = models.GenericIPAddressField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The next moment the reminder tick looks at this case (reception/case_clock.py).
    remind_at = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_cases",
    )
    # An imported mailbox message's Message-ID: the same message imported twice is one case.
    message_id = models.CharField(max_length=300, blank=True, editable=False)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["lead_unit", "status", "-created_at"], name="case_unit_status"),
            models.Index(fields=["source_address", "created_at"], name="case_source_at"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["message_id"], condition=~models.Q(message_id=""), name="case_message_id"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("reception:case", args=[self.pk])


class CaseEvent(models.Model):
    """One step of a case's loop, kept in order: who did what, with the words they gave."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.action


class Open311Key(models.Model):
    """An Open311 client's api_key, issued in admin; a revoked key is refused with 403."""

    name = models.CharField(_("client"), max_length=100)
    key = models.CharField(_("api key"), max_length=64, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 api key")
        verbose_name_plural = _("Open311 api keys")

    def __str__(self) -> str:
        return self.name


class CaseExtension(models.Model):
    """The lead unit's request for more time, decided by a catalogue chain; the case's deadline
    moves only when the chain approves."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Not granted")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extensions")
    old_due = models.DateTimeField(_("present deadline"))
    new_due = models.DateTimeField(_("new deadline asked"))
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    request = models.OneToOneField(
        "workflows.ServiceRequest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="case_extension",
    )
    # A proposal made complex after acceptance: its deadline becomes the 6-month clock's.
    makes_complex = models.BooleanField(_("made complex"), default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("case extension")
        verbose_name_plural = _("case extensions")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status="pending"),
                name="case_one_pending_extension",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.new_due:%Y-%m-%d}"


class CaseNotice(models.Model):
    """A written notice to the person (信访: of acceptance or not, of an extension, of the
    reply), kept as the text that was given, to print or send."""

    class Kind(models.TextChoices):
        ACCEPTED = "accepted", _("Notice of acceptance")
        NOT_ACCEPTED = "not_accepted", _("Notice of non-acceptance")
        EXTENDED = "extended", _("Notice of extension")
        REPLY = "reply", _("Written reply")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    addressee = models.CharField(_("addressee"), max_length=100, blank=True)
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("written notice")
        verbose_name_plural = _("written notices")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.get_kind_display()


class CaseProposal(models.Model):
    """What an NPC deputy's suggestion or a CPPCC proposal adds to its case: 届/次, number,
    proposers and the grade of the reply. 主办 and 会办 are the case's lead unit and co-units."""

    class Grade(models.TextChoices):
        A = "A", _("A: solved or adopted")
        B = "B", _("B: being solved or planned")
        C = "C", _("C: kept for reference")

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="proposal")
    term = models.PositiveIntegerField(_("term (届)"))
    session = models.PositiveIntegerField(_("session (次)"))
    proposal_number = models.CharField(_("proposal number"), max_length=30)
    first_proposer = models.CharField(_("first proposer"), max_length=100)
    co_signers = models.CharField(_("co-signers"), max_length=500, blank=True)
    is_complex = models.BooleanField(_("complex (6 months)"), default=False)
    grade = models.CharField(
        pgettext_lazy("proposal reply", "grade"), max_length=1, choices=Grade.choices, blank=True
    )
    # Co-handling units' opinions are due to the lead unit within a month.
    co_due_at = models.DateTimeField(_("co-handlers' opinions due"), null=True, blank=True)

    class Meta:
        verbose_name = _("suggestion or proposal")
        verbose_name_plural = _("suggestions and proposals")

    def __str__(self) -> str:
        return f"{self.term}-{self.session} {self.proposal_number}"


class CaseComplainant(models.Model):
    """A person who joined a case when their own case was merged into it (并件); they get the
    same reply."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="complainants")
    from_case = models.OneToOneField(
        Case, on_delete=models.CASCADE, related_name="+", verbose_name=_("merged case")
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    anonymous = models.BooleanField(_("anonymous"), default=False)
    replied_at = models.DateTimeField(_("reply given"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("co-complainant")
        verbose_name_plural = _("co-complainants")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.name


class CaseCategoryAttribute(models.Model):
    """One question an Open311 client asks for a category (the spec's service definition)."""

    class Datatype(models.TextChoices):
        STRING = "string", _("Short text")
        NUMBER = "number", _("Number")
        DATETIME = "datetime", _("Date and time")
        TEXT = "text", _("Long text")
        SINGLE = "singlevaluelist", _("One of a list")
        MULTI = "multivaluelist", _("Several of a list")

    category = models.ForeignKey(
        CaseCategory,
        on_delete=models.CASCADE,
        related_name="attributes",
        verbose_name=_("category"),
    )
    code = models.SlugField(_("code"), max_length=60)
    description = models.CharField(_("question"), max_length=300)
    datatype = models.CharField(
        _("datatype"), max_length=20, choices=Datatype.choices, default=Datatype.STRING
    )
    required = models.BooleanField(_("required"), default=False)
    # For the two list datatypes: [{"key": "...", "name": "..."}].
    values = models.JSONField(_("values"), default=list, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("category attribute")
        verbose_name_plural = _("category attributes")
        ordering = ["category", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="case_attribute_code")
        ]

    def __str__(self) -> str:
        return f"{self.category.code}/{self.code}"


class Open311Request(models.Model):
    """What an Open311 client posted beside the case: its key (for the per-key rate limit), the
    token it may ask about, the location and the attributes' answers."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="open311")
    api_key = models.ForeignKey(Open311Key, on_delete=models.PROTECT, related_name="+")
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    lat = models.FloatField(null=True, blank=True)
    long = models.FloatField(null=True, blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    media_url = models.URLField(blank=True, max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 request")
        verbose_name_plural = _("Open311 requests")
        indexes = [models.Index(fields=["api_key", "created_at"], name="open311_key_recent")]

    def __str__(self) -> str:
        return str(self.token)


class CaseAttachment(models.Model):
    """A file that came with a case (an imported mail's attachments), checked by hall.uploads."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="reception/cases/%Y/%m/")
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveIntegerField(_("size"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("case attachment")
        verbose_name_plural = _("case attachments")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.name


class CaseOpinion(models.Model):
    """会办意见: a co-handling unit's own opinion on a proposal, due to the lead unit within a
    month of acceptance; the tick reminds the unit once before and once at the deadline."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="opinions")
    unit = models.ForeignKey(
        Department, verbose_name=_("co-unit"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(pgettext_lazy("co-handler", "opinion"), blank=True)
    due_at = models.DateTimeField(_("due"))
    remind_at = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    given_at = models.DateTimeField(_("given"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("co-handler's opinion")
        verbose_name_plural = _("co-handlers' opinions")
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["case", "unit"], name="case_opinion_unit")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.unit_id}"


class ProposalFeedback(models.Model):
    """The proposer's satisfaction form (征询意见表) for one reply: the office fills it from the
    proposer's answer, or the proposer opens the tokened link; either way once."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="feedback")
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The case's ``reopened`` count when the reply went out: one form per reply.
    round = models.PositiveIntegerField(default=0)
    contact = models.CharField(
        _("contact before the reply"), max_length=20, choices=Case.Satisfaction.choices, blank=True
    )
    attitude = models.CharField(
        _("attitude of the handling unit"),
        max_length=20,
        choices=Case.Satisfaction.choices,
        blank=True,
    )
    result = models.CharField(
        _("result"), max_length=20, choices=Case.Satisfaction.choices, blank=True
    )
    opinion = models.TextField(_("opinions and suggestions"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    # None when the proposer answered through the link.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("proposer's satisfaction form")
        verbose_name_plural = _("proposers' satisfaction forms")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "round"], name="proposal_feedback_round")
        ]

    def __str__(self) -> str:
        return f"{self.case_id}/{self.round}"

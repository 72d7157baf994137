"""The Service Center: resources for activities and their bookings.

A booking blocks its resource from ``blocked_from`` to ``blocked_until``: its own time widened by
the resource's set-up and clean-up buffers, kept in real columns so that the database itself
refuses two confirmed bookings whose blocked ranges overlap (a Postgres exclusion constraint over
``tstzrange(blocked_from, blocked_until)`` with ``btree_gist`` for the resource; see migration
0002). On SQLite the same rule is a service-level check under a write lock.
"""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hall.models import Bilingual, Department


class Resource(Bilingual, models.Model):
    class Kind(models.TextChoices):
        ROOM = "room", _("Meeting room")
        HALL = "hall", _("Hall")
        CAR = "car", _("Car")
        EQUIPMENT = "equipment", _("Equipment")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=150, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("managed by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("People (or seats of a car).")
    )
    features = models.CharField(
        _("features"),
        max_length=300,
        blank=True,
        help_text=_("Comma-separated, e.g. projector, video conference, microphones."),
    )
    opens_at = models.TimeField(_("bookable from"), null=True, blank=True)
    closes_at = models.TimeField(
        _("bookable until"),
        null=True,
        blank=True,
        help_text=_("Leave both hours empty for a resource bookable round the clock."),
    )
    setup_minutes = models.PositiveIntegerField(_("set-up buffer (minutes)"), default=0)
    cleanup_minutes = models.PositiveIntegerField(_("clean-up buffer (minutes)"), default=0)
    needs_approval = models.BooleanField(
        _("booking needs approval"),
        default=False,
        help_text=_("Then a booking waits for the chain of the service “Resource booking”."),
    )
    # The secret of the resource's iCalendar feed; changing it revokes the old address.
    feed_token = models.UUIDField(_("feed token"), default=uuid.uuid4, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["kind", "order", "code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("reception:resource", args=[self.pk])

    def feature_list(self) -> list[str]:
        return [f.strip() for f in self.features.replace("，", ",").split(",") if f.strip()]


class Blackout(models.Model):
    """A period in which a resource cannot be booked (repairs, an exam, a holiday closure)."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="blackouts")
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        verbose_name = _("blackout period")
        verbose_name_plural = _("blackout periods")
        indexes = [models.Index(fields=["resource", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="blackout_ends_after"
            )
        ]

    def __str__(self) -> str:
        return self.reason


class Series(models.Model):
    """A recurring booking: one rule (RRULE), its occurrences, and the dates it skipped."""

    class Freq(models.TextChoices):
        DAILY = "DAILY", _("Daily")
        WEEKLY = "WEEKLY", _("Weekly")

    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="series")
    booker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    rrule = models.CharField(_("recurrence rule"), max_length=200)
    first_start = models.DateTimeField(_("first start"))
    minutes = models.PositiveIntegerField(_("length (minutes)"))
    attendees = models.PositiveIntegerField(_("people"), default=1)
    # ISO dates the series was made without because they conflicted; addable later.
    skipped = models.JSONField(_("skipped dates"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("booking series")
        verbose_name_plural = _("booking series")

    def __str__(self) -> str:
        return self.title


class Booking(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        CONFIRMED = "confirmed", _("Confirmed")
        REFUSED = "refused", pgettext_lazy("booking", "Refused")
        CANCELLED = "cancelled", _("Cancelled")

    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="bookings")
    booker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings"
    )
    title = models.CharField(_("title"), max_length=200)
    attendees = models.PositiveIntegerField(_("people"), default=1)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    blocked_from = models.DateTimeField(editable=False)
    blocked_until = models.DateTimeField(editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.CONFIRMED
    )
    series = models.ForeignKey(
        Series, on_delete=models.CASCADE, null=True, blank=True, related_name="bookings"
    )
    # The approval request (workflows) when the resource needs approval.
    request = models.ForeignKey(
        "workflows.ServiceRequest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        indexes = [
            models.Index(fields=["resource", "blocked_from"], name="booking_resource_from"),
            models.Index(fields=["booker", "-starts_at"], name="booking_booker_starts"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="booking_ends_after"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reception:booking", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.CONFIRMED)


# ---------------------------------------------------------------------------------------------
# The people's voices: one case record (工单) for every channel.


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

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["lead_unit", "status", "-created_at"], name="case_unit_status"),
            models.Index(fields=["source_address", "created_at"], name="case_source_at"),
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


class Leader(models.Model):
    """A leader whose schedule the office keeps, with the secret of the leader's calendar feed."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="leader_profile",
    )
    position_zh = models.CharField(_("position (Chinese)"), max_length=100)
    position_en = models.CharField(_("position (English)"), max_length=150, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    # Changing the token revokes the feed's old address.
    feed_token = models.UUIDField(_("feed token"), default=uuid.uuid4, unique=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("leader")
        verbose_name_plural = _("leaders")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.user.full_name or self.user.username} ({self.position_zh})"

    def get_absolute_url(self) -> str:
        return reverse("reception:leader", args=[self.pk])


class ScheduleEntry(models.Model):
    """One item of a leader's schedule: typed in, or taken from a source elsewhere in the hall
    (a booking, a meeting, a visit), which is kept as a plain ``app.model:pk`` with its title
    and URL, so that no app needs to import another."""

    leader = models.ForeignKey(
        Leader, verbose_name=_("leader"), on_delete=models.CASCADE, related_name="entries"
    )
    title = models.CharField(_("activity"), max_length=200)
    place = models.CharField(_("place"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    participants = models.CharField(_("participants"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=100, blank=True)
    source_title = models.CharField(_("source title"), max_length=200, blank=True)
    source_url = models.CharField(_("source URL"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("schedule entry")
        verbose_name_plural = _("schedule entries")
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["starts_at"], name="schedule_starts"),
            models.Index(fields=["leader", "starts_at"], name="schedule_leader_starts"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="schedule_ends_after"
            )
        ]

    def __str__(self) -> str:
        return self.title


class DutyShift(models.Model):
    """One person on one post for one shift of the watch (值班): the leader on duty or the
    staff on duty, generated by a rotation (reception/duty.py)."""

    class Post(models.TextChoices):
        LEADER = "leader", _("Leader on duty")
        STAFF = "staff", _("Staff on duty")

    day = models.DateField(_("date"))
    post = models.CharField(_("post"), max_length=20, choices=Post.choices)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    # A weekend or holiday on the hall's calendar (the watch runs round the clock then).
    is_rest_day = models.BooleanField(_("rest day"), default=False)

    class Meta:
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty shifts")
        ordering = ["starts_at", "post"]
        indexes = [models.Index(fields=["starts_at"], name="duty_starts")]
        constraints = [
            models.UniqueConstraint(fields=["day", "post", "starts_at"], name="duty_one_per_post"),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="duty_ends_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.get_post_display()}"


# --- the people's voices, part 2: extensions, notices, proposals, co-complainants -------------


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


class DutySwap(models.Model):
    """Two people trade their shifts of the watch (换班): asked by one, agreed by the other and
    approved by the roster's owner through the catalogue chain ``reception-duty-swap``; the two
    shifts change hands only on approval."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Not approved")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    shift = models.ForeignKey(
        DutyShift, verbose_name=_("shift given"), on_delete=models.CASCADE, related_name="+"
    )
    other_shift = models.ForeignKey(
        DutyShift, verbose_name=_("shift taken"), on_delete=models.CASCADE, related_name="+"
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    partner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("swap with"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=300)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    request = models.OneToOneField(
        "workflows.ServiceRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duty_swap",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("duty swap")
        verbose_name_plural = _("duty swaps")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.shift} ⇄ {self.other_shift}"


class Handover(models.Model):
    """The log a shift hands to the next (交接班记录): what happened and what is pending; the next
    shift's person acknowledges it. A shift that ends without one is a missed handover."""

    shift = models.OneToOneField(
        DutyShift, verbose_name=_("shift"), on_delete=models.CASCADE, related_name="handover"
    )
    events = models.TextField(_("what happened"), blank=True)
    pending = models.TextField(_("pending matters"), blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField(auto_now_add=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")

    def __str__(self) -> str:
        return f"{self.shift}"


class DutyFeed(models.Model):
    """A person's own duty calendar address; a new token revokes the old one."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="duty_feed"
    )
    token = models.UUIDField(_("feed token"), default=uuid.uuid4, unique=True)

    class Meta:
        verbose_name = _("duty calendar")
        verbose_name_plural = _("duty calendars")

    def __str__(self) -> str:
        return str(self.user)


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


class IncidentLevel(models.IntegerChoices):
    I = 1, _("Level I (especially grave)")  # noqa: E741
    II = 2, _("Level II (grave)")
    III = 3, _("Level III (major)")
    IV = 4, _("Level IV (ordinary)")


class IncidentTier(models.Model):
    """Who is told of an incident of one level, tier after tier: tier 1 at once, the next tier
    when nobody of the tier before acknowledged within its minutes."""

    level = models.PositiveSmallIntegerField(_("level"), choices=IncidentLevel.choices)
    tier = models.PositiveSmallIntegerField(_("tier"), default=1)
    minutes = models.PositiveIntegerField(
        _("minutes to acknowledge"),
        default=30,
        help_text=_("Unacknowledged after this long, the next tier is told."),
    )
    leaders = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("leaders"), related_name="+"
    )

    class Meta:
        verbose_name = _("escalation tier")
        verbose_name_plural = _("escalation tiers")
        ordering = ["level", "tier"]
        constraints = [
            models.UniqueConstraint(fields=["level", "tier"], name="incident_tier_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} · {self.tier}"


class Incident(models.Model):
    """An emergency or important incident (突发事件) reported by the watch."""

    class Kind(models.TextChoices):
        NATURAL = "natural", _("Natural disaster")
        ACCIDENT = "accident", _("Accident")
        HEALTH = "health", _("Public health")
        SECURITY = "security", _("Social security")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("incident", "Open")
        CLOSED = "closed", _("Final report made")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    level = models.PositiveSmallIntegerField(_("level"), choices=IncidentLevel.choices)
    title = models.CharField(_("subject"), max_length=200)
    place = models.CharField(_("place"), max_length=200)
    occurred_at = models.DateTimeField(_("occurred at"))
    description = models.TextField(pgettext_lazy("incident", "description"))
    casualties = models.CharField(_("casualties"), max_length=200, blank=True)
    measures = models.TextField(_("measures taken"), blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reporter"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    tier = models.PositiveSmallIntegerField(_("tier reached"), default=0)
    tier_notified_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["tier_notified_at"],
                name="incident_waiting_ack",
                condition=models.Q(acknowledged_at__isnull=True, status="open"),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reception:incident", args=[self.pk])


class IncidentNotice(models.Model):
    """One leader told of one incident: the visibility of the incident for that leader."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="notices")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    tier = models.PositiveSmallIntegerField(default=1)
    notified_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "user"], name="incident_notice_once")
        ]
        indexes = [models.Index(fields=["user", "incident"], name="incident_notice_user")]

    def __str__(self) -> str:
        return f"{self.incident_id} → {self.user_id}"


class IncidentEntry(models.Model):
    """One line of an incident's timeline."""

    class Kind(models.TextChoices):
        REPORT = "report", _("First report")
        NOTIFIED = "notified", _("Leaders notified")
        ESCALATED = "escalated", _("Escalated")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        FOLLOW_UP = "follow-up", _("Follow-up report")
        INSTRUCTION = "instruction", _("Leader's instruction")
        FINAL = "final", _("Final report")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.kind}"


class VisitLevel(models.TextChoices):
    MINISTER = "minister", _("Minister or above")
    BUREAU = "bureau", _("Bureau level")
    DIVISION = "division", _("Division level")
    OTHER = "other", _("Other guests")


class ReceptionStandard(models.Model):
    """The reception standard for one level of guests (admin-edited data)."""

    level = models.CharField(_("level"), max_length=20, choices=VisitLevel.choices, unique=True)
    meals = models.CharField(_("meals"), max_length=200, blank=True)
    meal_cap = models.DecimalField(
        _("meal cap per person (yuan)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    accommodation = models.CharField(_("accommodation"), max_length=200, blank=True)
    room_cap = models.DecimalField(
        _("room cap per night (yuan)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    car = models.CharField(_("car"), max_length=200, blank=True)
    accompany = models.CharField(_("who accompanies"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("reception standard")
        verbose_name_plural = _("reception standards")
        ordering = ["level"]

    def __str__(self) -> str:
        return self.get_level_display()


class Visit(models.Model):
    """A visit, study or inspection received by the office."""

    title = models.CharField(_("subject"), max_length=200)
    organisation = models.CharField(_("organisation"), max_length=200)
    guests = models.TextField(_("guests"), help_text=_("One guest a line: name and position."))
    level = models.CharField(_("level"), max_length=20, choices=VisitLevel.choices)
    purpose = models.CharField(pgettext_lazy("visit", "purpose"), max_length=300, blank=True)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(pgettext_lazy("visit", "until"))
    people = models.PositiveIntegerField(_("number of people"), default=1)
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("host"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-starts_on", "-pk"]
        indexes = [models.Index(fields=["starts_on"], name="visit_starts")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reception:visit", args=[self.pk])


class ItineraryItem(models.Model):
    """One item of a visit's itinerary; with a resource it is a booking of that resource, with
    a leader it is an entry on that leader's schedule."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="items")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=200)
    activity = models.CharField(_("activity"), max_length=200)
    participants = models.CharField(_("participants"), max_length=300, blank=True)
    booking = models.ForeignKey(
        Booking, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    schedule_entry = models.ForeignKey(
        ScheduleEntry, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("itinerary item")
        verbose_name_plural = _("itinerary items")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="itinerary_ends_after"
            )
        ]

    def __str__(self) -> str:
        return self.activity


# ---------------------------------------------------------------------------------------------
# Large activities (大型活动): several bookings and the units' service tasks under one title.


class Activity(models.Model):
    title = models.CharField(_("title"), max_length=200)
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("organiser"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    attendance = models.PositiveIntegerField(_("expected attendance"), default=0)
    place = models.CharField(_("place"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("large activity")
        verbose_name_plural = _("large activities")
        indexes = [
            models.Index(fields=["organiser", "-starts_on"], name="activity_organiser_starts"),
            models.Index(fields=["-starts_on", "-id"], name="activity_starts"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="activity_ends_after"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reception:activity", args=[self.pk])


class ActivityBooking(models.Model):
    """A booking made for an activity (through the booking services, so conflicts and
    approvals apply as to any booking)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="links")
    booking = models.OneToOneField(Booking, on_delete=models.CASCADE, related_name="activity_link")

    class Meta:
        verbose_name = _("activity booking")
        verbose_name_plural = _("activity bookings")

    def __str__(self) -> str:
        return f"{self.activity_id}:{self.booking_id}"


class ActivityTask(models.Model):
    class Kind(models.TextChoices):
        SOUND = "sound", _("Sound and light")
        CLEANING = "cleaning", _("Cleaning")
        SECURITY = "security", _("Security")
        CATERING = "catering", _("Catering")
        OTHER = "other", pgettext_lazy("task", "Other")

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("what to do"), max_length=200)
    department = models.ForeignKey(
        Department, verbose_name=_("responsible unit"), on_delete=models.PROTECT, related_name="+"
    )
    due_at = models.DateTimeField(_("due"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("service task")
        verbose_name_plural = _("service tasks")
        indexes = [models.Index(fields=["department", "done_at", "due_at"], name="atask_unit_due")]

    def __str__(self) -> str:
        return self.title

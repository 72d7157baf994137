"""Incoming documents (收文): registration, instructions, circulation to readers."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from documents.models.outgoing import Dispatch, Urgency
from hall.models import Department

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

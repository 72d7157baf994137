"""Research projects, their budgets by category and the ledger, mirrored from the research and
finance offices' systems of record; the hall's own freezes on them; and the log of imports.

Balances live in real columns (budget, spent, frozen) changed only under the line's row lock,
so ``balance = budget - spent - frozen`` holds and a database check keeps it from going below
zero whatever two transactions try at once.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

ZERO = Decimal("0.00")


class Category(models.TextChoices):
    EQUIPMENT = "equipment", pgettext_lazy("budget category", "Equipment")
    MATERIALS = "materials", _("Materials")
    TRAVEL = "travel", _("Travel")
    CONFERENCE = "conference", _("Conferences")
    PUBLICATION = "publication", _("Publication")
    LABOUR = "labour", _("Labour")
    MANAGEMENT = "management", _("Management fee")
    OTHER = "other", _("Other")


# The names the offices' exports use, beside the codes.
CATEGORY_ALIASES = {
    "设备费": Category.EQUIPMENT,
    "材料费": Category.MATERIALS,
    "差旅费": Category.TRAVEL,
    "会议费": Category.CONFERENCE,
    "出版费": Category.PUBLICATION,
    "出版/文献/信息传播费": Category.PUBLICATION,
    "劳务费": Category.LABOUR,
    "管理费": Category.MANAGEMENT,
    "其他": Category.OTHER,
}


class Project(models.Model):
    class Kind(models.TextChoices):
        VERTICAL = "vertical", _("Vertical (government-funded)")
        HORIZONTAL = "horizontal", _("Horizontal (contract)")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        CLOSED = "closed", pgettext_lazy("research project", "Closed")

    number = models.CharField(_("project number"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    pi = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("principal investigator"),
        on_delete=models.PROTECT,
        related_name="research_projects_led",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("members"),
        blank=True,
        related_name="research_projects",
    )
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("research project")
        verbose_name_plural = _("research projects")

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class BudgetLine(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="lines")
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    budget = models.DecimalField(_("budget"), max_digits=14, decimal_places=2, default=ZERO)
    spent = models.DecimalField(_("spent"), max_digits=14, decimal_places=2, default=ZERO)
    frozen = models.DecimalField(_("frozen"), max_digits=14, decimal_places=2, default=ZERO)

    class Meta:
        ordering = ["project", "category"]
        constraints = [
            models.UniqueConstraint(fields=["project", "category"], name="research_line_unique"),
            models.CheckConstraint(
                condition=Q(spent__gte=0)
                & Q(frozen__gte=0)
                & Q(budget__gte=F("spent") + F("frozen")),
                name="research_line_not_overdrawn",
            ),
        ]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")

    def __str__(self) -> str:
        return f"{self.project.number} {self.get_category_display()}"

    @property
    def balance(self) -> Decimal:
        return self.budget - self.spent - self.frozen


class Movement(models.Model):
    """One entry of the ledger: spent from a line (a negative amount is a refund)."""

    class Source(models.TextChoices):
        IMPORT = "import", _("Finance system")
        HALL = "hall", _("Approved in the hall")

    line = models.ForeignKey(BudgetLine, on_delete=models.CASCADE, related_name="movements")
    external_id = models.CharField(_("entry id"), max_length=60, unique=True)
    booked_on = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    description = models.CharField(_("description"), max_length=300, blank=True)
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.IMPORT
    )
    # The request it came from (workflows.request:pk), when approved in the hall.
    request_ref = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["-booked_on", "-id"]
        indexes = [models.Index(fields=["line", "-booked_on"], name="research_movement_line_idx")]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")

    def __str__(self) -> str:
        return self.external_id


class Freeze(models.Model):
    """The amount a request in approval holds on a line: frozen on submission, spent on
    approval, released on rejection or withdrawal. One row per request, so each moment acts
    exactly once however often it is reported."""

    class State(models.TextChoices):
        FROZEN = "frozen", _("Frozen")
        SPENT = "spent", _("Spent")
        RELEASED = "released", _("Released")

    request = models.OneToOneField(
        "workflows.ServiceRequest", on_delete=models.CASCADE, related_name="research_freeze"
    )
    line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="freezes")
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("frozen amount")
        verbose_name_plural = _("frozen amounts")

    def __str__(self) -> str:
        return f"{self.request_id}: {self.amount} {self.state}"


class ImportRun(models.Model):
    """One import of one layout, from a file or the offices' API, with what it changed."""

    class Kind(models.TextChoices):
        PROJECTS = "projects", _("Projects")
        BUDGETS = "budgets", _("Budgets")
        MOVEMENTS = "movements", _("Ledger entries")
        PARTY_FEES = "party_fees", _("Party fees")

    class Origin(models.TextChoices):
        FILE = "file", _("File")
        API = "api", _("HTTP pull")

    kind = models.CharField(_("layout"), max_length=12, choices=Kind.choices)
    origin = models.CharField(_("origin"), max_length=6, choices=Origin.choices)
    source = models.CharField(_("source"), max_length=300)
    sha256 = models.CharField(max_length=64, blank=True)
    ok = models.BooleanField(_("applied"), default=False)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    report = models.JSONField(_("report"), default=list, blank=True)
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["ok", "-created_at"], name="research_import_ok_idx")]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"


class InvoiceClaim(models.Model):
    """A receipt claim that settles a pre-borrowed invoice: one open claim per invoice at a time
    (the row goes when the claim is rejected or withdrawn); closed when the claim is approved."""

    invoice = models.OneToOneField(
        "workflows.ServiceRequest", on_delete=models.CASCADE, related_name="research_settled_by"
    )
    claim = models.OneToOneField(
        "workflows.ServiceRequest", on_delete=models.CASCADE, related_name="research_settles"
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("invoice settled by a claim")
        verbose_name_plural = _("invoices settled by claims")

    def __str__(self) -> str:
        return f"{self.invoice_id} ← {self.claim_id}"


class TransferTarget(models.Model):
    """Where a service's approved requests are sent: a system of record's URL and the secret
    both sides sign with."""

    service = models.OneToOneField(
        "hall.Service",
        verbose_name=_("service"),
        on_delete=models.CASCADE,
        related_name="transfer_target",
    )
    url = models.URLField(_("receiving URL"), max_length=500)
    token = models.CharField(_("signing secret"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("data transference target")
        verbose_name_plural = _("data transference targets")

    def __str__(self) -> str:
        return f"{self.service.code} → {self.url}"


class Transfer(models.Model):
    """One approved request's trip to its service's target: written once per request (unique),
    sent by the tick under the row's lock, retried while the target is down; its key travels
    with every attempt so the receiver counts a resent request once."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Acknowledged")
        REFUSED = "refused", _("Refused by the target")

    request = models.OneToOneField(
        "workflows.ServiceRequest", on_delete=models.CASCADE, related_name="research_transfer"
    )
    target = models.ForeignKey(TransferTarget, on_delete=models.PROTECT, related_name="transfers")
    key = models.UUIDField(unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_try_at = models.DateTimeField(_("next attempt"))
    last_error = models.TextField(_("last error"), blank=True)
    ack_id = models.CharField(_("acknowledgement"), max_length=200, blank=True)
    content_sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_try_at"],
                name="research_transfer_due_idx",
                condition=Q(status="pending"),
            ),
            models.Index(
                fields=["-created_at"],
                name="research_transfer_refused_idx",
                condition=Q(status="refused"),
            ),
        ]
        verbose_name = _("data transference")
        verbose_name_plural = _("data transferences")

    def __str__(self) -> str:
        return f"{self.request_id} {self.status}"


class AdjustmentRule(models.Model):
    """How a budget adjustment may change one category (set in admin): whether it may be
    increased at all, and above which increase (as a percentage of its budget) the research
    office's step is added to the adjustment's chain."""

    category = models.CharField(_("category"), max_length=12, choices=Category.choices, unique=True)
    may_increase = models.BooleanField(_("may be increased"), default=True)
    review_above_percent = models.DecimalField(
        _("research office's step above (% increase)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty: an increase of this category never needs the research office."),
    )

    class Meta:
        ordering = ["category"]
        verbose_name = _("budget adjustment rule")
        verbose_name_plural = _("budget adjustment rules")

    def __str__(self) -> str:
        return self.get_category_display()


class PartyFeePayment(models.Model):
    """One month of one member's Party fee, mirrored from the Party office's ledger: the base
    (monthly income the fee is reckoned on), the rate, what is due and what was paid."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="party_fee_payments",
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    base = models.DecimalField(_("base"), max_digits=12, decimal_places=2, default=ZERO)
    rate = models.DecimalField(_("rate (%)"), max_digits=5, decimal_places=2, default=ZERO)
    due = models.DecimalField(_("amount due"), max_digits=12, decimal_places=2, default=ZERO)
    paid = models.DecimalField(_("paid"), max_digits=12, decimal_places=2, default=ZERO)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)

    class Meta:
        ordering = ["-month", "member_id"]
        constraints = [
            models.UniqueConstraint(fields=["member", "month"], name="research_party_fee_unique")
        ]
        indexes = [models.Index(fields=["month"], name="research_party_fee_month_idx")]
        verbose_name = _("Party fee payment")
        verbose_name_plural = _("Party fee payments")

    def __str__(self) -> str:
        return f"{self.member_id} {self.month:%Y-%m}"

    @property
    def arrears(self) -> Decimal:
        return max(self.due - self.paid, ZERO)

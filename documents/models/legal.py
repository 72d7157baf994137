"""Legal counsel (法律事务): the team, contract reviews, the contract register, legal opinions,
litigation and hearings."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hall.models import Department

# --- legal counsel (法律事务) ------------------------------------------------------------------


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

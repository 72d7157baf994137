"""Seals (印章): the register, seal uses and seals taken out of the office."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from documents.models.outgoing import Outgoing
from hall.models import Bilingual, Department

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

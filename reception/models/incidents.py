"""Emergencies and important incidents: levels, notification tiers, reports, notices and the
timeline.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class IncidentLevel(models.IntegerChoices):
    I = 1, _("Level I (especially grave)")  # noqa: E741
    II = 2, _("Level II (grave)")
    III = 3, _("Level III (major)")
    IV = 4, _("Level IV (ordinary)")


# The level's limit for acknowledging when a tier gives no minutes of its own.
DEFAULT_ACK_MINUTES = {1: 15, 2: 30, 3: 60, 4: 60}


class IncidentKind(models.TextChoices):
    NATURAL = "natural", _("Natural disaster")
    ACCIDENT = "accident", _("Accident")
    HEALTH = "health", _("Public health")
    SECURITY = "security", _("Social security")


class IncidentTier(models.Model):
    """Who is told of an incident of one kind and level, tier after tier: tier 1 at once (with
    the leader on duty), the next tier when nobody told so far acknowledged within the tier's
    minutes. A row without a kind holds for every kind; the rows of one tier add up."""

    level = models.PositiveSmallIntegerField(_("level"), choices=IncidentLevel.choices)
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=IncidentKind.choices,
        blank=True,
        help_text=_("Empty: incidents of every kind."),
    )
    tier = models.PositiveSmallIntegerField(_("tier"), default=1)
    minutes = models.PositiveIntegerField(
        _("minutes to acknowledge"),
        null=True,
        blank=True,
        help_text=_(
            "Unacknowledged after this long, the next tier is told. Empty: the level's limit "
            "(15 minutes for level I, 30 for II, 60 for III and IV)."
        ),
    )
    leaders = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("leaders"), related_name="+"
    )

    class Meta:
        verbose_name = _("escalation tier")
        verbose_name_plural = _("escalation tiers")
        ordering = ["level", "kind", "tier"]
        constraints = [
            models.UniqueConstraint(
                fields=["level", "kind", "tier"], name="incident_tier_kind_unique"
            )
        ]

    def __str__(self) -> str:
        kind = self.get_kind_display() if self.kind else _("every kind")
        return f"{self.get_level_display()} · {kind} · {self.tier}"

    @property
    def limit(self) -> int:
        return self.minutes or DEFAULT_ACK_MINUTES[self.level]


class Incident(models.Model):
    """An emergency or important incident (突发事件) reported by the watch."""

    Kind = IncidentKind

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
    # Told as the leader on duty at the time of the report (not by an escalation tier).
    on_duty = models.BooleanField(default=False)

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

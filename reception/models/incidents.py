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

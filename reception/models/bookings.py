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

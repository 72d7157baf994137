"""Large activities (大型活动): several bookings and the units' service tasks under one title."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hall.models import Department
from reception.models.bookings import Booking


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
        ROOMS = "rooms", pgettext_lazy("service task", "Rooms")
        CARS = "cars", pgettext_lazy("service task", "Cars")
        BADGES = "badges", pgettext_lazy("service task", "Badges")
        OTHER = "other", pgettext_lazy("task", "Other")

    # A task serves a large activity or a visit (reception.models.visits), never both.
    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="tasks", null=True, blank=True
    )
    visit = models.ForeignKey(
        "reception.Visit", on_delete=models.CASCADE, related_name="tasks", null=True, blank=True
    )
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
        constraints = [
            models.CheckConstraint(
                condition=models.Q(activity__isnull=False, visit__isnull=True)
                | models.Q(activity__isnull=True, visit__isnull=False),
                name="atask_activity_or_visit",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def owner(self):
        """The activity or the visit the task serves."""
        return self.activity if self.activity_id else self.visit

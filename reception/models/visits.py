"""Visits, studies and inspections: reception standards by guest level, visits and their
itineraries.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from reception.models.bookings import Booking
from reception.models.watch import ScheduleEntry


class VisitLevel(models.TextChoices):
    MINISTER = "minister", _("Minister or above")
    BUREAU = "bureau", _("Bureau level")
    DIVISION = "division", _("Division level")
    OTHER = "other", _("Other guests")


def _cap(label, **kwargs) -> models.DecimalField:
    return models.DecimalField(
        label, max_digits=8, decimal_places=2, null=True, blank=True, **kwargs
    )


class ReceptionStandard(models.Model):
    """The reception standard for one level of guests (admin-edited data)."""

    level = models.CharField(_("level"), max_length=20, choices=VisitLevel.choices, unique=True)
    meals = models.CharField(_("meals"), max_length=200, blank=True)
    meal_cap = _cap(_("meals cap per person a day (yuan)"))
    accommodation = models.CharField(_("accommodation"), max_length=200, blank=True)
    room_cap = _cap(_("accommodation cap per person a day (yuan)"))
    car = models.CharField(_("car"), max_length=200, blank=True)
    car_cap = _cap(
        _("cars cap per person a day (yuan)"), help_text=_("Empty: not capped; 0: none allowed.")
    )
    gift_cap = _cap(
        _("gifts cap per person a day (yuan)"), help_text=_("Empty: not capped; 0: none allowed.")
    )
    accompany = models.CharField(_("who accompanies"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("reception standard")
        verbose_name_plural = _("reception standards")
        ordering = ["level"]

    def __str__(self) -> str:
        return self.get_level_display()


def _money(label) -> models.DecimalField:
    return models.DecimalField(label, max_digits=10, decimal_places=2, default=Decimal(0))


class Visit(models.Model):
    """A visit, study or inspection received by the office: its plan (the budget by category,
    approved through the chain ``reception-visit-plan``) and, after the visit, the actual costs
    and a summary, filed in the archives."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("visit", "Being planned")
        PENDING = "pending", pgettext_lazy("visit", "Plan awaiting approval")
        APPROVED = "approved", pgettext_lazy("visit", "Plan approved")
        CLOSED = "closed", pgettext_lazy("visit", "Costs settled")

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
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    meals_planned = _money(_("meals planned"))
    rooms_planned = _money(_("accommodation planned"))
    cars_planned = _money(_("cars planned"))
    gifts_planned = _money(_("gifts planned"))
    over_reason = models.TextField(_("reason for going over the standard"), blank=True)
    over_standard = models.BooleanField(_("over the standard"), default=False)
    request = models.ForeignKey(
        "workflows.ServiceRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    meals_actual = _money(_("meals spent"))
    rooms_actual = _money(_("accommodation spent"))
    cars_actual = _money(_("cars spent"))
    gifts_actual = _money(_("gifts spent"))
    summary = models.TextField(pgettext_lazy("visit", "summary"), blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    record_code = models.CharField(_("archival code"), max_length=60, blank=True)
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

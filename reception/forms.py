from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hall import params
from reception.models import Resource, Series

WEEKDAY_CHOICES = [
    (0, _("Mon")),
    (1, _("Tue")),
    (2, _("Wed")),
    (3, _("Thu")),
    (4, _("Fri")),
    (5, _("Sat")),
    (6, _("Sun")),
]


class GridFilter(params.QueryForm):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=Resource.Kind.choices)
    view = forms.ChoiceField(
        label=_("Show"), required=False, choices=[("day", _("Day")), ("week", _("Week"))]
    )
    day = params.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class BookingForm(forms.Form):
    resource = forms.ModelChoiceField(label=_("Resource"), queryset=Resource.objects.none())
    title = forms.CharField(label=pgettext_lazy("booking", "Purpose"), max_length=200)
    day = params.DateField(
        label=_("Date"),
        required=True,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    start = forms.TimeField(
        label=pgettext_lazy("booking", "From"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    end = forms.TimeField(
        label=pgettext_lazy("booking", "Until"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    attendees = forms.IntegerField(label=_("People"), min_value=1, max_value=100000, initial=1)
    repeat = forms.ChoiceField(
        label=_("Repeat"),
        required=False,
        choices=[("", _("Does not repeat")), *Series.Freq.choices],
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=pgettext_lazy("booking", "On"),
        required=False,
        coerce=int,
        choices=WEEKDAY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    until = params.DateField(
        label=_("Repeat until"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    count = forms.IntegerField(
        label=_("or this many times"), required=False, min_value=1, max_value=260
    )
    skip_conflicts = forms.BooleanField(
        label=_("Book the free dates and skip the ones that conflict"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resource"].queryset = Resource.objects.filter(is_active=True)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", _("The end must come after the start."))
        return data


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)

from django import forms
from django.utils.translation import gettext_lazy as _

from hall import params
from reception.models import Leader


class WeekFilter(params.QueryForm):
    week = params.DateField(
        label=_("Week of"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    leader = forms.ModelChoiceField(
        label=_("Leader"),
        required=False,
        queryset=Leader.objects.none(),
        empty_label=_("All leaders"),
    )

    def __init__(self, *args, leaders=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = (
            leaders if leaders is not None else Leader.objects.filter(is_active=True)
        )
        self.fields["leader"].error_messages["invalid_choice"] = _("No such leader.")


class EntryForm(forms.Form):
    leader = forms.ModelChoiceField(label=_("Leader"), queryset=Leader.objects.none())
    booking = forms.IntegerField(
        label=_("From booking no."),
        required=False,
        min_value=1,
        max_value=params.MAX_INT,
        help_text=_("Optional: the activity, time and place are then taken from the booking."),
    )
    title = forms.CharField(label=_("Activity"), max_length=200, required=False)
    day = params.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    start = forms.TimeField(
        label=_("Starts"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    end = forms.TimeField(
        label=_("Ends"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    participants = forms.CharField(label=_("Participants"), max_length=300, required=False)

    def __init__(self, *args, leaders=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = (
            leaders if leaders is not None else Leader.objects.filter(is_active=True)
        )

    def clean(self):
        data = super().clean()
        if not data.get("booking"):
            for name in ("title", "day", "start", "end"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("Needed unless the entry comes from a booking."))
        return data

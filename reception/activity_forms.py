from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hall import params
from hall.models import Department
from reception.models import ActivityTask, Resource

DATE = {"type": "date"}


class ActivityForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_on = params.DateField(
        label=_("First day"), required=True, widget=forms.DateInput(DATE, format="%Y-%m-%d")
    )
    ends_on = params.DateField(
        label=_("Last day"), required=True, widget=forms.DateInput(DATE, format="%Y-%m-%d")
    )
    attendance = forms.IntegerField(
        label=_("Expected attendance"), min_value=0, max_value=1_000_000, initial=0
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ActivityBookingForm(forms.Form):
    resource = forms.ModelChoiceField(label=_("Resource"), queryset=Resource.objects.none())
    title = forms.CharField(
        label=pgettext_lazy("booking", "Purpose"), max_length=200, required=False
    )
    day = params.DateField(
        label=_("Date"), required=True, widget=forms.DateInput(DATE, format="%Y-%m-%d")
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

    def __init__(self, *args, **kwargs):
        # The booking and the task forms share a page: their ids must not collide.
        kwargs.setdefault("auto_id", "book_%s")
        super().__init__(*args, **kwargs)
        self.fields["resource"].queryset = Resource.objects.filter(is_active=True)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", _("The end must come after the start."))
        return data


class TaskForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityTask.Kind.choices)
    title = forms.CharField(label=_("What to do"), max_length=200, required=False)
    department = forms.ModelChoiceField(
        label=_("Responsible unit"), queryset=Department.objects.none()
    )
    due_at = forms.DateTimeField(
        label=_("Due"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "task_%s")
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.order_by("order", "code")

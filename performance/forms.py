from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from hall import params
from hall import uploads as uploads_checker
from hall.models import Department, User
from performance.models import Item, SourceKind
from performance.selectors import Light

MAX_EVIDENCE = 20 * 1024 * 1024
LIGHT_CHOICES = [
    ("", _("All lights")),
    (Light.GREEN, _("On track")),
    (Light.YELLOW, _("Due soon")),
    (Light.RED, _("Overdue")),
]


class BoardFilter(params.QueryForm):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All states")), *Item.Status.choices]
    )
    light = forms.ChoiceField(label=_("Light"), required=False, choices=LIGHT_CHOICES)
    source = forms.ChoiceField(
        label=_("Source"), required=False, choices=[("", _("All sources")), *SourceKind.choices]
    )
    unit = forms.ModelChoiceField(
        label=_("Lead unit"),
        required=False,
        queryset=Department.objects.order_by("order", "code"),
        empty_label=_("All units"),
    )
    leader = forms.ModelChoiceField(
        label=_("Leader in charge"),
        required=False,
        queryset=User.objects.filter(roles__code="leader").distinct().order_by("username"),
        empty_label=_("All leaders"),
    )


class NoticeFilter(params.QueryForm):
    period = forms.RegexField(
        label=_("Month"),
        required=False,
        regex=r"^(19|20|21)\d\d-(0[1-9]|1[0-2])$",
        max_length=7,
        error_messages={"invalid": _("Give the month as YYYY-MM.")},
    )


class ItemForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    source_kind = forms.ChoiceField(
        label=_("Source"),
        choices=SourceKind.choices,
        help_text=_(
            "A meeting decision or a key task of the outline is supervised from its own page "
            "(“Supervise this decision”, “Supervise this task”), which fills in its source."
        ),
    )
    # Filled by the pages that start an item from their source, never typed by a person.
    source_ref = forms.CharField(max_length=80, required=False, widget=forms.HiddenInput)
    source_title = forms.CharField(max_length=300, required=False, widget=forms.HiddenInput)
    source_url = forms.CharField(max_length=300, required=False, widget=forms.HiddenInput)
    requirement = forms.CharField(
        label=_("What is to be done"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    criteria = forms.CharField(
        label=_("Acceptance criteria"), widget=forms.Textarea(attrs={"rows": 3})
    )
    leader = forms.ModelChoiceField(label=_("Leader in charge"), queryset=User.objects.none())
    lead_unit = forms.ModelChoiceField(label=_("Lead unit"), queryset=Department.objects.none())
    co_units = forms.ModelMultipleChoiceField(
        label=_("Co-units"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    days = forms.IntegerField(label=_("Time limit (working days)"), min_value=1, max_value=250)
    milestones = forms.CharField(
        label=_("Milestones"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One a line: working days after assignment, a space, the milestone."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = (
            User.objects.filter(roles__code="leader", is_active=True)
            .distinct()
            .order_by("username")
        )
        departments = Department.objects.order_by("order", "code")
        self.fields["lead_unit"].queryset = departments
        self.fields["co_units"].queryset = departments

    def clean_milestones(self) -> list[tuple[str, int]]:
        found = []
        for line in self.cleaned_data["milestones"].splitlines():
            line = line.strip()
            if not line:
                continue
            days, _sep, name = line.partition(" ")
            if not days.isdigit() or not name.strip():
                raise ValidationError(
                    _("“%(line)s”: write the working days, a space and the milestone."),
                    params={"line": line[:60]},
                )
            found.append((name.strip(), int(days)))
        return found

    def assignment(self) -> dict:
        """What the office assigns, as ``services.item_create`` takes it (without the
        source): for the board's form and the pages that start an item from its source."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "criteria": data["criteria"],
            "requirement": data["requirement"],
            "leader": data["leader"],
            "lead_unit": data["lead_unit"],
            "co_units": list(data["co_units"]),
            "days": data["days"],
            "milestones": data["milestones"],
        }


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False)


class ReportForm(forms.Form):
    text = forms.CharField(
        label=_("Report"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    milestone = forms.IntegerField(required=False, min_value=1, max_value=params.MAX_INT)
    evidence = forms.FileField(label=_("Evidence"), required=False)

    def clean_evidence(self):
        upload = self.cleaned_data.get("evidence")
        if upload:
            uploads_checker.check_upload(upload, max_bytes=MAX_EVIDENCE)
        return upload


class ExtensionForm(forms.Form):
    new_deadline = params.DateField(label=_("New deadline"))
    reason = forms.CharField(label=_("Reason"), max_length=2000)


class ReassignForm(forms.Form):
    lead_unit = forms.ModelChoiceField(
        label=_("Lead unit"), queryset=Department.objects.order_by("order", "code")
    )

"""Forms of the archives' office work: certificates, the statistics report, training, chronicle.

People are named by staff number or username (a select of 30k users would not do)."""

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from archives.models import Certificate
from archives.services import SCAN_MAX_BYTES, SCAN_TYPES, codes_of, words_of
from hall.models import Department, User

DATE = {"widget": forms.DateInput(attrs={"type": "date"})}


def users_named(words: list[str]) -> tuple[list[User], list[str]]:
    """Active users by staff number or username, in the order given; and the words unmatched."""
    if not words:
        return [], []
    found = User.objects.filter(Q(username__in=words) | Q(number__in=words), is_active=True)
    by_word = {}
    for user in found:
        by_word.setdefault(user.username, user)
        if user.number:
            by_word.setdefault(user.number, user)
    users = list({by_word[w].pk: by_word[w] for w in words if w in by_word}.values())
    return users, [w for w in words if w not in by_word]


class PersonField(forms.CharField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 150)
        kwargs.setdefault("help_text", _("Staff number or username."))
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        users, unknown = users_named([value.strip()])
        if unknown:
            raise forms.ValidationError(
                _("No active user has the number or username %(w)s."), params={"w": value}
            )
        return users[0]


class CertificateForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=Certificate.Kind.choices)
    name = forms.CharField(label=_("Certificate name"), max_length=200)
    number = forms.CharField(label=_("Certificate number"), max_length=100)
    issuer = forms.CharField(label=_("Issued by"), max_length=200)
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        help_text=_("Leave empty if it never expires."),
        **DATE,
    )
    custodian = PersonField(label=_("Custodian"))
    scan = forms.FileField(
        label=_("Scan (PDF, JPEG or PNG, up to 20 MB)"),
        required=False,
        widget=forms.FileInput(attrs={"accept": ",".join(SCAN_TYPES)}),
    )
    remarks = forms.CharField(
        label=_("Remarks"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def clean_scan(self):
        scan = self.cleaned_data.get("scan")
        if scan is None:
            return None
        if not scan.name.lower().endswith(SCAN_TYPES):
            raise forms.ValidationError(_("The scan must be a PDF, JPEG or PNG file."))
        if scan.size > SCAN_MAX_BYTES:
            raise forms.ValidationError(_("The scan is larger than 20 MB."))
        return scan


class CertificateLendForm(forms.Form):
    borrower = PersonField(label=_("Borrower"))
    purpose = forms.CharField(label=_("Purpose"), max_length=300)
    due_on = forms.DateField(label=_("Due date"), **DATE)


class ReportTaskForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    deadline = forms.DateField(label=_("Deadline"), **DATE)
    units = forms.ModelMultipleChoiceField(
        label=_("Units"),
        queryset=Department.objects.order_by("order", "code"),
        widget=forms.CheckboxSelectMultiple,
    )


class DeadlineForm(forms.Form):
    deadline = forms.DateField(label=_("New deadline"), **DATE)


class TrainingForm(forms.Form):
    course = forms.CharField(label=_("Course"), max_length=200)
    date = forms.DateField(label=_("Date"), **DATE)
    hours = forms.DecimalField(
        label=_("Hours"), min_value=0.1, max_value=999.9, max_digits=4, decimal_places=1
    )
    participants = forms.CharField(
        label=_("Participants"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Staff numbers or usernames, separated by spaces or commas."),
    )
    remarks = forms.CharField(
        label=_("Remarks"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def clean_date(self):
        value = self.cleaned_data["date"]
        if value > timezone.localdate() or value.year < 1900:
            raise forms.ValidationError(_("Give a date from 1900 up to today."))
        return value

    def clean_participants(self):
        users, unknown = users_named(words_of(self.cleaned_data["participants"]))
        if unknown:
            raise forms.ValidationError(
                _("No active user has the number or username %(w)s."),
                params={"w": ", ".join(unknown[:10])},
            )
        if not users:
            raise forms.ValidationError(_("Name at least one participant."))
        return users


class ChronicleForm(forms.Form):
    date = forms.DateField(label=_("Date"), **DATE)
    text = forms.CharField(label=_("Event"), widget=forms.Textarea(attrs={"rows": 4}))
    records = forms.CharField(
        label=_("Archival codes of the records"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Separated by spaces or commas."),
    )

    def clean_records(self):
        return codes_of(self.cleaned_data["records"])

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from archives.models import Record, Retention
from hall import uploads as uploads_checker
from hall.models import Department

MAX_UPLOAD = 50 * 1024 * 1024


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else ([data] if data else [])
        if not uploads and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        cleaned = [super(MultipleFileField, self).clean(u, initial) for u in uploads]
        for upload in cleaned:
            # The hall's one checker, as on the apply form: the type by its extension and
            # its first bytes, and that the file really opens; scans may be up to 50 MB.
            uploads_checker.check_upload(upload, max_bytes=MAX_UPLOAD)
        return cleaned


class AccessionForm(forms.Form):
    """Manual accession: paper-era or loose material, described by hand."""

    title = forms.CharField(label=_("Title"), max_length=500)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    retention = forms.ChoiceField(label=_("Retention"), choices=Retention.choices)
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.all(), required=False
    )
    responsible = forms.CharField(label=_("Responsible party"), max_length=200, required=False)
    doc_number = forms.CharField(label=_("Document number"), max_length=100, required=False)
    pages = forms.IntegerField(label=_("Pages"), min_value=0, max_value=100000, initial=0)
    security = forms.ChoiceField(
        label=_("Security level"), choices=Record.Security.choices, initial="internal"
    )
    remarks = forms.CharField(
        label=_("Remarks"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    files = MultipleFileField(label=_("Files"), required=False)

    def clean_date(self):
        value = self.cleaned_data["date"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        if value.year < 1900:
            raise forms.ValidationError(_("Give a year from 1900 on."))
        return value


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Upload an Excel file (.xlsx)."))
        if upload.size > 10 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        head = upload.read(4)
        upload.seek(0)
        if head != b"PK\x03\x04":
            raise forms.ValidationError(_("This is not an Excel file."))
        # A real workbook that does not unpack past the hall's limit, before openpyxl opens it.
        uploads_checker.check_upload(upload, max_bytes=10 * 1024 * 1024, types=["xlsx"])
        return upload


# --- what the archives' pages read from their query string -----------------------------------
# Every parameter a page reads goes through one of these forms (read by views._common.read_query):
# a bad value (a NUL byte, a year out of range, a number too large for the database, text
# where a number belongs) gets a message in the reader's language and is ignored.

YEARS = {"min_value": 1900, "max_value": 2100}
IDS = {"min_value": 1, "max_value": 2**31 - 1}


def _choices(values) -> list[tuple[str, str]]:
    return [("", "—"), *values]


class RecordQuery(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    year = forms.IntegerField(label=_("Year"), required=False, **YEARS)
    retention = forms.ChoiceField(
        label=_("Retention"), required=False, choices=_choices(Retention.choices)
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_choices(Record.Status.choices)
    )
    org = forms.CharField(label=_("Class (organization code)"), required=False, max_length=10)
    department = forms.IntegerField(label=_("Department"), required=False, **IDS)
    fixity = forms.ChoiceField(
        label=pgettext_lazy("query parameter", "Fixity"),
        required=False,
        choices=_choices([("failed", _("Fixity check failed"))]),
    )


class StatisticsQuery(forms.Form):
    year_from = forms.IntegerField(label=_("From year"), required=False, **YEARS)
    year_to = forms.IntegerField(label=_("To year"), required=False, **YEARS)
    format = forms.ChoiceField(
        label=pgettext_lazy("query parameter", "Format"),
        required=False,
        choices=_choices([("xlsx", "Excel")]),
    )

    # The query string says ``from`` and ``to``; both are Python keywords.
    PARAMETERS = {"from": "year_from", "to": "year_to"}


class LoanQuery(forms.Form):
    show = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=_choices([("out", _("Out")), ("overdue", _("Overdue"))]),
    )


class CertificateQuery(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), required=False, choices=_choices([]))
    within = forms.IntegerField(
        label=_("Expiring within (days)"), required=False, min_value=0, max_value=3650
    )
    expired = forms.ChoiceField(
        label=_("Expired"), required=False, choices=_choices([("0", _("No")), ("1", _("Yes"))])
    )

    def __init__(self, *args, **kwargs):
        from archives.models import Certificate

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _choices(Certificate.Kind.choices)


class ChronicleQuery(forms.Form):
    year = forms.IntegerField(label=_("Year"), required=False, **YEARS)


class ImportQuery(forms.Form):
    template = forms.CharField(
        label=pgettext_lazy("query parameter", "Template"), required=False, max_length=10
    )

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from documents.models import Authority, DocType, Outgoing
from hall import params
from hall.models import Department, User
from hall.people import PeopleField, PersonChoiceField

FIELDS = [
    "doc_type",
    "authority",
    "title",
    "to_departments",
    "to_others",
    "copy_departments",
    "copy_others",
    "body",
    "security",
    "security_period",
    "urgency",
    "signer",
    "is_public",
    "minutes_issue",
    "present",
    "attending",
    "absent",
]


class DraftForm(forms.ModelForm):
    class Meta:
        model = Outgoing
        fields = FIELDS
        widgets = {
            "body": forms.Textarea(attrs={"rows": 18}),
            "to_departments": forms.SelectMultiple(attrs={"size": 6}),
            "copy_departments": forms.SelectMultiple(attrs={"size": 6}),
            "present": forms.Textarea(attrs={"rows": 2}),
            "attending": forms.Textarea(attrs={"rows": 2}),
            "absent": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["authority"].queryset = Authority.objects.filter(is_active=True)
        # The lists open on what to do, not on a bare "---------".
        self.fields["authority"].empty_label = _("Choose an issuing authority")
        self.fields["doc_type"].choices = [
            ("", _("Choose a document type")),
            *(c for c in self.fields["doc_type"].choices if c[0]),
        ]
        self.fields["signer"].empty_label = _("No signer")
        self.fields["to_departments"].queryset = Department.objects.all()
        self.fields["copy_departments"].queryset = Department.objects.all()
        # The signer of an upward document is a leader: the holders of a "leader" role.
        self.fields["signer"].queryset = User.objects.filter(
            roles__code="leader", is_active=True
        ).distinct()
        self.fields["signer"].help_text = _("Only for reports and requests for instructions.")
        for name in ("minutes_issue", "present", "attending", "absent"):
            self.fields[name].help_text = _("Only for minutes (纪要); names separated by 、")
        if self.instance.pk and self.instance.status != Outgoing.Status.DRAFT:
            # In its chain the type and authority stay: they chose the chain and the 代字.
            for name in ("doc_type", "authority"):
                self.fields[name].disabled = True

    def clean(self):
        data = super().clean()
        if data.get("signer") and data.get("doc_type") not in ("report", "request"):
            self.add_error("signer", _("Only reports and requests for instructions name a signer."))
        if data.get("is_public") and data.get("security"):
            self.add_error("is_public", _("A classified or internal document cannot be public."))
        return data


class RegisterFilter(params.QueryForm):
    doc_type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All types")), *DocType.choices]
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1949, max_value=2999)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All states")), *Outgoing.Status.choices],
    )
    authority = forms.ModelChoiceField(
        label=_("Issuing authority"),
        required=False,
        queryset=Authority.objects.all(),
        empty_label=_("All authorities"),
    )
    q = forms.CharField(label=_("Title or number"), required=False, max_length=100)


class CompareForm(forms.Form):
    a = forms.IntegerField(min_value=0, max_value=32767)
    b = forms.IntegerField(min_value=0, max_value=32767)


class VoidForm(forms.Form):
    reason = forms.CharField(label=_("Reason for voiding"), max_length=300, required=False)


# --- incoming documents ----------------------------------------------------------------------


class IncomingForm(forms.ModelForm):
    """What arrived from outside the hall (a dispatch inside it arrives by signing for it)."""

    class Meta:
        from documents.models import Incoming

        model = Incoming
        fields = [
            "source",
            "sender",
            "sender_number",
            "title",
            "note",
            "file",
            "is_request",
            "urgency",
        ]
        widgets = {"note": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from documents.models import Incoming

        self.fields["source"].choices = [
            c for c in Incoming.Source.choices if c[0] != Incoming.Source.HALL
        ]

    def clean_file(self):
        from hall.uploads import check_upload

        upload = self.cleaned_data.get("file")
        if upload and hasattr(upload, "size"):
            check_upload(upload, max_bytes=20 * 1024 * 1024, types=["pdf", "jpg", "jpeg", "png"])
        return upload


class IncomingFilter(params.QueryForm):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[])
    q = forms.CharField(label=_("Title or sender"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from documents.models import Incoming

        self.fields["status"].choices = [("", _("All states")), *Incoming.Status.choices]


class CheckForm(forms.Form):
    complies = forms.TypedChoiceField(
        label=_("Does it comply?"),
        choices=[("1", _("It complies")), ("0", _("Return it to the sender"))],
        coerce=lambda v: v == "1",
    )
    reason = forms.CharField(label=_("Reasons for returning"), required=False, max_length=300)


class ProposeForm(forms.Form):
    proposal = forms.CharField(
        label=_("Proposed handling (拟办意见)"), widget=forms.Textarea(attrs={"rows": 3})
    )
    leader = forms.ModelChoiceField(label=_("Leader to instruct"), queryset=User.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = User.objects.filter(
            roles__code="leader", is_active=True
        ).distinct()


class InstructionForm(forms.Form):
    text = forms.CharField(
        label=_("Instruction (批示)"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class AssignForm(forms.Form):
    lead_unit = forms.ModelChoiceField(
        label=_("Lead unit (主办)"), queryset=Department.objects.all()
    )
    co_units = forms.ModelMultipleChoiceField(
        label=_("Co-units (协办)"),
        queryset=Department.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    days = forms.IntegerField(label=_("Time limit (working days)"), min_value=1, max_value=365)


class CirculateForm(forms.Form):
    # Anyone in the hall, picked by name or number (people.js), not a select of 30k people.
    readers = PeopleField(label=_("Readers"))
    purpose = forms.CharField(
        label=pgettext_lazy("documents", "Purpose"), required=False, max_length=200
    )


class FinishForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer: how it was handled"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ReplyForm(forms.Form):
    authority = forms.ModelChoiceField(
        label=_("Issuing authority"),
        queryset=Authority.objects.filter(is_active=True),
        empty_label=_("Choose an issuing authority"),
    )


# --- seals -----------------------------------------------------------------------------------


class SealUseForm(forms.Form):
    seal = forms.ModelChoiceField(label=_("Seal"), queryset=None)
    number = forms.CharField(
        label=_("Reference number of the document"),
        required=False,
        max_length=40,
        help_text=_("A registered document, e.g. 校办发〔2026〕3号; or attach the file below."),
    )
    file = forms.FileField(label=_("File to seal"), required=False)
    purpose = forms.CharField(label=pgettext_lazy("documents", "Purpose"), max_length=300)
    copies = forms.IntegerField(label=_("Copies"), min_value=1, max_value=999, initial=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from documents.models import Seal

        self.fields["seal"].queryset = Seal.objects.filter(status=Seal.Status.ACTIVE)

    def clean_file(self):
        from hall.uploads import check_upload

        upload = self.cleaned_data.get("file")
        if upload:
            check_upload(upload, max_bytes=20 * 1024 * 1024, types=["pdf", "jpg", "jpeg", "png"])
        return upload


class SealRecordForm(forms.Form):
    copies = forms.IntegerField(label=_("Copies sealed"), min_value=1, max_value=999)
    scan = forms.FileField(label=_("Scan of the sealed copy"), required=False)

    def clean_scan(self):
        from hall.uploads import check_upload

        upload = self.cleaned_data.get("scan")
        if upload:
            check_upload(upload, max_bytes=20 * 1024 * 1024, types=["pdf", "jpg", "jpeg", "png"])
        return upload


class SealOutForm(forms.Form):
    borrower = PersonChoiceField(label=_("Taken by"))
    purpose = forms.CharField(label=pgettext_lazy("documents", "Purpose"), max_length=300)
    due_at = forms.DateTimeField(
        label=_("Due back"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def __init__(self, *args, department_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Someone of the seal's department takes it out.
        self.fields["borrower"].allowed = User.objects.filter(department_id=department_id)
        self.fields["borrower"].refusal = _(
            "Only someone of the seal's department may take it out."
        )

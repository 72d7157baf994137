from django import forms
from django.utils.translation import gettext_lazy as _

from documents.models import Authority, DocType, Outgoing
from hall import params
from hall.models import Department, User

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
]


class DraftForm(forms.ModelForm):
    class Meta:
        model = Outgoing
        fields = FIELDS
        widgets = {
            "body": forms.Textarea(attrs={"rows": 18}),
            "to_departments": forms.SelectMultiple(attrs={"size": 6}),
            "copy_departments": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["authority"].queryset = Authority.objects.filter(is_active=True)
        self.fields["to_departments"].queryset = Department.objects.all()
        self.fields["copy_departments"].queryset = Department.objects.all()
        # The signer of an upward document is a leader: the holders of a "leader" role.
        self.fields["signer"].queryset = User.objects.filter(
            roles__code="leader", is_active=True
        ).distinct()
        self.fields["signer"].help_text = _("Only for reports and requests for instructions.")
        if self.instance.pk and self.instance.status != Outgoing.Status.DRAFT:
            # In its chain the type and authority stay: they chose the chain and the 代字.
            for name in ("doc_type", "authority"):
                self.fields[name].disabled = True

    def clean(self):
        data = super().clean()
        if data.get("signer") and data.get("doc_type") not in ("report", "request"):
            self.add_error("signer", _("Only reports and requests for instructions name a signer."))
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

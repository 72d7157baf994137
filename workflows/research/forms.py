from django import forms
from django.utils.translation import gettext_lazy as _

from workflows.forms import PeriodForm


class InquiryForm(PeriodForm):
    """The one-key inquiry's filters: the ledger's period and a project's number or title."""

    q = forms.CharField(
        label=_("Project number or title"), required=False, max_length=100, strip=True
    )

    field_order = ["q", "date_from", "date_to"]


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Layout"))
    file = forms.FileField(label=_("File (.xlsx or .csv)"))

    def __init__(self, *args, kinds=None, **kwargs):
        from workflows.research.models import ImportRun

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            (code, label)
            for code, label in ImportRun.Kind.choices
            if kinds is None or code in kinds
        ]


class HistoryForm(PeriodForm):
    """我的数据: the person's requests by service, period and any value they wrote in a form."""

    q = forms.CharField(label=_("Any value in the form"), required=False, max_length=100)
    service = forms.SlugField(label=_("Service code"), required=False, max_length=80)

    field_order = ["q", "service", "date_from", "date_to"]

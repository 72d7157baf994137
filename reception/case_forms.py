from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from reception.models import Case, CaseCategory


class LabelsCapitalised:
    """The labels share the models' lower-case words ("kind", "subject"); on a form they start
    with a capital ("Kind", "Subject"), as every other form of the hall's."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.label = capfirst(field.label)


class OnlineMessageForm(LabelsCapitalised, forms.Form):
    """The public form: a citizen's message, anonymous allowed."""

    kind = forms.ChoiceField(label=_("kind"), choices=Case.Kind.choices[1:])
    category = forms.ModelChoiceField(
        label=pgettext_lazy("case", "category"),
        queryset=CaseCategory.objects.all(),
        empty_label=_("Choose a category"),
    )
    title = forms.CharField(label=_("subject"), max_length=200)
    content = forms.CharField(label=_("content"), widget=forms.Textarea, max_length=5000)
    place = forms.CharField(label=_("place"), max_length=200, required=False)
    contact_name = forms.CharField(
        label=pgettext_lazy("person", "name"), max_length=100, required=False
    )
    contact_phone = forms.CharField(label=_("phone"), max_length=40, required=False)
    contact_email = forms.EmailField(label=_("e-mail"), required=False)
    anonymous = forms.BooleanField(label=_("anonymous"), required=False)
    consent_to_publish = forms.BooleanField(label=_("may be published"), required=False)


class PhoneCaseForm(OnlineMessageForm):
    """The operator's desk: a call typed in, or a letter or mailbox message."""

    channel = forms.ChoiceField(
        label=_("channel"), choices=[c for c in Case.Channel.choices if c[0] != "online"]
    )
    kind = forms.ChoiceField(label=_("kind"), choices=Case.Kind.choices)


class ProposalForm(LabelsCapitalised, forms.Form):
    """The office's desk for an NPC deputy's suggestion or a CPPCC proposal."""

    channel = forms.ChoiceField(
        label=_("channel"),
        choices=[c for c in Case.Channel.choices if c[0] in ("npc", "cppcc")],
    )
    term = forms.IntegerField(label=_("term (届)"), min_value=1, max_value=99)
    session = forms.IntegerField(label=_("session (次)"), min_value=1, max_value=20)
    proposal_number = forms.CharField(label=_("proposal number"), max_length=30)
    first_proposer = forms.CharField(label=_("first proposer"), max_length=100)
    co_signers = forms.CharField(label=_("co-signers"), max_length=500, required=False)
    category = forms.ModelChoiceField(
        label=pgettext_lazy("case", "category"),
        queryset=CaseCategory.objects.all(),
        empty_label=_("Choose a category"),
    )
    title = forms.CharField(label=_("subject"), max_length=200)
    content = forms.CharField(label=_("content"), widget=forms.Textarea, max_length=20000)
    contact_phone = forms.CharField(label=_("phone"), max_length=40, required=False)
    contact_email = forms.EmailField(label=_("e-mail"), required=False)
    urgent = forms.BooleanField(label=_("urgent (1 month)"), required=False)
    is_complex = forms.BooleanField(label=_("complex (6 months)"), required=False)


class ProposalFeedbackForm(LabelsCapitalised, forms.Form):
    """The proposer's satisfaction form (征询意见表) for one reply."""

    contact = forms.ChoiceField(
        label=_("Did the handling unit contact you before replying?"),
        choices=Case.Satisfaction.choices,
        widget=forms.RadioSelect,
    )
    attitude = forms.ChoiceField(
        label=_("The handling unit's attitude"),
        choices=Case.Satisfaction.choices,
        widget=forms.RadioSelect,
    )
    result = forms.ChoiceField(
        label=_("The result of the handling"),
        choices=Case.Satisfaction.choices,
        widget=forms.RadioSelect,
    )
    opinion = forms.CharField(
        label=_("opinions and suggestions"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        required=False,
    )

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from reception.models import Case, CaseCategory


class OnlineMessageForm(forms.Form):
    """The public form: a citizen's message, anonymous allowed."""

    kind = forms.ChoiceField(label=_("kind"), choices=Case.Kind.choices[1:])
    category = forms.ModelChoiceField(
        label=pgettext_lazy("case", "category"), queryset=CaseCategory.objects.all()
    )
    title = forms.CharField(label=_("subject"), max_length=200)
    content = forms.CharField(label=_("content"), widget=forms.Textarea, max_length=5000)
    place = forms.CharField(label=_("place"), max_length=200, required=False)
    contact_name = forms.CharField(label=_("name"), max_length=100, required=False)
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

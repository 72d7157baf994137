import string

from django import forms
from django.utils.translation import gettext_lazy as _

from hall.models import Area, Audience, Department
from hall.params import QueryForm
from hall.search import MAX_QUERY_LENGTH

LETTERS = [*string.ascii_uppercase, "#"]


class CatalogueFilterForm(QueryForm):
    """The facets of /services/. Choices come from rows the page loads anyway."""

    q = forms.CharField(label=_("Search"), required=False, max_length=MAX_QUERY_LENGTH)
    area = forms.ChoiceField(label=_("Area"), required=False)
    audience = forms.ChoiceField(
        label=_("For"), required=False, choices=[("", _("Everyone")), *Audience.choices]
    )
    department = forms.ChoiceField(label=_("Department"), required=False)
    letter = forms.ChoiceField(
        label=_("A–Z"), required=False, choices=[("", _("All")), *[(c, c) for c in LETTERS]]
    )

    error_messages = {
        "invalid_choice": _("“%(value)s” is not one of the choices; that filter was left out."),
    }

    def __init__(self, data, *, areas: list[Area], departments: list[Department]):
        data = data.copy()
        if data.get("letter"):
            data["letter"] = data["letter"].strip().upper()
        super().__init__(data)
        self.areas = {a.code: a for a in areas}
        self.departments = {d.code: d for d in departments}
        self.fields["area"].choices = [("", _("All areas")), *[(a.code, a.name) for a in areas]]
        self.fields["department"].choices = [
            ("", _("All departments")),
            *[(d.code, d.name) for d in departments],
        ]
        for name in ("area", "audience", "department", "letter"):
            self.fields[name].error_messages["invalid_choice"] = self.error_messages[
                "invalid_choice"
            ]
        self.fields["q"].error_messages["max_length"] = _(
            "Search words may be at most %(limit_value)d characters; they were shortened."
        )

    def cleaned_or_empty(self, name: str) -> str:
        """A facet's valid value, or '' when it was missing or refused."""
        return self.value(name, "")

    def search_words(self) -> str:
        """The search as typed, shortened when too long; nothing when refused otherwise."""
        self.is_valid()
        errors = self.errors.get("q")
        if errors is None:
            return self.value("q", "")
        if [e.code for e in errors.as_data()] == ["max_length"]:
            return str(self.data.get("q", ""))[:MAX_QUERY_LENGTH]
        return ""

    def querystring(self, **extra) -> str:
        # The search is kept even when it was shortened: the pager's links carry the short form.
        return super().querystring(**extra, q=self.search_words())


class MessageSettingsForm(forms.ModelForm):
    class Meta:
        from hall.models import User

        model = User
        fields = ["language", "notify_by_email", "notify_by_webhook", "notify_by_wecom"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from hall import wecom

        if not wecom.enabled():
            del self.fields["notify_by_wecom"]

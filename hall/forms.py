import copy
import string

from django import forms
from django.utils.translation import get_language
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

    # The fields with their choices, per language and set of areas and departments: every
    # catalogue page (the search, each facet) made them afresh, a deep copy of five fields and
    # their choices (a fifth of the search page's CPU). Nothing changes a field after this, so
    # the forms of one language and catalogue share them; a few versions are kept.
    _fields_kept: dict = {}

    def __init__(self, data, *, areas: list[Area], departments: list[Department]):
        data = data.copy()
        if data.get("letter"):
            data["letter"] = data["letter"].strip().upper()
        self.base_fields = {}  # this form's fields are the shared ones (below), not a copy
        super().__init__(data)
        self.areas = {a.code: a for a in areas}
        self.departments = {d.code: d for d in departments}
        area_choices = tuple((a.code, a.name) for a in areas)
        department_choices = tuple((d.code, d.name) for d in departments)
        key = (get_language(), area_choices, department_choices)
        fields = self._fields_kept.get(key)
        if fields is None:
            fields = self._make_fields(area_choices, department_choices)
            if len(self._fields_kept) >= 16:
                self._fields_kept.clear()
            self._fields_kept[key] = fields
        self.fields = fields

    @classmethod
    def _make_fields(cls, area_choices, department_choices) -> dict:
        fields = copy.deepcopy(cls.base_fields)
        fields["area"].choices = [("", _("All areas")), *area_choices]
        fields["department"].choices = [("", _("All departments")), *department_choices]
        for name in ("area", "audience", "department", "letter"):
            fields[name].error_messages["invalid_choice"] = cls.error_messages["invalid_choice"]
        fields["q"].error_messages["max_length"] = _(
            "Search words may be at most %(limit_value)d characters; they were shortened."
        )
        return fields

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

"""The apply form, built from a service's ServiceFields, and the approver's decision forms."""

import re
import uuid
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hall import params, uploads
from hall.models import Department, ServiceField, User
from hall.people import PersonInput

T = ServiceField.Type
MAX_UPLOAD_BYTES = getattr(settings, "HALL_MAX_UPLOAD_MB", 10) * 1024 * 1024
MAX_FILES_PER_FIELD = 5


def check_upload(upload) -> None:
    """The apply form's attachments: the hall's one upload checker, with the form's limit."""
    uploads.check_upload(upload, max_bytes=MAX_UPLOAD_BYTES)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else ([data] if data else [])
        if not uploads and self.required and not initial:
            raise ValidationError(self.error_messages["required"], code="required")
        if len(uploads) > MAX_FILES_PER_FIELD:
            raise ValidationError(_("At most %(n)d files here."), params={"n": MAX_FILES_PER_FIELD})
        cleaned = [super(MultipleFileField, self).clean(u) for u in uploads]
        for upload in cleaned:
            check_upload(upload)
        return cleaned


class DateRangeWidget(forms.MultiWidget):
    template_name = "workflows/widgets/date_range.html"

    def __init__(self, attrs=None):
        start = forms.DateInput(
            attrs={"type": "date", "aria-label": _("Start date")}, format="%Y-%m-%d"
        )
        end = forms.DateInput(
            attrs={"type": "date", "aria-label": _("End date")}, format="%Y-%m-%d"
        )
        super().__init__([start, end], attrs)

    def decompress(self, value):
        return list(value) if value else [None, None]


class DateRangeField(forms.MultiValueField):
    widget = DateRangeWidget

    def __init__(self, **kwargs):
        super().__init__(
            fields=[forms.DateField(), forms.DateField()], require_all_fields=True, **kwargs
        )

    def compress(self, data_list):
        if not data_list:
            return None
        start, end = data_list
        if start and end and start > end:
            raise ValidationError(_("The end date is before the start date."))
        return [start, end]


class PersonField(forms.CharField):
    """A person by staff / student number or user name (30k people do not fit in a list)."""

    widget = PersonInput  # search-as-you-type with the hall's people.js; plain text without

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        user = User.objects.filter(Q(number=value) | Q(username=value), is_active=True).first()
        if user is None:
            raise ValidationError(
                _("Nobody has the number or user name “%(v)s”."), params={"v": value}
            )
        return {"id": user.pk, "name": str(user), "number": user.number or user.username}


PROFILE_VALUES = {
    "full_name": lambda u: u.get_full_name(),
    "number": lambda u: u.number or "",
    "department": lambda u: u.department.name_zh if u.department else "",
    "identity": lambda u: u.get_identity_display(),
    "title": lambda u: u.title,
    "phone": lambda u: u.phone,
    "email": lambda u: u.email,
    "office": lambda u: u.office,
}


# Field kinds whose choices live in an app above workflows (the research mirror's projects and
# invoices): that app registers a builder ``(spec=, user=, common=) -> forms.Field`` from its
# ready(), so workflows imports none of it. Unregistered, such a field is plain text.
FIELD_BUILDERS: dict[str, Callable[..., forms.Field]] = {}


def register_field_kind(kind: str, builder: Callable[..., forms.Field]) -> None:
    FIELD_BUILDERS[kind] = builder


def _choices(spec: ServiceField) -> list[tuple[str, str]]:
    return spec.choice_list()


def _form_field(spec: ServiceField, *, has_files: bool, user: User | None = None) -> forms.Field:
    rules = spec.validation or {}
    common = {
        "label": spec.label,
        "required": spec.required,
        "help_text": spec.help,
    }
    kind = spec.field_type
    if kind in FIELD_BUILDERS and user is not None:
        field = FIELD_BUILDERS[kind](spec=spec, user=user, common=common)
    elif kind == T.TEXT or kind in (T.PROJECT, T.INVOICE):
        field = forms.CharField(max_length=rules.get("max_length", 200), **common)
    elif kind == T.LONG_TEXT:
        field = forms.CharField(
            max_length=rules.get("max_length", 5000),
            widget=forms.Textarea(attrs={"rows": 4}),
            **common,
        )
    elif kind == T.NUMBER:
        field = forms.IntegerField(min_value=rules.get("min"), max_value=rules.get("max"), **common)
    elif kind == T.MONEY:
        field = forms.DecimalField(
            max_digits=14,
            decimal_places=2,
            min_value=Decimal(str(rules.get("min", 0))),
            max_value=Decimal(str(rules["max"])) if "max" in rules else None,
            widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
            **common,
        )
    elif kind == T.DATE:
        field = forms.DateField(
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **common
        )
    elif kind == T.DATE_RANGE:
        field = DateRangeField(**common)
    elif kind == T.CHOICE:
        field = forms.ChoiceField(choices=[("", "—"), *_choices(spec)], **common)
    elif kind == T.MULTI_CHOICE:
        field = forms.MultipleChoiceField(
            choices=_choices(spec), widget=forms.CheckboxSelectMultiple, **common
        )
    elif kind == T.FILE:
        common["required"] = spec.required and not has_files
        field = MultipleFileField(**common)
    elif kind == T.PERSON:
        field = PersonField(
            max_length=150,
            **{
                **common,
                "help_text": common["help_text"] or _("Staff / student number or user name"),
            },
        )
    elif kind == T.DEPARTMENT:
        field = forms.ModelChoiceField(
            queryset=Department.objects.order_by("order", "code"), **common
        )
    else:  # pragma: no cover - the model's choices list every type
        raise ValueError(kind)
    if kind in (T.TEXT, T.LONG_TEXT) and rules.get("pattern"):
        field.validators.append(RegexValidator(re.compile(rules["pattern"])))
    return field


def _initial(spec: ServiceField, value):
    """A stored JSON value back into what the form field shows."""
    if value in (None, ""):
        return None
    kind = spec.field_type
    try:
        if kind == T.DATE:
            return date.fromisoformat(value)
        if kind == T.DATE_RANGE:
            return [date.fromisoformat(v) for v in value]
        if kind == T.PERSON:
            return value.get("number") if isinstance(value, dict) else value
        if kind == T.DEPARTMENT:
            return value.get("id") if isinstance(value, dict) else value
    except (TypeError, ValueError, AttributeError):
        return None
    return value


class ApplyForm(forms.Form):
    """The online form of one service. Profile fields are filled in and locked."""

    submit_token = forms.UUIDField(widget=forms.HiddenInput)
    urgent = forms.BooleanField(label=_("Mark as urgent"), required=False)
    urgent_reason = forms.CharField(label=_("Why is it urgent?"), required=False, max_length=300)

    def __init__(
        self,
        *args,
        specs: list[ServiceField],
        user: User,
        stored: dict | None = None,
        drafting: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        stored = stored or {}
        self.specs = specs
        self.prefilled: set[str] = set()
        self.file_keys: list[str] = []
        self.drafting = drafting
        for spec in specs:
            has_files = bool(stored.get(spec.key))
            field = _form_field(spec, has_files=has_files, user=user)
            if drafting:
                field.required = False
            if spec.prefill and spec.field_type in (T.TEXT, T.LONG_TEXT):
                field.initial = PROFILE_VALUES[spec.prefill](user)
                field.disabled = True
                self.prefilled.add(spec.key)
            elif spec.key in stored:
                field.initial = _initial(spec, stored[spec.key])
            if spec.field_type == T.FILE:
                self.file_keys.append(spec.key)
            self.fields[spec.key] = field
        if not self.is_bound and not self.initial.get("submit_token"):
            self.initial["submit_token"] = uuid.uuid4()
        self.order_fields([s.key for s in specs] + ["urgent", "urgent_reason"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("urgent") and not (cleaned.get("urgent_reason") or "").strip():
            self.add_error("urgent_reason", _("Say why the request is urgent."))
        return cleaned

    def form_data(self) -> dict:
        """The cleaned answers as JSON (files excluded: they are stored as attachments)."""
        data = {}
        for spec in self.specs:
            if spec.key in self.file_keys:
                continue
            value = self.cleaned_data.get(spec.key)
            if isinstance(value, date):
                value = value.isoformat()
            elif isinstance(value, Decimal):
                value = str(value)
            elif isinstance(value, Department):
                value = {"id": value.pk, "name": value.name_zh}
            elif isinstance(value, list) and value and isinstance(value[0], date):
                value = [v.isoformat() for v in value]
            data[spec.key] = value
        return data

    def uploads(self) -> dict[str, list]:
        return {key: self.cleaned_data.get(key) or [] for key in self.file_keys}

    def is_prefilled(self, key: str) -> bool:
        return key in self.prefilled


class DecisionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            ("approve", _("Approve")),
            ("reject", _("Reject")),
            ("return", _("Return for revision")),
        ]
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    return_to = forms.TypedChoiceField(
        label=_("Return to"), required=False, coerce=int, empty_value=-1
    )

    def __init__(self, *args, earlier_steps: list[tuple[int, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["return_to"].choices = [
            ("-1", _("the applicant")),
            *[(str(i), name) for i, name in earlier_steps],
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") in ("reject", "return") and not cleaned.get("comment", "").strip():
            self.add_error("comment", _("Give a reason: the applicant will read it."))
        return cleaned


class PersonActionForm(forms.Form):
    person = PersonField(label=_("Person"), max_length=150)
    position = forms.ChoiceField(
        label=_("Where"),
        required=False,
        choices=[("after", _("after this step")), ("before", _("before this step"))],
    )
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000)


class CopyForm(forms.Form):
    person = PersonField(label=_("Copy to (staff / student number or user name)"), max_length=150)


class InboxFilterForm(params.QueryForm):
    tab = forms.ChoiceField(
        label=_("Task list"),
        required=False,
        choices=[
            ("todo", _("To do")),
            ("queue", _("Group queue")),
            ("done", _("Done")),
            ("cc", _("Copied to me")),
        ],
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    service = forms.SlugField(label=_("Service code"), required=False, max_length=60)
    applicant = forms.CharField(label=_("Applicant"), required=False, max_length=100)
    urgent = forms.BooleanField(label=_("Urgent only"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    date_from = params.DateField(
        label=_("Arrived from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = params.DateField(label=_("to"), widget=forms.DateInput(attrs={"type": "date"}))

    def to_filter(self):
        from workflows.selectors import InboxFilter

        return InboxFilter(
            tab=self.value("tab", "todo"),
            q=self.value("q", ""),
            service=self.value("service", ""),
            applicant=self.value("applicant", ""),
            urgent=bool(self.value("urgent")),
            overdue=bool(self.value("overdue")),
            date_from=self.value("date_from"),
            date_to=self.value("date_to"),
        )


class DelegationForm(forms.Form):
    delegate = PersonField(label=_("Delegate (staff number or user name)"), max_length=150)
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(
        label=_("Until (inclusive)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How satisfied are you?"),
        coerce=int,
        choices=[(5, "5 ★★★★★"), (4, "4 ★★★★"), (3, "3 ★★★"), (2, "2 ★★"), (1, "1 ★")],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class FollowUpForm(forms.Form):
    response = forms.CharField(
        label=_("What was changed"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


class PeriodForm(params.QueryForm):
    date_from = params.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = params.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The end date is before the start date."))
        return cleaned

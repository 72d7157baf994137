"""Readers of what a request carries outside a page's main form: query parameters, the odd
posted id or comment, and where to go next.

Every value comes through a Django form field, so it is typed and bounded before any query
sees it. A value a field refuses (a NUL byte, which Postgres cannot store; a number past any
column; a date whose next day does not exist) is left out and the page renders as if it were
absent, with a message in the person's language saying what was ignored. A list page's filters
are a `QueryForm`; a single parameter is read with `read` and its typed cousins.
"""

from datetime import date

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.http import HttpRequest, QueryDict
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Dates a page may ask about. Past them date arithmetic overflows (9999-12-31 plus a day) or
# the database refuses the year, and nobody means them.
FIRST_DATE = date(1900, 1, 1)
LAST_DATE = date(2100, 12, 31)
# The smallest integer column of the databases the hall runs on (Postgres integer).
MAX_INT = 2**31 - 1
MAX_TEXT = 2000


class DateField(forms.DateField):
    """A date between FIRST_DATE and LAST_DATE."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.validators += [MinValueValidator(FIRST_DATE), MaxValueValidator(LAST_DATE)]


class QueryForm(forms.Form):
    """A list page's filters, bound to request.GET.

    A value a field refuses is dropped (`value` gives the default) and its error stays on the
    form for the page to show beside the field; `warn` turns the errors of fields a page does
    not show into messages. Repeated keys (?x=1&x=2) read as their last value.
    """

    def value(self, name: str, default=None):
        if not self.is_bound:
            return default
        self.is_valid()
        if name in self.errors:
            return default
        found = self.cleaned_data.get(name)
        return default if found in (None, "") else found

    def warn(self, request: HttpRequest, names=None) -> None:
        self.is_valid()
        for name in names if names is not None else self.fields:
            for error in self.errors.get(name, []):
                left_out(request, self.fields[name].label or name, error)

    def querystring(self, **extra) -> str:
        """The filters that were accepted, for the pager's links (never the refused ones)."""
        query = QueryDict(mutable=True)
        if self.is_bound:
            self.is_valid()
            for name in self.fields:
                raw = self.data.get(name)
                if name not in self.errors and raw not in (None, ""):
                    query[name] = raw
        for name, raw in extra.items():
            if raw not in (None, ""):
                query[name] = raw
        return query.urlencode()


def left_out(request: HttpRequest, label, error) -> None:
    """The one message for a parameter a page ignored, wherever it was read."""
    messages.warning(
        request, _("“%(label)s” was left out: %(error)s") % {"label": label, "error": error}
    )


def read(
    request: HttpRequest, name: str, field: forms.Field, *, label=None, default=None, data=None
):
    """One parameter through one form field: its clean value, or default and a message."""
    raw = (request.GET if data is None else data).get(name)
    if raw in (None, ""):
        return default
    try:
        value = field.clean(raw)
    except ValidationError as exc:
        for error in exc.messages:
            left_out(request, label or field.label or name, error)
        return default
    return default if value in (None, "") else value


def choice(request: HttpRequest, name: str, choices, *, label, default: str = "") -> str:
    """One of the given values (a list of values or of (value, label) pairs)."""
    pairs = [c if isinstance(c, tuple | list) else (c, c) for c in choices]
    field = forms.ChoiceField(choices=pairs, required=False)
    field.error_messages["invalid_choice"] = gettext_lazy("“%(value)s” is not one of the choices.")
    return read(request, name, field, label=label, default=default)


def integer(
    request: HttpRequest,
    name: str,
    *,
    label,
    min_value: int = 1,
    max_value: int = MAX_INT,
    data=None,
) -> int | None:
    field = forms.IntegerField(min_value=min_value, max_value=max_value, required=False)
    return read(request, name, field, label=label, data=data)


def text(request: HttpRequest, name: str, *, label, max_length: int = MAX_TEXT) -> str:
    field = forms.CharField(max_length=max_length, required=False)
    return read(request, name, field, label=label, default="")


def page_number(request: HttpRequest) -> int:
    """The pager's page: a bad one is the first page (a page past the end is the last)."""
    return integer(request, "page", label=_("Page"), max_value=MAX_INT) or 1


# --- values posted outside a form --------------------------------------------------------------


def posted_text(
    request: HttpRequest, name: str, *, label, max_length: int = MAX_TEXT
) -> str | None:
    """A free text posted beside a button, cut to max_length; None, with an error message,
    when it holds what no database stores (a NUL byte): the caller then changes nothing."""
    raw = request.POST.get(name, "")[:max_length]
    try:
        return forms.CharField(required=False, strip=False).clean(raw)
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, _("%(label)s: %(error)s") % {"label": label, "error": error})
        return None


def posted_ids(request: HttpRequest, name: str, *, limit: int = 100) -> list[int]:
    """Row ids posted as checkboxes; anything that is not one is skipped."""
    field = forms.IntegerField(min_value=1, max_value=MAX_INT)
    ids = []
    for raw in request.POST.getlist(name)[:limit]:
        try:
            ids.append(field.clean(raw))
        except ValidationError:
            continue
    return ids


def posted_id(request: HttpRequest, name: str) -> int | None:
    ids = posted_ids(request, name, limit=1)
    return ids[0] if ids else None


def safe_next(request: HttpRequest, target: str, fallback: str) -> str:
    """Where a form sends the person on: a path of this site, else the fallback."""
    if (
        not target
        or any(ord(c) < 32 or ord(c) == 127 for c in target)
        or len(target) > MAX_TEXT
        or not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return fallback
    return target

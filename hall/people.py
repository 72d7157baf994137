"""Naming a person among 30k: a search-as-you-type picker and the form fields that use it.

Without JavaScript the field is a plain text input of staff / student number or user name; with
``static/hall/people.js`` it offers the first matches of ``/people/search/`` as people type (a
number or user name by its start; a name, its pinyin or its initials anywhere inside, by the
``PersonKey`` table). Either way the form checks the
typed value and refuses an unknown person with a message.
"""

import re

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Case, Q, QuerySet, Value, When
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from hall.models import PersonKey, User
from hall.search import normalize

LIMIT = 20
MAX_QUERY = 50
SEPARATORS = re.compile(r"[,，;；、\s]+")


def search(query: str, *, limit: int = LIMIT) -> list[User]:
    """The first active people whose number or user name starts with the query, or whose name
    holds it anywhere (三 finds 张三, 小明 finds 王小明, "xiaoming" and "xm" find him by pinyin);
    those whose name, number, user name or pinyin starts with it come first.

    One query whatever the query or the hall's size: a UNION of prefix matches on indexed
    columns, the number and user name of the user table and the name keys of ``PersonKey``
    (``hall.search.name_keys``), so the database reads only the matches.
    """
    raw = (query or "").replace("\x00", "").strip()[:MAX_QUERY]
    if not raw:
        return []
    low = normalize(raw).replace(" ", "")
    ids = User.objects.filter(Q(number__startswith=raw) | Q(username__startswith=raw)).values("pk")
    if low:
        ids = ids.union(PersonKey.objects.filter(key__startswith=low).values("user_id"))
    starts = (
        Q(number__startswith=raw)
        | Q(username__startswith=raw)
        | Q(full_name__startswith=raw)
        | Q(pinyin__startswith=low)
        | Q(pinyin_initials__startswith=low)
    )
    return list(
        User.objects.filter(pk__in=ids, is_active=True)
        .select_related("department")
        .annotate(inside=Case(When(starts, then=Value(0)), default=Value(1)))
        .order_by("inside", "pinyin", "full_name", "username", "pk")[:limit]
    )


def label_of(user: User) -> str:
    parts = [user.get_full_name(), user.number or user.username]
    if user.department_id:
        parts.append(user.department.name)
    return " · ".join(p for p in parts if p)


@login_required
@require_GET
def people_search(request: HttpRequest) -> JsonResponse:
    """JSON for the picker: ``{"results": [{"value": number or user name, "label": …}]}``."""
    query = request.GET.get("q", "")
    found = search(query if isinstance(query, str) else "")
    return JsonResponse(
        {"results": [{"value": u.number or u.username, "label": label_of(u)} for u in found]}
    )


class PersonInput(forms.TextInput):
    """A text input that the hall's script turns into a search-as-you-type list."""

    def __init__(self, *, multiple: bool = False, attrs=None):
        super().__init__(attrs)
        self.multiple = multiple

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        extra = context["widget"]["attrs"]
        extra.setdefault("autocomplete", "off")
        extra.setdefault("spellcheck", "false")
        extra["data-people"] = reverse("hall:people-search")
        extra["data-people-none"] = _("Nobody found; type a staff number or user name.")
        extra["data-people-found"] = _("%(n)s people found; use the arrow keys to choose.")
        if self.multiple:
            extra["data-people-multiple"] = "1"
        return context


def _lookup(values: list[str]) -> tuple[dict[str, User], list[str]]:
    found = list(
        User.objects.filter(is_active=True).filter(Q(number__in=values) | Q(username__in=values))
    )
    by_key = {}
    for user in found:
        by_key[user.username] = user
        if user.number:
            by_key[user.number] = user
    return by_key, [v for v in values if v not in by_key]


class PersonChoiceField(forms.CharField):
    """One person by staff / student number or user name; cleans to the ``User``.

    ``allowed`` narrows who may be named (the seal's department, say); anyone else is refused
    with ``refusal``.
    """

    def __init__(self, *, allowed: QuerySet | None = None, refusal=None, **kwargs):
        kwargs.setdefault("max_length", 150)
        kwargs.setdefault(
            "help_text", gettext_lazy("Type a name, staff number or user name and pick.")
        )
        super().__init__(widget=PersonInput(), **kwargs)
        self.allowed = allowed
        self.refusal = refusal

    def prepare_value(self, value):
        if isinstance(value, User):
            return value.number or value.username
        return value

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        value = value.strip()
        by_key, unknown = _lookup([value])
        if unknown:
            raise forms.ValidationError(
                _("Nobody has the number or user name “%(v)s”.") % {"v": value}
            )
        if self.allowed is not None and not self.allowed.filter(pk=by_key[value].pk).exists():
            raise forms.ValidationError(self.refusal or _("This person cannot be named here."))
        return by_key[value]


class PeopleField(forms.CharField):
    """Several people, numbers or user names separated by commas; cleans to a list of ``User``."""

    def __init__(self, *, max_people: int = 20, **kwargs):
        kwargs.setdefault("max_length", 2000)
        kwargs.setdefault(
            "help_text",
            gettext_lazy(
                "Type a name, staff number or user name and pick; separate people by commas."
            ),
        )
        super().__init__(widget=PersonInput(multiple=True), **kwargs)
        self.max_people = max_people

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return ", ".join(
                u.number or u.username if isinstance(u, User) else str(u) for u in value
            )
        return value

    def clean(self, value):
        value = super().clean(value)
        names = list(dict.fromkeys(n for n in SEPARATORS.split(value or "") if n))
        if not names:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        if len(names) > self.max_people:
            raise forms.ValidationError(
                _("Name at most %(n)s people at a time.") % {"n": self.max_people}
            )
        by_key, unknown = _lookup(names)
        if unknown:
            raise forms.ValidationError(
                _("No such people: %(names)s.") % {"names": "、".join(unknown)}
            )
        people = []
        for name in names:
            if by_key[name] not in people:
                people.append(by_key[name])
        return people

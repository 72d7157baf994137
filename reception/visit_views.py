"""Pages of the visits: the list, a new visit, and a visit's page with its reception standard
and itinerary (and the form that adds an item, booking a resource or filling a leader's week)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from hall.lists import escape, url_maker
from reception import visits as vs
from reception.models import Leader, Resource, VisitLevel

PAGE = 50
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MOMENT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class VisitForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("subject"), max_length=200)
    organisation = forms.CharField(label=gettext_lazy("organisation"), max_length=200)
    guests = forms.CharField(
        label=gettext_lazy("guests"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("One guest a line: name and position."),
    )
    level = forms.ChoiceField(label=gettext_lazy("level"), choices=VisitLevel.choices)
    purpose = forms.CharField(
        label=pgettext_lazy("visit", "purpose"), max_length=300, required=False
    )
    starts_on = forms.DateField(label=gettext_lazy("from"), widget=DATE)
    ends_on = forms.DateField(label=pgettext_lazy("visit", "until"), widget=DATE)
    people = forms.IntegerField(label=gettext_lazy("number of people"), min_value=1, initial=1)


class ItemForm(forms.Form):
    starts_at = forms.DateTimeField(label=gettext_lazy("starts"), widget=MOMENT)
    ends_at = forms.DateTimeField(label=gettext_lazy("ends"), widget=MOMENT)
    place = forms.CharField(label=gettext_lazy("place"), max_length=200)
    activity = forms.CharField(label=gettext_lazy("activity"), max_length=200)
    participants = forms.CharField(
        label=gettext_lazy("participants"), max_length=300, required=False
    )
    resource = forms.ModelChoiceField(
        label=gettext_lazy("Book a resource"),
        queryset=Resource.objects.filter(is_active=True).order_by("kind", "code"),
        required=False,
    )
    leader = forms.ModelChoiceField(
        label=gettext_lazy("On the schedule of"),
        queryset=Leader.objects.filter(is_active=True).select_related("user"),
        required=False,
    )


def _visible(request: HttpRequest) -> None:
    if not vs.may_see(request.user):
        raise Http404(_("No such page."))


@login_required
def visit_list(request: HttpRequest) -> HttpResponse:
    _visible(request)
    url = url_maker("reception:visit")
    levels = {k: str(v) for k, v in VisitLevel.choices}
    l_dates, l_visit, l_level, l_people = _("Dates"), _("Visit"), _("Level"), _("People")
    rows = [
        f'<tr><td data-label="{l_dates}">{v.starts_on:%Y-%m-%d} – {v.ends_on:%m-%d}</td>'
        f'<td data-label="{l_visit}"><a href="{url(v.pk)}">{escape(v.title)}</a> '
        f"<small>{escape(v.organisation)}</small></td>"
        f'<td data-label="{l_level}">{escape(levels[v.level])}</td>'
        f'<td data-label="{l_people}">{v.people}</td></tr>'
        for v in vs.visits(request.user)[:PAGE]
    ]
    return render(
        request,
        "reception/visits.html",
        {"rows": mark_safe("".join(rows)), "may_edit": vs.may_edit(request.user)},
    )


@login_required
def visit_new(request: HttpRequest) -> HttpResponse:
    if not vs.may_edit(request.user):
        raise Http404(_("No such page."))
    form = VisitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            visit = vs.visit_create(user=request.user, **form.cleaned_data)
        except vs.VisitError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect(visit.get_absolute_url())
    return render(request, "reception/visit_new.html", {"form": form})


@login_required
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _visible(request)
    visit = vs.visits(request.user).filter(pk=pk).first()
    if visit is None:
        raise Http404(_("No such visit."))
    form = None
    if vs.may_edit(request.user):
        form = ItemForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                vs.item_add(
                    user=request.user,
                    visit_id=visit.pk,
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    place=data["place"],
                    activity=data["activity"],
                    participants=data["participants"],
                    resource_id=data["resource"].pk if data["resource"] else None,
                    leader_id=data["leader"].pk if data["leader"] else None,
                )
            except vs.VisitError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Added to the itinerary."))
                return redirect(visit.get_absolute_url())
    elif request.method == "POST":
        raise Http404(_("No such page."))
    return render(
        request,
        "reception/visit.html",
        {
            "visit": visit,
            "standard": vs.standard_for(visit),
            "items": vs.itinerary(visit),
            "form": form,
        },
    )

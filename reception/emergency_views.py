"""Pages of the emergencies: the register, the report form and an incident's timeline page with
its acknowledgement, follow-ups, instructions and final report."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from hall.actions import REFUSED, act
from hall.lists import Page, escape, url_maker
from reception import emergencies as em
from reception.models import Incident, IncidentEntry, IncidentLevel

PAGE = 50


class IncidentForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("kind"), choices=Incident.Kind.choices)
    level = forms.TypedChoiceField(
        label=gettext_lazy("level"), choices=IncidentLevel.choices, coerce=int
    )
    title = forms.CharField(label=gettext_lazy("subject"), max_length=200)
    place = forms.CharField(label=gettext_lazy("place"), max_length=200)
    occurred_at = forms.DateTimeField(
        label=gettext_lazy("occurred at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    description = forms.CharField(
        label=pgettext_lazy("incident", "description"), widget=forms.Textarea
    )
    casualties = forms.CharField(label=gettext_lazy("casualties"), max_length=200, required=False)
    measures = forms.CharField(
        label=gettext_lazy("measures taken"), widget=forms.Textarea, required=False
    )


@login_required
def incident_list(request: HttpRequest) -> HttpResponse:
    if not em.may_see_register(request.user):
        raise Http404(_("No such page."))
    rows_qs = em.visible_to(request.user)
    page = Page()
    url = url_maker("reception:incident")
    levels = {k: str(v) for k, v in IncidentLevel.choices}
    kinds = {k: str(v) for k, v in Incident.Kind.choices}
    statuses = {k: str(v) for k, v in Incident.Status.choices}
    t_ack, t_waiting = _("Acknowledged"), _("Waiting for acknowledgement")
    l_when, l_what, l_level, l_state = _("Occurred at"), _("Incident"), _("Level"), _("Status")
    rows = []
    for i in rows_qs.order_by("-created_at")[:PAGE]:
        state = statuses[i.status] + " · " + (t_ack if i.acknowledged_at else t_waiting)
        rows.append(
            f'<tr><td data-label="{l_when}">{escape(page.minute(i.occurred_at))}</td>'
            f'<td data-label="{l_what}"><a href="{url(i.pk)}">{escape(i.title)}</a> '
            f"<small>{escape(kinds[i.kind])} · {escape(i.place)}</small></td>"
            f'<td data-label="{l_level}">{escape(levels[i.level])}</td>'
            f'<td data-label="{l_state}">{escape(state)}</td></tr>'
        )
    return render(
        request,
        "reception/incidents.html",
        {"rows": mark_safe("".join(rows)), "may_report": em.may_report(request.user)},
    )


@login_required
def incident_new(request: HttpRequest) -> HttpResponse:
    if not em.may_report(request.user):
        raise Http404(_("No such page."))
    form = IncidentForm(request.POST or None, initial={"occurred_at": timezone.localtime()})
    if request.method == "POST" and form.is_valid():
        incident = act(
            request,
            lambda: em.incident_report(user=request.user, **form.cleaned_data),
            _("Reported; the leader on duty and the leaders of its kind and level are told."),
            refused=em.IncidentError,
        )
        if incident is not REFUSED:
            return redirect(incident.get_absolute_url())
    return render(request, "reception/incident_new.html", {"form": form})


def _incident(request: HttpRequest, pk: int) -> Incident:
    incident = em.visible_to(request.user).filter(pk=pk).first()
    if incident is None:
        raise Http404(_("No such incident."))
    return incident


@login_required
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(request, pk)
    leader = em.may_acknowledge(request.user, incident)
    watch = em.may_report(request.user) or incident.reporter_id == request.user.pk
    kinds = []
    if incident.status == Incident.Status.OPEN:
        if watch:
            kinds += [IncidentEntry.Kind.FOLLOW_UP, IncidentEntry.Kind.FINAL]
        if leader:
            kinds.append(IncidentEntry.Kind.INSTRUCTION)
    return render(
        request,
        "reception/incident.html",
        {
            "incident": incident,
            "entries": em.timeline(incident),
            "may_ack": leader and not incident.acknowledged_at,
            "add_kinds": [(k.value, k.label) for k in kinds],
            "told": incident.notices.select_related("user").order_by("tier", "notified_at"),
        },
    )


@login_required
@require_POST
def incident_ack(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(request, pk)
    act(
        request,
        lambda: em.incident_acknowledge(user=request.user, incident_id=incident.pk),
        _("Acknowledged."),
        refused=em.IncidentError,
    )
    return redirect(incident.get_absolute_url())


@login_required
@require_POST
def incident_add(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(request, pk)
    act(
        request,
        lambda: em.incident_add(
            user=request.user,
            incident_id=incident.pk,
            kind=request.POST.get("kind", "")[:20],
            text=request.POST.get("text", "")[:5000],
        ),
        _("Added to the timeline."),
        refused=em.IncidentError,
    )
    return redirect(incident.get_absolute_url())

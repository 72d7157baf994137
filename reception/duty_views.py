"""The duty page: who is on duty now (names and phones) and the next two weeks' roster."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from reception import duty, watch
from reception.models import DutyShift


@login_required
def duty_page(request: HttpRequest) -> HttpResponse:
    if not duty.may_see(request.user):
        raise Http404(_("No such page."))
    posts = {k: str(v) for k, v in DutyShift.Post.choices}

    def line(s: DutyShift):
        name = s.person.full_name or s.person.username
        return (s.day, posts[s.post], name, s.person.phone, s.starts_at, s.ends_at, s.is_rest_day)

    now = [line(s) for s in duty.on_duty_now()]
    rows = [line(s) for s in duty.roster(timezone.localdate())]
    office = watch.may_keep_roster(request.user)
    missed = [line(s) for s in watch.missed_handovers()] if office else []
    return render(
        request,
        "reception/duty.html",
        {"now": now, "rows": rows, "office": office, "missed": missed},
    )

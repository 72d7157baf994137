"""The job outline's page and PDF, and a key task made a supervision item."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hall import params
from performance import services, strategy
from performance.models import KeyTask, Theme
from performance.services import SupervisionError


@login_required
def outline_latest(request: HttpRequest) -> HttpResponse:
    """This year's outline, else the latest one."""
    year = timezone.localdate().year
    theme = Theme.objects.filter(year=year).first() or Theme.objects.first()
    if theme is None:
        return render(request, "performance/outline.html", {"theme": None, "tasks": []})
    return redirect("performance:outline", year=theme.year)


@login_required
def outline(request: HttpRequest, year: int) -> HttpResponse:
    """The outline is the institution's own published plan: everyone signed in reads it."""
    theme = strategy.outline(year)
    if theme is None:
        raise Http404(_("No job outline for this year."))
    return render(
        request,
        "performance/outline.html",
        {
            "theme": theme,
            "tasks": strategy.tasks_of(theme),
            "years": list(Theme.objects.values_list("year", flat=True)),
            "office": services.is_office(request.user),
        },
    )


@login_required
def outline_pdf(request: HttpRequest, year: int) -> HttpResponse:
    theme = strategy.outline(year)
    if theme is None:
        raise Http404(_("No job outline for this year."))
    response = HttpResponse(strategy.outline_pdf(theme), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="outline-{year}.pdf"'
    return response


@login_required
@require_POST
def task_supervise(request: HttpRequest, pk: int) -> HttpResponse:
    task = KeyTask.objects.select_related("theme").filter(pk=pk).first()
    if task is None or not services.is_office(request.user):
        raise Http404(_("No such key task."))
    criteria = params.posted_text(request, "criteria", label=_("Acceptance criteria"))
    if criteria is not None:
        try:
            item = strategy.key_task_supervise(
                task_id=task.pk, user=request.user, criteria=criteria
            )
        except SupervisionError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The key task is now a supervision item."))
            return redirect(item)
    return redirect("performance:outline", year=task.theme.year)

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from hall import params, selectors, services
from hall.forms import LETTERS, CatalogueFilterForm
from hall.home import panels as home_panels
from hall.lists import service_rows
from hall.models import Audience, Service


def home(request: HttpRequest) -> HttpResponse:
    audience = params.choice(request, "for", Audience.choices, label=_("For"))
    if not audience:
        user_identity = getattr(request.user, "identity", "")
        audience = user_identity if user_identity in Audience.values else Audience.STAFF
    context = {
        "areas": selectors.areas_with_counts(),
        "hot": selectors.hot_services(),
        "tab": audience,
        "tabs": Audience.choices,
        "tab_services": selectors.hot_services(audience=audience or None),
        "favourites": selectors.favourites_for(request.user),
        "panels": home_panels(request),
    }
    return render(request, "hall/home.html", context)


def service_list(request: HttpRequest) -> HttpResponse:
    facets = selectors.catalogue_facets()
    areas, departments = facets.areas, facets.departments
    form = CatalogueFilterForm(request.GET, areas=areas, departments=departments)
    query, terms = selectors.parse_query(form.search_words())
    flt = selectors.CatalogueFilter(
        area=form.areas.get(form.cleaned_or_empty("area")),
        department=form.departments.get(form.cleaned_or_empty("department")),
        audience=form.cleaned_or_empty("audience"),
        letter=form.cleaned_or_empty("letter"),
        query=query,
        terms=terms,
    )
    page = Paginator(selectors.catalogue(flt), settings.HALL_PAGE_SIZE).get_page(
        params.page_number(request)
    )
    if query and page.paginator.count == 0:
        services.search_miss_record(query=query)
    results = list(page.object_list)
    context = service_list_context(
        request,
        form=form,
        flt=flt,
        page=page,
        areas=areas,
        departments=departments,
        letters_in_use=facets.letters,
        favourite_ids=selectors.favourite_ids_for(request.user, results),
    )
    return render(request, "hall/service_list.html", context)


def service_list_context(
    request, *, form, flt, page, areas, departments, letters_in_use, favourite_ids
) -> dict:
    """The catalogue template's context (also rendered by tests/bench/render_bench.py)."""
    return {
        "form": form,
        "filter": flt,
        "areas": areas,
        "departments": departments,
        "letters": LETTERS,
        "letters_in_use": letters_in_use,
        "page": page,
        "results": service_rows(page.object_list),
        "favourite_ids": favourite_ids,
        "querystring": form.querystring(),
        "audiences": Audience.choices,
    }


def _apply_url(service: Service) -> str:
    # The online form arrives with the approval engine; until its URL exists there is no button.
    try:
        return reverse("workflows:apply", args=[service.code])
    except NoReverseMatch:
        return ""


def service_detail(request: HttpRequest, code: str) -> HttpResponse:
    service = selectors.service_for_guide(code=code, user=request.user)
    if service is None:
        raise Http404(_("No such service."))
    if service.is_published:
        services.service_viewed(service=service)
    steps = selectors.steps_described(list(service.steps.all()), service.guide_roles)
    signed_in = request.user.is_authenticated
    context = {
        "service": service,
        "steps": steps,
        "is_favourite": bool(selectors.favourite_ids_for(request.user, [service])),
        "apply_url": _apply_url(service) if service.is_online else "",
        # Someone the service is not for reads who may apply instead of an Apply button.
        "refused": signed_in and not service.may_apply(request.user),
    }
    return render(request, "hall/service_detail.html", context)


@login_required
@require_POST
def favourite_toggle(request: HttpRequest, code: str) -> HttpResponse:
    service = get_object_or_404(Service, code=code, is_published=True)
    if services.favourite_toggle(user=request.user, service=service):
        messages.success(
            request, _("“%(name)s” is now in your favourites.") % {"name": service.name}
        )
    else:
        messages.info(
            request, _("“%(name)s” was removed from your favourites.") % {"name": service.name}
        )
    return redirect(
        params.safe_next(request, request.POST.get("next", ""), service.get_absolute_url())
    )


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _check_cache() -> str:
    cache.set("healthz", "ok", 10)
    if cache.get("healthz") != "ok":
        raise RuntimeError("value written was not read back")
    return "ok"


def _check_broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "in-process"
    from hall.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
    return "ok"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _check_database, "cache": _check_cache, "broker": _check_broker}
    report, healthy = {}, True
    for name, check in checks.items():
        try:
            report[name] = check()
        except Exception as exc:  # noqa: BLE001 - any failure is a failed check, reported as such
            healthy = False
            report[name] = f"error: {exc.__class__.__name__}: {exc}"[:300]
    report["status"] = "ok" if healthy else "error"
    return JsonResponse(report, status=200 if healthy else 503)


# --- notifications ---------------------------------------------------------------------------


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    from hall import notifications

    page = Paginator(notifications.notifications_for(request.user), settings.HALL_PAGE_SIZE)
    return render(
        request,
        "hall/notifications.html",
        {"page": page.get_page(params.page_number(request)), "querystring": ""},
    )


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """A message's link: marks it read and goes on to the exact task or request."""
    from hall import notifications

    found = notifications.notification_open(user=request.user, notification_id=pk)
    if found is None:
        raise Http404(_("No such message."))
    return redirect(found.url)


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    from hall import notifications

    # No id is "mark all"; ids that are all refused mark nothing rather than everything.
    ids = params.posted_ids(request, "id", limit=1000) if "id" in request.POST else None
    notifications.notifications_mark_read(user=request.user, ids=ids)
    messages.success(request, _("Marked as read."))
    return redirect("hall:notifications")


@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    from hall.forms import MessageSettingsForm

    form = MessageSettingsForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your message settings were saved."))
        return redirect("hall:notification-settings")
    return render(request, "hall/notification_settings.html", {"form": form})

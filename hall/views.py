import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from hall import caching, params, selectors, services
from hall.forms import LETTERS, CatalogueFilterForm
from hall.home import panels as home_panels
from hall.lists import catalogue_rows, service_rows
from hall.models import Audience, Service


def home(request: HttpRequest) -> HttpResponse:
    audience = params.choice(request, "for", Audience.choices, label=_("For"))
    if not audience:
        user_identity = getattr(request.user, "identity", "")
        audience = user_identity if user_identity in Audience.values else Audience.STAFF
    context = {
        "catalogue": home_catalogue(audience),
        "tab": audience,
        "favourites": selectors.favourites_for(request.user),
        "panels": home_panels(request),
    }
    return render(request, "hall/home.html", context)


@dataclass(frozen=True)
class HomeCatalogue:
    """The home page's parts that are the same for everyone reading the same tab in the same
    language: the search box and the areas, the most-used list, the tab with its services."""

    top: SafeString
    hot: SafeString
    tab: SafeString


def home_catalogue(tab: str) -> HomeCatalogue:
    """Rendered once per catalogue version, minute of the clock (the most-used lists'
    period, hall.selectors.hot_services), tab and language, and kept in the cache: a page
    reads one key instead of the lists' 16 services and renders none of their ~40 tags."""

    def render_parts() -> tuple[str, str, str]:
        def part(template: str, context: dict) -> str:
            return render_to_string(template, context).removesuffix("\n")

        return (
            part("hall/_home_top.html", {"areas": selectors.areas_with_counts()}),
            part("hall/_home_hot.html", {"hot": selectors.hot_services()}),
            part(
                "hall/_home_tab.html",
                {
                    "tab": tab,
                    "tabs": Audience.choices,
                    "tab_services": selectors.hot_services(audience=tab or None),
                },
            ),
        )

    period = int(time.time()) // selectors.HOT_SECONDS
    version = selectors.catalogue_version()
    key = f"hall:home:{version}:{period}:{tab}:{get_language()}:{get_script_prefix()}"
    top, hot, tab_html = caching.read_through(
        key, render_parts, 2 * selectors.HOT_SECONDS, version=version
    )
    return HomeCatalogue(mark_safe(top), mark_safe(hot), mark_safe(tab_html))  # noqa: S308


def service_list(request: HttpRequest) -> HttpResponse:
    version = selectors.catalogue_version()  # read once: the page's three cached parts use it
    facets = selectors.catalogue_facets(version=version)
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
    page = selectors.catalogue_page(
        flt, number=params.page_number(request), per_page=settings.HALL_PAGE_SIZE, version=version
    )
    if query and page.paginator.count == 0:
        services.search_miss_record(query=query)
    # No row shows whether it is a favourite (the guide page's star does): the page reads none.
    context = service_list_context(
        request,
        form=form,
        flt=flt,
        page=page,
        areas=areas,
        departments=departments,
        letters_in_use=facets.letters,
        version=version,
    )
    return render(request, "hall/service_list.html", context)


def service_list_context(
    request,
    *,
    form,
    flt,
    page,
    areas,
    departments,
    letters_in_use,
    favourite_ids=None,
    version=None,
) -> dict:
    """The catalogue template's context (also rendered by tests/bench/render_bench.py, whose
    page holds Service objects rather than the view's tuples; its ``favourite_ids`` are not
    shown)."""
    rows = page.object_list
    rows_of = service_rows if rows and isinstance(rows[0], Service) else catalogue_rows
    search_box, filters = catalogue_chrome(
        flt, areas=areas, departments=departments, letters_in_use=letters_in_use, version=version
    )
    return {
        "form": form,
        "filter": flt,
        "search_box": search_box,
        "filters": filters,
        "page": page,
        "results": rows_of(page.object_list),
        "querystring": form.querystring(),
    }


FILTERS_TTL = 3600  # a search's words make many keys: an hour, not a day


def catalogue_chrome(
    flt: selectors.CatalogueFilter, *, areas, departments, letters_in_use, version=None
) -> tuple[SafeString, SafeString]:
    """The catalogue's search box and its filters (the A–Z index, the areas, audiences and
    departments with their counts): the same for everyone with the same filter in the same
    language, so rendered once per catalogue version and kept in the cache (their ~60 tags and
    loops were most of the page's template work)."""

    def render_parts() -> tuple[str, str]:
        context = {
            "filter": flt,
            "areas": areas,
            "departments": departments,
            "letters": LETTERS,
            "letters_in_use": letters_in_use,
            "audiences": Audience.choices,
        }
        return (
            render_to_string("hall/_search_box.html", {"value": flt.query}),
            render_to_string("hall/_catalogue_filters.html", context),
        )

    version = selectors.catalogue_version() if version is None else version
    key = (
        f"hall:filters:{version}:{get_language()}:"
        f"{get_script_prefix()}:{selectors.filter_digest(flt)}"
    )
    search_box, filters = caching.read_through(key, render_parts, FILTERS_TTL, version=version)
    return mark_safe(search_box), mark_safe(filters)  # noqa: S308 - rendered by the templates


def _apply_url(service: Service) -> str:
    # The online form arrives with the approval engine; until its URL exists there is no button.
    try:
        return reverse("workflows:apply", args=[service.code])
    except NoReverseMatch:
        return ""


def service_detail(request: HttpRequest, code: str) -> HttpResponse:
    version = selectors.catalogue_version()  # read once, for the service and its parts
    service = selectors.service_for_guide(code=code, user=request.user, version=version)
    if service is None:
        raise Http404(_("No such service."))
    if service.is_published:
        services.service_viewed(service=service)
    signed_in = request.user.is_authenticated
    context = {
        "service": service,
        "guide_parts": guide_parts(
            service, staff=signed_in and request.user.is_staff, version=version
        ),
        "is_favourite": bool(selectors.favourite_ids_for(request.user, [service])),
        "apply_url": _apply_url(service) if service.is_online else "",
        # Someone the service is not for reads who may apply instead of an Apply button.
        "refused": signed_in and not service.may_apply(request.user),
    }
    return render(request, "hall/service_detail.html", context)


@dataclass(frozen=True)
class GuideParts:
    """The guide page around its buttons: the same for everyone in the same language."""

    head: SafeString
    body: SafeString


def guide_parts(service: Service, *, staff: bool, version: str | None = None) -> GuideParts:
    """The guide's heading and facts, and its process, texts, form and contacts, rendered once
    per catalogue version, service, language and kind of reader (as its service is read,
    hall.selectors.service_for_guide) and kept in the cache: their ~20 translations with
    counts and four includes were most of the page's work. What differs per person (the
    Apply button, the star, the CSRF token) stays in the page."""

    def render_parts() -> tuple[str, str]:
        steps = selectors.steps_described(list(service.steps.all()), service.guide_roles)
        context = {"service": service, "steps": steps}
        return (
            render_to_string("hall/_guide_head.html", context),
            render_to_string("hall/_guide_body.html", context),
        )

    version = selectors.catalogue_version() if version is None else version
    key = (
        f"hall:guide-html:{version}:{int(staff)}:{service.code}:"
        f"{get_language()}:{get_script_prefix()}"
    )
    head, body = caching.read_through(key, render_parts, selectors.FACETS_TTL, version=version)
    return GuideParts(mark_safe(head), mark_safe(body))  # noqa: S308 - rendered by the templates


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

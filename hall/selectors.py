"""Reads of the catalogue. Each selector owns its joins so a page's query count stays fixed."""

import hashlib
import re
import time
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL

from hall import caching
from hall.models import (
    AUDIENCE_FIELDS,
    Area,
    Department,
    Favourite,
    SearchMiss,
    Service,
    ServiceStep,
    User,
)
from hall.search import query_terms

HOT_LIMIT = 8


def published_services() -> QuerySet[Service]:
    return Service.objects.filter(is_published=True).select_related("area", "department")


def _published_counts(column: str) -> dict[int, int]:
    # Grouped on the service side so Postgres answers from the (is_published, column) index
    # without reading the wide service rows.
    return dict(
        Service.objects.filter(is_published=True)
        .order_by()
        .values_list(column)
        .annotate(n=Count("pk"))
        .values_list(column, "n")
    )


# The facets (areas and departments with their counts, the letters in use) change only when an
# admin edits the catalogue, and counting 10k services costs two GROUP BYs of 7-16 ms on every
# page: they are read once per catalogue version and cached. catalogue_changed() (hall/apps.py,
# on every save or delete of a service, area or department) starts a new version; a page that
# read the old one while it changed stores its figures under the old key, which nobody reads.
VERSION_KEY = "hall:catalogue:version"
FACETS_TTL = 24 * 3600


def catalogue_version() -> str:
    return caching.version(VERSION_KEY)


def catalogue_changed() -> None:
    """A new catalogue version: the next page counts the facets again."""
    caching.new_version(VERSION_KEY)


@dataclass(frozen=True)
class Facets:
    areas: list[Area]
    departments: list[Department]
    letters: frozenset[str]


def _count_facets() -> Facets:
    area_counts = _published_counts("area_id")
    areas = list(Area.objects.order_by("order", "code"))
    for area in areas:
        area.service_count = area_counts.get(area.pk, 0)
    dept_counts = _published_counts("department_id")
    departments = [d for d in Department.objects.order_by("order", "code") if dept_counts.get(d.pk)]
    for department in departments:
        department.service_count = dept_counts[department.pk]
    letters = frozenset(published_services().order_by().values_list("letter", flat=True).distinct())
    return Facets(areas, departments, letters)


def catalogue_facets(*, version: str | None = None) -> Facets:
    """The facets of the current catalogue version (or of ``version``, read by the caller
    for this page already): two cache reads, no query, once counted."""
    version = catalogue_version() if version is None else version
    return caching.read_through(
        f"hall:facets:{version}", _count_facets, FACETS_TTL, version=version
    )


def areas_with_counts() -> list[Area]:
    return catalogue_facets().areas


def departments_with_services() -> list[Department]:
    return catalogue_facets().departments


def letters_in_use() -> frozenset[str]:
    return catalogue_facets().letters


# The home page's "most used" lists follow the guide pages' view counts, which move on every
# view: they are read once per minute of the clock and catalogue version (a new version, on any
# edit of the catalogue, reads them again at once).
HOT_SECONDS = 60


def hot_services(*, audience: str | None = None, limit: int = HOT_LIMIT) -> list[Service]:
    def read() -> list[Service]:
        services = published_services()
        if audience in AUDIENCE_FIELDS:
            services = services.filter(**{AUDIENCE_FIELDS[audience]: True})
        return list(services.order_by("-popularity", "sort_key")[:limit])

    chosen = audience if audience in AUDIENCE_FIELDS else ""
    period = int(time.time()) // HOT_SECONDS
    key = f"hall:hot:{catalogue_version()}:{period}:{chosen}:{limit}"
    return caching.read_through(key, read, 2 * HOT_SECONDS)


def favourites_for(user: User) -> list[Service]:
    if not user.is_authenticated:
        return []
    # The home page shows each one's name and link only: three columns, not the wide rows.
    return list(
        Service.objects.filter(is_published=True, favourited_by__user=user)
        .only("code", "name_zh", "name_en")
        .order_by("-favourited_by__created_at")
    )


def favourite_ids_for(user: User, services: list[Service]) -> set[int]:
    if not user.is_authenticated or not services:
        return set()
    return set(
        Favourite.objects.filter(user=user, service__in=[s.pk for s in services]).values_list(
            "service_id", flat=True
        )
    )


@dataclass
class CatalogueFilter:
    area: Area | None = None
    department: Department | None = None
    audience: str = ""
    letter: str = ""
    query: str = ""
    terms: list[str] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return bool(self.area or self.department or self.audience or self.letter or self.query)


# A term the pairs index can narrow: letters and digits only (each pair is then one token of
# the 'simple' parser), with a Chinese character (Latin words have trigrams).
_PAIRED_TERM = re.compile(r"[^\W_]*[\u3400-\u9fff][^\W_]*")


def _pairs_match(term: str) -> RawSQL:
    pairs = " ".join(term[i : i + 2] for i in range(len(term) - 1))
    return RawSQL(
        "hall_service.search_bigrams @@ phraseto_tsquery('simple', %s)",
        [pairs],
        output_field=BooleanField(),
    )


def catalogue(flt: CatalogueFilter, *, narrow: bool = True) -> QuerySet[Service]:
    """Published services matching every given facet, best matches first.

    On Postgres a Chinese term of two or more characters first narrows the rows through the
    pairs index (hall/migrations/0013); LIKE still decides, so results are the same without it
    (``narrow=False``)."""
    services = published_services()
    if flt.area:
        services = services.filter(area=flt.area)
    if flt.department:
        services = services.filter(department=flt.department)
    if flt.audience in AUDIENCE_FIELDS:
        services = services.filter(**{AUDIENCE_FIELDS[flt.audience]: True})
    if flt.letter:
        services = services.filter(letter=flt.letter)
    if flt.terms:
        every_word = Q()
        for term in flt.terms:
            every_word &= Q(search_text__contains=term)
        # "ke yan" typed with a space still finds the pinyin "keyan".
        joined = "".join(flt.terms)
        services = services.filter(every_word | Q(search_text__contains=joined))
        if narrow and connection.vendor == "postgresql":
            # The joined form contains every term, so every result contains each term too.
            for term in flt.terms:
                if len(term) >= 2 and _PAIRED_TERM.fullmatch(term):
                    services = services.filter(_pairs_match(term))
        name_hit = Q(name_zh__icontains=flt.query) | Q(name_en__icontains=flt.query)
        services = services.annotate(
            rank=Case(When(name_hit, then=Value(0)), default=Value(1), output_field=IntegerField())
        ).order_by("rank", "-popularity", "sort_key")
    elif flt.letter:
        services = services.order_by("sort_key", "code")
    else:
        services = services.order_by("-popularity", "sort_key")
    return services


# What a catalogue row shows (hall.lists.catalogue_rows), read as tuples: the page reads these
# ten columns through its two joins instead of the ~40 of three wide rows (the guide's texts in
# both languages, search_text, keywords...) and builds no model instance.
CATALOGUE_ROW = (
    "code",
    "name_zh",
    "name_en",
    "time_limit_days",
    "is_online",
    "department__name_zh",
    "department__name_en",
    "area__name_zh",
    "area__name_en",
    "pk",
)


def catalogue_rows(flt: CatalogueFilter) -> QuerySet:
    """``catalogue(flt)`` as the tuples of CATALOGUE_ROW, in the same order."""
    return catalogue(flt).values_list(*CATALOGUE_ROW)


def filter_digest(flt: CatalogueFilter) -> str:
    """A short key for the filter: the words typed make too long and too strange a key."""
    chosen = (
        flt.query,
        flt.letter,
        flt.area.code if flt.area else "",
        flt.audience,
        flt.department.code if flt.department else "",
    )
    return hashlib.sha256(repr(chosen).encode()).hexdigest()[:32]


def catalogue_page(
    flt: CatalogueFilter, *, number: int, per_page: int, version: str | None = None
) -> Page:
    """The asked page of ``catalogue_rows(flt)`` (a bad or past-the-end number as
    Paginator.get_page reads it), counted without the rows' joins. The same for everyone, so
    kept in the cache per catalogue version (an edit shows at once) and minute of the clock:
    the order follows the guide pages' views, which move on every view, a minute late at most,
    as the home page's most-used lists (hot_services)."""

    def read() -> tuple[int, int, list[tuple]]:
        paginator = Paginator(catalogue_rows(flt), per_page)
        paginator.count = catalogue(flt).count()
        page = paginator.get_page(number)
        return paginator.count, page.number, list(page.object_list)

    version = catalogue_version() if version is None else version
    period = int(time.time()) // HOT_SECONDS
    key = f"hall:catalogue:{version}:{period}:{per_page}:{number}:{filter_digest(flt)}"
    count, shown, rows = caching.read_through(key, read, 2 * HOT_SECONDS, version=version)
    paginator = Paginator([], per_page)
    paginator.count = count
    return Page(rows, shown, paginator)


def parse_query(raw: str) -> tuple[str, list[str]]:
    return query_terms(raw)


def service_for_guide(*, code: str, user: User, version: str | None = None) -> Service | None:
    """The service with everything its guide page shows (its steps' role names read too, as
    ``guide_roles``); unpublished ones only for admins. Kept in the cache per catalogue version:
    a save or delete of a service, its steps, fields, contacts, departments or a role starts a
    new one (hall/apps.py)."""
    from hall.models import Role

    staff = user.is_authenticated and user.is_staff

    def read() -> Service | None:
        services = Service.objects.select_related("area", "department").prefetch_related(
            "contacts",
            "fields",
            "departments",
            Prefetch(
                "steps",
                queryset=ServiceStep.objects.select_related("approver", "department"),
            ),
        )
        if not staff:
            services = services.filter(is_published=True)
        service = services.filter(code=code).first()
        if service is not None:
            codes = {s.role_code for s in service.steps.all() if s.role_code}
            service.guide_roles = list(Role.objects.filter(code__in=codes)) if codes else []
        return service

    version = catalogue_version() if version is None else version
    key = f"hall:guide:{version}:{int(staff)}:{code}"
    # kept in the process too: nothing changes the service after read() (the view counts its
    # view in Redis, the templates read it)
    return caching.read_through(key, read, FACETS_TTL, version=version)


def search_misses() -> QuerySet[SearchMiss]:
    return SearchMiss.objects.order_by("-count", "-last_seen")


def steps_described(steps: list[ServiceStep], roles=None) -> list[ServiceStep]:
    """Sets each step's ``approver_label``: who approves it, in words (roles in one query, or
    the ``roles`` already read)."""
    from django.utils.translation import gettext as _

    from hall.models import Role

    if roles is None:
        codes = {s.role_code for s in steps if s.role_code}
        roles = Role.objects.filter(code__in=codes) if codes else Role.objects.none()
    by_department, by_code = {}, {}
    for role in roles:
        by_department[(role.department_id, role.code)] = role.name
        by_code.setdefault(role.code, role.name)
    for step in steps:
        rule = ServiceStep.Rule
        if step.rule == rule.USER:
            step.approver_label = str(step.approver) if step.approver else _("a named approver")
        elif step.rule == rule.DEPARTMENT_ROLE:
            role = by_department.get((step.department_id, step.role_code), step.role_code)
            dept = step.department.name if step.department else ""
            step.approver_label = f"{dept} · {role}"
        elif step.rule == rule.APPLICANT_HEAD:
            step.approver_label = _("Head of the applicant's department")
        elif step.rule == rule.APPLICANT_ROLE:
            role = by_code.get(step.role_code, step.role_code)
            step.approver_label = _("%(role)s of the applicant's department") % {"role": role}
        else:
            step.approver_label = _("The person named in the form")
    return steps


def service_parts(service: Service) -> dict[str, list[dict]]:
    """The service's form, chain and contacts as plain data; expects them prefetched."""
    fields = [
        {
            "key": f.key,
            "label_zh": f.label_zh,
            "label_en": f.label_en,
            "field_type": f.field_type,
            "required": f.required,
            "help_text": f.help_text,
            "help_text_en": f.help_text_en,
            "options": f.options,
            "validation": f.validation,
            "prefill": f.prefill,
        }
        for f in service.fields.all()
    ]
    steps = []
    for s in service.steps.all():
        step = {
            "name_zh": s.name_zh,
            "name_en": s.name_en,
            "rule": s.rule,
            "mode": s.mode,
            "time_limit_days": s.time_limit_days,
        }
        optional = {
            "approver": s.approver.username if s.approver else "",
            "department": s.department.code if s.department else "",
            "role_code": s.role_code,
            "field_key": s.field_key,
            "quorum": s.quorum,
            "condition_field": s.condition_field,
            "condition_operator": s.condition_operator,
            "condition_value": s.condition_value,
        }
        step.update({k: v for k, v in optional.items() if v})
        steps.append(step)
    contacts = [
        {
            "name": c.name,
            "phone": c.phone,
            "email": c.email,
            "office": c.office,
            "office_en": c.office_en,
            "hours": c.hours,
            "hours_en": c.hours_en,
        }
        for c in service.contacts.all()
    ]
    return {"fields": fields, "steps": steps, "contacts": contacts}


def services_with_parts() -> QuerySet[Service]:
    return Service.objects.select_related("area", "department").prefetch_related(
        "fields",
        "contacts",
        "departments",
        Prefetch("steps", queryset=ServiceStep.objects.select_related("approver", "department")),
    )

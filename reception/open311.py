"""Open311 GeoReport v2 at /open311/v2/: discovery, services, a service's definition, POST
requests (with an api_key, rate limited per key), GET requests (the spec's filters), one request
and tokens, each in JSON and in XML with the spec's element names. Errors are the spec's list of
``{code, description}`` (``<errors><error>`` in XML) with 400 / 403 / 404 / 429.

``jurisdiction_id`` is optional on every call, as the spec has it for an endpoint that serves
one jurisdiction: the configured one (``OPEN311_JURISDICTION_ID``, shown in discovery) is
accepted, any other is 404; with ``OPEN311_JURISDICTION_REQUIRED`` a call without it is 400.

A posted request becomes a case on the channel "online" at once, so the answer carries both its
``service_request_id`` and a ``token``; ``tokens/{token}`` resolves the token to the id. A GET
never shows a person's data: no name, phone, e-mail or address of the sender, and the description
only when the person agreed to publish it.
"""

from datetime import datetime, timedelta
from functools import wraps
from xml.etree import ElementTree as ET

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from reception import case_services as cs
from reception.models import Case, CaseCategory, CaseCategoryAttribute, Open311Key, Open311Request

CLOSED = {Case.Status.NOT_ACCEPTED, Case.Status.CLOSED, Case.Status.DONE}
CHANGESET = "2026-12-02T00:00:00+08:00"
WINDOW = timedelta(days=90)
MAX_ROWS = 1000
MAX_IDS = 100
XML_CONTENT = "text/xml; charset=utf-8"


def per_key_per_hour() -> int:
    return getattr(settings, "OPEN311_REQUESTS_PER_KEY_PER_HOUR", 60)


# --- output ---------------------------------------------------------------------------------


def _xml_value(parent: ET.Element, name: str, value) -> None:
    node = ET.SubElement(parent, name)
    if isinstance(value, bool):
        node.text = "true" if value else "false"
    elif value is not None:
        node.text = str(value)


def _xml_item(parent: ET.Element, name: str, data: dict, lists: dict) -> None:
    """One element named ``name`` holding ``data``; a list value is written as the children
    ``lists[key]`` (element name of each item) inside an element named after the key."""
    node = ET.SubElement(parent, name)
    for key, value in data.items():
        if isinstance(value, list):
            holder = ET.SubElement(node, key)
            for item in value:
                if isinstance(item, dict):
                    _xml_item(holder, lists[key], item, lists)
                else:
                    _xml_value(holder, lists[key], item)
        else:
            _xml_value(node, key, value)


def _respond(fmt: str, data, root: str, item: str | None, status: int = 200, lists=None):
    if fmt == "json":
        return JsonResponse(
            data, status=status, safe=False, json_dumps_params={"ensure_ascii": False}
        )
    lists = lists or {}
    if item is None:
        top = ET.Element("_")
        _xml_item(top, root, data, lists)
        tree = top[0]
    else:
        tree = ET.Element(root)
        for row in data:
            _xml_item(tree, item, row, lists)
    body = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(tree, encoding="utf-8")
    return HttpResponse(body, status=status, content_type=XML_CONTENT)


def error(status: int, description: str, fmt: str = "json") -> HttpResponse:
    return _respond(fmt, [{"code": status, "description": description}], "errors", "error", status)


def _iso(moment) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


def jurisdiction(view):
    """Checks ``jurisdiction_id`` (query string, or the form of a POST) before the view runs."""

    @wraps(view)
    def checked(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        fmt = kwargs.get("fmt", "json")
        data = request.POST if request.method == "POST" else request.GET
        given = data.get("jurisdiction_id")
        if given is None or given == "":
            if settings.OPEN311_JURISDICTION_REQUIRED:
                return error(400, "jurisdiction_id was not provided.", fmt)
        elif given != settings.OPEN311_JURISDICTION_ID:
            return error(404, f"jurisdiction_id {given[:60]!r} was not found.", fmt)
        return view(request, *args, **kwargs)

    return checked


# --- discovery and services -----------------------------------------------------------------


@require_GET
@jurisdiction
def discovery(request: HttpRequest, fmt: str = "json") -> HttpResponse:
    base = request.build_absolute_uri(reverse("open311:services")).rsplit("/", 1)[0] + "/"
    data = {
        "changeset": CHANGESET,
        "contact": "One-stop Business Hall",
        "key_service": "Keys are issued by the office in the hall's admin.",
        "jurisdiction_id": settings.OPEN311_JURISDICTION_ID,
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": base,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    lists = {"endpoints": "endpoint", "formats": "format"}
    return _respond(fmt, data, "discovery", None, lists=lists)


def _leaves():
    parents = set(CaseCategory.objects.exclude(parent=None).values_list("parent_id", flat=True))
    return [c for c in CaseCategory.objects.select_related("parent") if c.pk not in parents]


@require_GET
@jurisdiction
def services(request: HttpRequest, fmt: str = "json") -> HttpResponse:
    leaves = _leaves()
    with_attributes = set(
        CaseCategoryAttribute.objects.filter(category__in=leaves).values_list(
            "category_id", flat=True
        )
    )
    rows = [
        {
            "service_code": c.code,
            "service_name": c.name_zh,
            "description": c.name_en or c.name_zh,
            "metadata": c.pk in with_attributes,
            "type": "realtime",
            "keywords": "",
            "group": c.parent.name_zh if c.parent_id else "",
        }
        for c in leaves
    ]
    return _respond(fmt, rows, "services", "service")


def _leaf(code: str) -> CaseCategory | None:
    category = CaseCategory.objects.filter(code=code).first()
    if category is None or CaseCategory.objects.filter(parent=category).exists():
        return None
    return category


def _attribute_row(attribute: CaseCategoryAttribute) -> dict:
    row = {
        "variable": True,
        "code": attribute.code,
        "datatype": attribute.datatype,
        "required": attribute.required,
        "datatype_description": attribute.get_datatype_display(),
        "order": attribute.order,
        "description": attribute.description,
    }
    if attribute.datatype in (attribute.Datatype.SINGLE, attribute.Datatype.MULTI):
        row["values"] = [
            {"key": str(v.get("key", "")), "name": str(v.get("name", ""))}
            for v in attribute.values or []
        ]
    return row


@require_GET
@jurisdiction
def service_definition(request: HttpRequest, code: str, fmt: str = "json") -> HttpResponse:
    category = _leaf(code)
    if category is None:
        return error(404, f"No service has the code {code[:60]!r}.", fmt)
    data = {
        "service_code": category.code,
        "attributes": [_attribute_row(a) for a in category.attributes.all()],
    }
    lists = {"attributes": "attribute", "values": "value"}
    return _respond(fmt, data, "service_definition", None, lists=lists)


# --- reading requests -----------------------------------------------------------------------


def _visible():
    return Case.objects.select_related("category", "lead_unit", "open311").filter(
        channel=Case.Channel.ONLINE
    )


def _row(case: Case) -> dict:
    extra = getattr(case, "open311", None)
    return {
        "service_request_id": case.number,
        "status": "closed" if case.status in CLOSED else "open",
        "status_notes": case.get_status_display(),
        "service_name": case.category.name_zh,
        "service_code": case.category.code,
        "description": case.content if case.consent_to_publish else "",
        "agency_responsible": case.lead_unit.name_zh if case.lead_unit_id else "",
        "service_notice": case.public_reply if case.status in CLOSED else "",
        "requested_datetime": _iso(case.created_at),
        "updated_datetime": _iso(case.updated_at),
        "expected_datetime": _iso(case.due_at),
        "address": case.place,
        "address_id": "",
        "zipcode": "",
        "lat": extra.lat if extra else None,
        "long": extra.long if extra else None,
        "media_url": extra.media_url if extra else "",
    }


@require_GET
@jurisdiction
def request_detail(request: HttpRequest, number: str, fmt: str = "json") -> HttpResponse:
    case = _visible().filter(number=number).first()
    if case is None:
        return error(404, "No such service request.", fmt)
    return _respond(fmt, [_row(case)], "service_requests", "request")


class BadQuery(Exception):
    pass


def _date(request: HttpRequest, name: str) -> datetime | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    try:
        moment = parse_datetime(raw.replace(" ", "+"))
    except ValueError:
        moment = None
    if moment is None:
        raise BadQuery(f"{name} must be a W3C date and time, e.g. 2026-12-01T00:00:00Z.")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _list(request: HttpRequest, name: str) -> list[str]:
    return [p.strip() for p in request.GET.get(name, "").split(",") if p.strip()]


def _filtered(request: HttpRequest, now: datetime):
    rows = _visible()
    ids = _list(request, "service_request_id")
    if ids:
        # The spec: a list of ids overrides every other filter.
        if len(ids) > MAX_IDS:
            raise BadQuery(f"At most {MAX_IDS} service_request_id at once.")
        return rows.filter(number__in=ids).order_by("-created_at")
    codes = _list(request, "service_code")
    if codes:
        rows = rows.filter(category__code__in=codes)
    statuses = _list(request, "status")
    if statuses:
        if not set(statuses) <= {"open", "closed"}:
            raise BadQuery("status must be open, closed, or both (comma separated).")
        if statuses == ["open"]:
            rows = rows.exclude(status__in=CLOSED)
        elif statuses == ["closed"]:
            rows = rows.filter(status__in=CLOSED)
    start, end = _date(request, "start_date"), _date(request, "end_date")
    if start and end and end - start > WINDOW:
        raise BadQuery("start_date and end_date may be at most 90 days apart.")
    if start and end and end < start:
        raise BadQuery("end_date is before start_date.")
    if start is None and end is None:
        end = now
    if start is None:
        start = end - WINDOW
    if end is None:
        end = start + WINDOW
    rows = rows.filter(created_at__gte=start, created_at__lte=end)
    return rows.order_by("-created_at")


@csrf_exempt
@jurisdiction
def requests(request: HttpRequest, fmt: str = "json") -> HttpResponse:
    if request.method == "POST":
        return _post(request, fmt)
    if request.method != "GET":
        return error(400, "Use GET to read requests or POST to make one.", fmt)
    try:
        cases = list(_filtered(request, timezone.now())[:MAX_ROWS])
    except BadQuery as exc:
        return error(400, str(exc), fmt)
    return _respond(fmt, [_row(c) for c in cases], "service_requests", "request")


@require_GET
@jurisdiction
def token(request: HttpRequest, token: str, fmt: str = "json") -> HttpResponse:
    found = (
        Open311Request.objects.filter(token=token).values_list("token", "case__number").first()
        if _is_uuid(token)
        else None
    )
    if found is None:
        return error(404, "No such token.", fmt)
    data = [{"service_request_id": found[1], "token": str(found[0])}]
    return _respond(fmt, data, "service_requests", "request")


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


# --- posting a request ----------------------------------------------------------------------


def _answers(category: CaseCategory, data) -> dict:
    """The ``attribute[code]`` answers, checked against the service definition."""
    answers = {}
    for attribute in category.attributes.all():
        name = f"attribute[{attribute.code}]"
        values = [v.strip() for v in data.getlist(name) if v.strip()]
        if not values:
            if attribute.required:
                raise BadQuery(f"{name} is required.")
            continue
        keys = {str(v.get("key", "")) for v in attribute.values or []}
        if attribute.datatype == attribute.Datatype.SINGLE:
            if len(values) > 1 or values[0] not in keys:
                raise BadQuery(f"{name} must be one of {', '.join(sorted(keys))}.")
            answers[attribute.code] = values[0]
        elif attribute.datatype == attribute.Datatype.MULTI:
            if not set(values) <= keys:
                raise BadQuery(f"{name} must be among {', '.join(sorted(keys))}.")
            answers[attribute.code] = values
        elif attribute.datatype == attribute.Datatype.NUMBER:
            try:
                float(values[0])
            except ValueError:
                raise BadQuery(f"{name} must be a number.") from None
            answers[attribute.code] = values[0]
        else:
            answers[attribute.code] = values[0][:1000]
    return answers


def _post(request: HttpRequest, fmt: str) -> HttpResponse:
    data = request.POST
    key = Open311Key.objects.filter(key=data.get("api_key", "") or None, is_active=True).first()
    if key is None:
        return error(403, "The api_key is missing or not valid.", fmt)
    since = timezone.now() - timedelta(hours=1)
    if Open311Request.objects.filter(api_key=key, created_at__gte=since).count() >= (
        per_key_per_hour()
    ):
        return error(429, "Too many requests with this api_key in the last hour.", fmt)
    code = data.get("service_code", "")
    if not code:
        return error(400, "service_code is required.", fmt)
    category = _leaf(code)
    if category is None:
        return error(404, f"No service has the code {code[:60]!r}.", fmt)
    lat, long_, address = data.get("lat", ""), data.get("long", ""), data.get("address_string", "")
    if not address and not (lat and long_):
        return error(400, "Give lat and long, or address_string.", fmt)
    point = (None, None)
    if lat and long_:
        try:
            point = (float(lat), float(long_))
        except ValueError:
            return error(400, "lat and long must be numbers.", fmt)
        if not (-90 <= point[0] <= 90 and -180 <= point[1] <= 180):
            return error(400, "lat and long are out of range.", fmt)
    if not address:
        address = f"{point[0]:.6f},{point[1]:.6f}"
    try:
        answers = _answers(category, data)
    except BadQuery as exc:
        return error(400, str(exc), fmt)
    name = " ".join(p for p in (data.get("first_name", ""), data.get("last_name", "")) if p)
    description = data.get("description", "").replace("\x00", "")
    media_url = data.get("media_url", "")[:500]
    if media_url and not media_url.startswith(("http://", "https://")):
        return error(400, "media_url must be an http(s) address.", fmt)
    try:
        # The per-key limit above stands in for the public form's per-address one: a client
        # app posts for many people from one server.
        case = cs.case_create(
            channel=Case.Channel.ONLINE,
            kind=Case.Kind.COMPLAINT,
            category=category,
            title=(description[:60] or category.name_zh),
            content=description or category.name_zh,
            place=address[:200],
            contact_name=name[:100],
            contact_phone=data.get("phone", "")[:40],
            contact_email=data.get("email", "")[:254],
            anonymous=not (name and (data.get("phone") or data.get("email"))),
        )
    except cs.CaseError as exc:
        return error(400, str(exc.message), fmt)
    extra = Open311Request.objects.create(
        case=case,
        api_key=key,
        lat=point[0],
        long=point[1],
        attributes=answers,
        media_url=media_url,
    )
    row = {
        "service_request_id": case.number,
        "token": str(extra.token),
        "service_notice": "",
        "account_id": None,
    }
    return _respond(fmt, [row], "service_requests", "request")

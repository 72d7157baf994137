"""Open311 GeoReport v2 at /open311/v2/: discovery, services, POST requests (with an api_key)
and GET requests/{id}, in JSON. Errors are the spec's list of ``{code, description}``.

A posted request becomes a case on the channel "online"; a GET never shows a person's data
(the description only when the person agreed to publish it).
"""

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from reception import case_services as cs
from reception.models import Case, CaseCategory, Open311Key

CLOSED = {Case.Status.NOT_ACCEPTED, Case.Status.CLOSED, Case.Status.DONE}


def _json(data, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def error(status: int, description: str) -> JsonResponse:
    return _json([{"code": status, "description": description}], status)


def _iso(moment) -> str:
    return moment.isoformat(timespec="seconds") if moment else None


@require_GET
def discovery(request: HttpRequest) -> JsonResponse:
    base = request.build_absolute_uri(reverse("open311:services")).rsplit("/", 1)[0] + "/"
    return _json(
        {
            "changeset": "2026-12-01T00:00:00+08:00",
            "contact": "One-stop Business Hall",
            "key_service": "Keys are issued by the office in the hall's admin.",
            "endpoints": [
                {
                    "specification": "http://wiki.open311.org/GeoReport_v2",
                    "url": base,
                    "changeset": "2026-12-01T00:00:00+08:00",
                    "type": "production",
                    "formats": ["application/json"],
                }
            ],
        }
    )


def _leaves():
    parents = set(CaseCategory.objects.exclude(parent=None).values_list("parent_id", flat=True))
    return [c for c in CaseCategory.objects.select_related("parent") if c.pk not in parents]


@require_GET
def services(request: HttpRequest) -> JsonResponse:
    return _json(
        [
            {
                "service_code": c.code,
                "service_name": c.name_zh,
                "description": c.name_en or c.name_zh,
                "metadata": False,
                "type": "realtime",
                "keywords": "",
                "group": c.parent.name_zh if c.parent_id else "",
            }
            for c in _leaves()
        ]
    )


def _row(case: Case) -> dict:
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
        "lat": None,
        "long": None,
        "media_url": "",
    }


@require_GET
def request_detail(request: HttpRequest, number: str) -> JsonResponse:
    case = (
        Case.objects.select_related("category", "lead_unit")
        .filter(number=number, channel=Case.Channel.ONLINE)
        .first()
    )
    if case is None:
        return error(404, "No such service request.")
    return _json([_row(case)])


@csrf_exempt
def requests(request: HttpRequest) -> JsonResponse:
    if request.method != "POST":
        return error(400, "GET requests lists are not offered; ask for one request by its id.")
    data = request.POST
    key = data.get("api_key", "")
    if not key or not Open311Key.objects.filter(key=key, is_active=True).exists():
        return error(403, "The api_key is missing or not valid.")
    code = data.get("service_code", "")
    if not code:
        return error(400, "service_code is required.")
    category = CaseCategory.objects.filter(code=code).first()
    if category is None:
        return error(404, f"No service has the code {code[:60]!r}.")
    lat, long_, address = data.get("lat", ""), data.get("long", ""), data.get("address_string", "")
    if not address and not (lat and long_):
        return error(400, "Give lat and long, or address_string.")
    if not address:
        try:
            address = f"{float(lat):.6f},{float(long_):.6f}"
        except ValueError:
            return error(400, "lat and long must be numbers.")
    name = " ".join(p for p in (data.get("first_name", ""), data.get("last_name", "")) if p)
    description = data.get("description", "").replace("\x00", "")
    try:
        case = cs.case_create(
            channel=Case.Channel.ONLINE,
            kind=Case.Kind.COMPLAINT,
            category=category,
            title=(description[:60] or category.name_zh),
            content=description,
            place=address[:200],
            contact_name=name[:100],
            contact_phone=data.get("phone", "")[:40],
            contact_email=data.get("email", "")[:254],
            anonymous=not (name and (data.get("phone") or data.get("email"))),
            source_address=request.META.get("REMOTE_ADDR") or None,
        )
    except cs.CaseError as exc:
        return error(400, exc.message)
    return _json([{"service_request_id": case.number, "service_notice": "", "account_id": None}])

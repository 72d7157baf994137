"""Hostile query strings against every list page: never a server error, always a word.

The attack on the hall found 22 tracebacks from query strings alone (a NUL byte in a search, a
year past any calendar, a date whose next day does not exist). Here every page that answers a
GET without a path argument is in a table with the parameters it reads, and each parameter gets
the same kinds of values: NUL, huge, negative, non-numeric, unicode, emoji, 4,000 characters,
impossible dates and repeated keys. The table cannot go stale quietly: the URLconf is walked
for pages missing from it, and a recording QueryDict catches any parameter a page reads that
the table does not name.
"""

from dataclasses import dataclass, field

import pytest
from django.http import QueryDict
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from archives.models import Fonds, OrganizationCode
from hall.models import Notification, Role, ServiceField
from tests.chains import FINANCE, HEAD
from workflows import services as approvals
from workflows.models import ApprovalRecord, ApprovalTask, ServiceRequest

# --- what a page reads -----------------------------------------------------------------------
#
# kind of a parameter → which hostile values must be answered with a message:
#   text   free words: a NUL byte or more than the field holds
#   slug   a code: also anything outside ASCII letters, digits, "-" and "_"
#   choice one of a list: everything hostile
#   int    a whole number in a range: everything hostile
#   date   a date in a plausible range: everything hostile
#   page   a page number: everything hostile
#   flag   present or not: no message needed, only no error

HOSTILE = {
    "nul": "\x00",
    "nul-inside": "ab\x00cd",
    "huge": "99999999999999999999",
    "negative": "-1",
    "non-numeric": "abc",
    "unicode-rtl": "测试\u202e",
    "emoji": "😀🚀",
    "long": "x" * 4000,
    "date-far": "9999-12-31",
    "date-zero": "0000-00-00",
}
VALID_TEXT = {"huge", "negative", "non-numeric", "unicode-rtl", "emoji", "date-far", "date-zero"}
VALID_SLUG = {"huge", "negative", "non-numeric", "date-far", "date-zero"}


def needs_message(kind: str, value_id: str) -> bool:
    if kind == "flag":
        return False
    if kind == "text":
        return value_id not in VALID_TEXT
    if kind == "slug":
        return value_id not in VALID_SLUG
    return True


@dataclass(frozen=True)
class Page:
    params: dict[str, str]
    who: str  # the persona the page is for: "anyone", "alice", "approver", "admin", "archivist"
    fixed: tuple[dict[str, str], ...] = field(default=({},))  # e.g. each tab of /tasks/


PAGES = {
    "hall:home": Page({"for": "choice"}, "anyone"),
    "hall:service-list": Page(
        {
            "q": "text",
            "area": "choice",
            "audience": "choice",
            "department": "choice",
            "letter": "choice",
            "page": "page",
        },
        "anyone",
    ),
    "hall:notifications": Page({"page": "page"}, "alice"),
    "hall:notification-settings": Page({}, "alice"),
    "hall:people-search": Page({"q": "text"}, "alice"),
    "workflows:my-requests": Page({"status": "choice", "page": "page"}, "alice"),
    "workflows:inbox": Page(
        {
            "tab": "choice",
            "q": "text",
            "service": "slug",
            "applicant": "text",
            "urgent": "flag",
            "overdue": "flag",
            "date_from": "date",
            "date_to": "date",
            "page": "page",
        },
        "approver",
        fixed=tuple({"tab": tab} for tab in ("todo", "queue", "done", "cc")),
    ),
    "workflows:delegation": Page({"page": "page"}, "approver"),
    "workflows:follow-up": Page({"page": "page"}, "admin"),
    "workflows:analytics": Page(
        {"date_from": "date", "date_to": "date", "format": "choice"}, "admin"
    ),
    "archives:record-list": Page(
        {
            "q": "text",
            "year": "int",
            "retention": "choice",
            "status": "choice",
            "org": "text",
            "department": "int",
            "fixity": "flag",
            "page": "page",
        },
        "archivist",
    ),
    "archives:statistics": Page({"from": "int", "to": "int", "format": "choice"}, "archivist"),
    "archives:loans": Page({"show": "choice", "page": "page"}, "archivist"),
    "archives:appraisal": Page({"page": "page"}, "archivist"),
    "archives:destruction": Page({"page": "page"}, "archivist"),
    "archives:cert-list": Page(
        {"kind": "choice", "within": "int", "expired": "flag", "page": "page"}, "archivist"
    ),
    "archives:report-list": Page({"page": "page"}, "archivist"),
    "archives:report-forms": Page({"page": "page"}, "archivist"),
    "archives:training-list": Page({"page": "page"}, "archivist"),
    "archives:chronicle-list": Page({"year": "int", "page": "page"}, "archivist"),
    "documents:register": Page(
        {
            "doc_type": "choice",
            "year": "int",
            "status": "choice",
            "authority": "int",
            "q": "text",
            "page": "page",
        },
        "alice",
    ),
    "research:inquiry": Page(
        {
            "q": "text",
            "date_from": "date",
            "date_to": "date",
            "format": "choice",
            "page": "page",
            "ledger": "page",
        },
        "alice",
    ),
    "research:import": Page({"run": "int"}, "admin"),
    "research:party-fees": Page(
        {"who": "text", "date_from": "date", "date_to": "date", "format": "choice", "page": "page"},
        "admin",
    ),
    "research:transfers": Page({"show": "choice", "page": "page"}, "admin"),
    "performance:board": Page(
        {
            "status": "choice",
            "light": "choice",
            "source": "choice",
            "unit": "int",
            "leader": "int",
            "page": "page",
        },
        "alice",
    ),
    "research:history": Page(
        {
            "q": "text",
            "service": "slug",
            "date_from": "date",
            "date_to": "date",
            "format": "choice",
            "page": "page",
        },
        "alice",
    ),
    "performance:notice": Page({"period": "choice", "page": "page"}, "alice"),
    "performance:item-create": Page({}, "admin"),
    "reception:resources": Page(
        {"kind": "choice", "view": "choice", "day": "date", "page": "page"}, "alice"
    ),
    "reception:my-bookings": Page({"page": "page"}, "alice"),
    "reception:book": Page({"resource": "int", "day": "date"}, "alice"),
    "reception:schedules": Page({"week": "date", "leader": "int"}, "admin"),
    "reception:schedule-new": Page({}, "admin"),
    "reception:duty": Page({}, "admin"),
    "documents:received": Page({"page": "page"}, "alice"),
    "performance:meetings": Page({"page": "page"}, "alice"),
    "performance:meetings-ical": Page({}, "alice"),
    "performance:plans": Page({"page": "page"}, "alice"),
    "performance:plans-dashboard": Page({"year": "int", "kind": "choice", "page": "page"}, "admin"),
    "performance:evaluations": Page({"page": "page"}, "admin"),
    "performance:coordinations": Page({"page": "page"}, "alice"),
    "performance:unit-results": Page({"page": "page"}, "approver"),
    "performance:instructions": Page({"page": "page"}, "admin"),
    "documents:incoming": Page({"status": "choice", "q": "text", "page": "page"}, "alice"),
    "reception:cases": Page({"status": "choice", "overdue": "choice", "page": "page"}, "admin"),
    "reception:hotspots": Page(
        {"from": "date", "to": "date", "period": "choice", "channel": "choice"}, "admin"
    ),
    "reception:mailbox-import": Page({}, "admin"),
    "reception:proposal-new": Page({}, "admin"),
    "reception:duty-mine": Page({}, "alice"),
    "reception:duty-roster": Page({}, "admin"),
    "reception:activities": Page({"page": "page"}, "admin"),
    "reception:activity-new": Page({}, "admin"),
    "reception:activity-tasks": Page({"page": "page"}, "alice"),
    "reception:lookup": Page({"number": "text", "code": "text"}, "anyone"),
    "reception:case-new": Page({}, "admin"),
    "reception:message": Page({}, "anyone"),
    # pages with a form or a download and no list: they read nothing, or one switch
    "documents:create": Page({}, "alice"),
    "documents:incoming-create": Page({}, "alice"),
    "documents:seals": Page({}, "alice"),
    "documents:seal-use-create": Page({}, "alice"),
    "archives:accession": Page({}, "archivist"),
    "archives:import": Page({"template": "flag"}, "archivist"),
    "archives:classes": Page({}, "archivist"),
    "archives:yearbook": Page({}, "archivist"),
    "archives:cert-create": Page({}, "archivist"),
    "archives:report-create": Page({}, "archivist"),
    "archives:training-create": Page({}, "archivist"),
    "archives:chronicle-create": Page({}, "archivist"),
    "documents:drafting": Page({"page": "page"}, "alice"),
    "documents:drafting-create": Page({}, "admin"),
    "documents:info": Page({"status": "choice", "unit": "int", "page": "page"}, "admin"),
    "documents:info-create": Page({}, "alice"),
    "documents:info-issues": Page({"page": "page"}, "alice"),
    "documents:info-issue-create": Page({}, "admin"),
    "documents:info-scores": Page(
        {"period": "choice", "year": "int", "n": "int", "format": "choice"}, "admin"
    ),
    "documents:gazette": Page({"year": "int", "page": "page"}, "anyone"),
    "documents:gazette-manage": Page({"page": "page"}, "admin"),
    "reception:incidents": Page({}, "admin"),
    "reception:incident-new": Page({}, "admin"),
    "reception:visits": Page({}, "admin"),
    "reception:visit-new": Page({}, "admin"),
    "documents:legal-reviews": Page({"status": "choice", "page": "page"}, "alice"),
    "documents:legal-contracts": Page({"page": "page"}, "alice"),
    "documents:legal-questions": Page({"page": "page"}, "alice"),
    "documents:legal-cases": Page({"page": "page"}, "admin"),
    "documents:legal-team": Page({}, "admin"),
    "documents:legal-review-create": Page({}, "alice"),
    "documents:legal-question-create": Page({}, "alice"),
    "documents:legal-case-create": Page({}, "admin"),
    "documents:legal-counsel-create": Page({}, "admin"),
    "documents:legal-contract-create": Page({}, "admin"),
}

# Pages without a path argument that are not lists, and why.
NOT_PAGES = {
    "hall:notifications-read": "POST only",
    "workflows:bulk-approve": "POST only",
    "healthz": "a JSON probe that reads no parameter",
    "open311:discovery": "Open311 JSON that reads no parameter (tests/reception/test_open311.py)",
    "open311:services": "Open311 JSON that reads no parameter (tests/reception/test_open311.py)",
    "open311:requests": "Open311 POST; its errors are the spec's JSON (test_open311.py)",
    "archives:start": "a redirect by role that reads no parameter",
    "performance:meeting-create": "POST only",
    "performance:plans-apply": "POST only",
    "performance:evaluation-open": "POST only",
    "performance:coordination-create": "POST only",
    "performance:strategy": "a redirect to this year's outline that reads no parameter",
    "login": "Django's own view; its next is checked below",
    "logout": "POST only",
    "sign-out-everywhere": "POST only",
    "cas-login": "404 until CAS is configured; its next goes through hall.params.safe_next",
    "cas-logout": "404 until CAS is configured; reads no parameter",
    "oidc_authentication_init": "404 until OIDC is configured; next through safe_next",
    "oidc_authentication_callback": "404 until OIDC is configured; code and state are checked",
    "wecom-callback": "404 until the WeCom app is configured; code and state are checked",
    "set_language": "POST only (Django's)",
    "javascript-catalog": "Django's translation catalogue",
    "documents:gazette-create": "POST only",
    "reception:duty-swap": "POST only",
    "reception:hotspots-excel": "an Excel download that reads the hot spots page's parameters "
    "through the same function (tested there)",
    "reception:duty-feed-renew": "POST only",
    "open311:discovery-xml": "Open311 XML that reads no parameter (test_open311_full.py)",
    "open311:services-xml": "Open311 XML that reads no parameter (test_open311_full.py)",
    "open311:requests-xml": "Open311: a bad filter is the spec's 400 error (test_open311_full.py)",
    "performance:bulletin-pdf": "a download; a bad period is refused in test_bulletin.py",
    "performance:bulletin-xlsx": "a download; a bad period is refused in test_bulletin.py",
}


def parameterless_names(patterns=None, namespace: str = "") -> set[str]:
    """Named URLs of the hall a browser can open with a query string alone (not the admin)."""
    names = set()
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            if not getattr(entry.pattern, "converters", {}):
                names |= parameterless_names(entry.url_patterns, inner)
        elif (
            isinstance(entry, URLPattern)
            and entry.name
            and not getattr(entry.pattern, "converters", {})
            and "(?P<" not in str(entry.pattern)
        ):
            names.add(f"{namespace}{entry.name}")
    return names


# --- which parameters a page reads, recorded --------------------------------------------------

READS: set[str] = set()


class RecordingQueryDict(QueryDict):
    def __getitem__(self, key):
        READS.add(key)
        return super().__getitem__(key)

    def getlist(self, key, default=None):
        READS.add(key)
        return super().getlist(key, default)

    def __contains__(self, key):
        READS.add(key)
        return super().__contains__(key)


class RecordReads:
    """Test-only middleware: the view sees a query that notes every key it is asked for."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.GET = RecordingQueryDict(request.META.get("QUERY_STRING", ""))
        return self.get_response(request)


# --- the people and a little data each list shows ---------------------------------------------


@pytest.fixture
def world(make_chain, submit, people, olivia, research_dept):
    service = make_chain([HEAD, FINANCE])
    req = submit(service)
    approvals.request_cc(request_id=req.pk, user=people["alice"], to_users=[people["hank"]])
    Role.objects.create(department=research_dept, code="archivist", name_zh="档案员").holders.add(
        people["rose"]
    )
    fonds = Fonds.objects.create(code="Z001", name="本校全宗")
    OrganizationCode.objects.create(fonds=fonds, department=research_dept, code="KYY")
    return {
        "anyone": None,
        "alice": people["alice"],
        "approver": people["hank"],
        "admin": olivia,
        "archivist": people["rose"],
    }


def alerts(html: str) -> int:
    """Messages and inline form errors on a page."""
    return html.count('class="message ') + html.count('role="alert"')


def hostile_queries(page: Page):
    for fixed in page.fixed:
        for name, kind in page.params.items():
            if name in fixed:
                continue
            for value_id, value in HOSTILE.items():
                yield f"{name}={value_id}", {**fixed, name: value}, needs_message(kind, value_id)
            # a repeated key: both the harmless and the hostile value, either order
            yield f"{name}=[1,nul]", {**fixed, name: ["1", "\x00"]}, kind != "flag"
            yield f"{name}=[nul,1]", {**fixed, name: ["\x00", "1"]}, False


def throw(client, url: str, page: Page, *, expect_messages: bool) -> list[str]:
    client.raise_request_exception = False  # a traceback is a failure to list, not to stop at
    failures = []
    base = client.get(url, dict(page.fixed[0]))
    assert base.status_code in (200, 302), f"{url} without parameters: {base.status_code}"
    quiet = alerts(base.content.decode()) if base.status_code == 200 else 0
    for label, query, invalid in hostile_queries(page):
        response = client.get(url, query)
        if response.status_code >= 500 or response.status_code not in (200, 302):
            failures.append(f"{url} {label}: {response.status_code}")
            continue
        html_page = response.status_code == 200 and "html" in response.get("Content-Type", "")
        if expect_messages and invalid and html_page and alerts(response.content.decode()) <= quiet:
            failures.append(f"{url} {label}: no message")
    return failures


# --- the table is complete --------------------------------------------------------------------


def test_every_page_without_a_path_argument_is_in_the_table(db):
    # given
    names = parameterless_names()

    # then
    assert names - set(PAGES) - set(NOT_PAGES) == set(), "add these pages to PAGES"
    assert set(PAGES) - names == set(), "these pages are gone from the URLconf"
    assert set(NOT_PAGES) - names == set(), "these exclusions are gone from the URLconf"


@pytest.mark.parametrize("name", sorted(PAGES))
def test_the_table_names_every_parameter_a_page_reads(name, world, client, settings):
    # given
    page = PAGES[name]
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "tests.test_query_params.RecordReads"]
    if world[page.who]:
        client.force_login(world[page.who])
    every_value = {key: "1" for key in page.params}
    client.raise_request_exception = False  # only the reads matter here

    # when
    READS.clear()
    for fixed in page.fixed:
        client.get(reverse(name), fixed)
        client.get(reverse(name), {**every_value, **fixed})

    # then
    assert READS - set(page.params) == set(), f"{name} reads parameters the table does not name"


# --- the hostile values -----------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(n for n in PAGES if PAGES[n].params))
def test_hostile_values_get_no_server_error_as_anonymous(name, world, client):
    # given an anonymous visitor (sent to log in where the page needs a person)
    page = PAGES[name]

    # when / then
    failures = throw(client, reverse(name), page, expect_messages=page.who == "anyone")
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize("name", sorted(n for n in PAGES if PAGES[n].params))
def test_hostile_values_get_a_message_and_no_server_error_for_the_right_person(name, world, client):
    # given the kind of person the page is for
    page = PAGES[name]
    person = world[page.who] or world["alice"]
    client.force_login(person)

    # when / then
    failures = throw(client, reverse(name), page, expect_messages=True)
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_message_about_a_bad_value_is_in_the_persons_language(language, client, db):
    # given
    client.cookies["django_language"] = language

    # when
    response = client.get(reverse("hall:service-list"), {"q": "\x00", "page": "abc"})

    # then
    html = response.content.decode()
    assert response.status_code == 200
    if language == "en":
        assert "Null characters are not allowed" in html
        assert "“Page” was left out: Enter a whole number." in html
    else:
        assert "不允许是用空字符串" in html
        assert "已忽略“页码”：输入整数。" in html


# --- the same values where a person is sent on (next) ----------------------------------------


@pytest.mark.parametrize("value_id", ["nul", "nul-inside", "long", "unicode-rtl", "huge"])
def test_the_login_page_with_a_hostile_next_gets_no_server_error(value_id, client, alice):
    # given
    url = reverse("login")

    # when
    shown = client.get(url, {"next": HOSTILE[value_id]})
    posted = client.post(
        url, {"username": "alice", "password": "pw", "next": "/" + HOSTILE[value_id]}
    )

    # then
    assert shown.status_code == 200
    assert posted.status_code == 302
    assert "\x00" not in posted["Location"]


@pytest.mark.parametrize("value_id", ["nul", "nul-inside", "long", "unicode-rtl"])
def test_the_language_switch_with_a_hostile_next_gets_no_server_error(value_id, client, db):
    # when
    response = client.post(
        reverse("set_language"), {"language": "en", "next": "/" + HOSTILE[value_id]}
    )

    # then
    assert response.status_code == 302
    assert "\x00" not in response["Location"]


@pytest.mark.parametrize("value_id", ["nul", "nul-inside", "long"])
def test_a_favourite_with_a_hostile_next_goes_back_to_the_service(value_id, client, people, world):
    # given
    service = ServiceRequest.objects.get().service
    client.force_login(people["alice"])

    # when
    response = client.post(
        reverse("hall:favourite-toggle", args=[service.code]), {"next": "/" + HOSTILE[value_id]}
    )

    # then
    assert response.status_code == 302
    assert response["Location"] == service.get_absolute_url()


def test_the_apply_page_with_hostile_draft_and_prefill_gets_no_server_error(
    client, make_chain, people
):
    # given
    service = make_chain([HEAD], is_online=True)
    ServiceField.objects.create(
        service=service, order=3, key="purpose", label_zh="事由", field_type="text"
    )
    client.force_login(people["alice"])
    url = reverse("workflows:apply", args=[service.code])
    client.raise_request_exception = False

    # when
    answers = [client.get(url, {"draft": value}) for value in HOSTILE.values()]
    answers += [client.get(url, {"purpose": value}) for value in HOSTILE.values()]

    # then
    assert [a.status_code for a in answers if a.status_code not in (200, 404)] == []


def test_a_prefilled_text_with_a_nul_is_left_out_with_a_message(client, make_chain, people):
    # given
    service = make_chain([HEAD], is_online=True)
    ServiceField.objects.create(
        service=service, order=3, key="purpose", label_zh="事由", field_type="text"
    )
    client.force_login(people["alice"])

    # when
    response = client.get(reverse("workflows:apply", args=[service.code]), {"purpose": "出访\x00"})

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "已忽略“事由”" in html
    assert 'value="出访' not in html


# --- NUL bytes posted beside a button: refused with a message, nothing saved -----------------


def test_a_withdrawal_comment_with_a_nul_is_refused_and_nothing_changes(client, world, people):
    # given
    req = ServiceRequest.objects.get()
    client.force_login(people["alice"])
    records = ApprovalRecord.objects.count()

    # when
    response = client.post(
        reverse("workflows:request-withdraw", args=[req.pk]), {"comment": "不办了\x00"}, follow=True
    )

    # then
    req.refresh_from_db()
    assert response.status_code == 200
    assert req.status == ServiceRequest.Status.IN_PROGRESS
    assert ApprovalRecord.objects.count() == records
    assert "不允许是用空字符串" in response.content.decode()


def test_a_task_remark_with_a_nul_is_refused_and_nothing_changes(client, world, people):
    # given
    task = ApprovalTask.objects.get(status="pending")
    client.force_login(people["hank"])
    records = ApprovalRecord.objects.count()

    # when
    response = client.post(
        task.get_absolute_url(), {"op": "comment", "remark": "请补充\x00"}, follow=True
    )

    # then
    assert response.status_code == 200
    assert ApprovalRecord.objects.count() == records
    assert "不允许是用空字符串" in response.content.decode()


def test_a_bulk_approval_with_a_nul_comment_approves_nothing(client, world, people):
    # given
    task = ApprovalTask.objects.get(status="pending")
    client.force_login(people["hank"])

    # when
    response = client.post(
        reverse("workflows:bulk-approve"), {"task": [task.pk], "comment": "\x00"}, follow=True
    )

    # then
    task.refresh_from_db()
    assert response.status_code == 200
    assert task.status == ApprovalTask.Status.PENDING


@pytest.mark.parametrize("value_id", ["nul", "huge", "negative", "unicode-rtl"])
def test_hostile_ids_posted_beside_buttons_get_no_server_error(value_id, client, world, people):
    # given
    value = HOSTILE[value_id]
    client.force_login(people["hank"])
    client.raise_request_exception = False

    # when
    answers = [
        client.post(reverse("workflows:bulk-approve"), {"task": [value, "²"]}),
        client.post(reverse("workflows:delegation"), {"end": value}),
        client.post(reverse("workflows:follow-up"), {"rating": value, "response": "改了"}),
        client.post(reverse("workflows:apply", args=["x"]), {"draft": value}),
    ]

    # then
    assert [a.status_code for a in answers] == [302, 302, 302, 404]
    assert ApprovalTask.objects.filter(status="approved").count() == 0


def test_marking_messages_read_with_ids_that_are_not_ids_marks_nothing(client, world, people):
    # given
    Notification.objects.create(recipient=people["hank"], kind="cc", subject="抄送", url="/")
    client.force_login(people["hank"])
    unread = Notification.objects.filter(recipient=people["hank"], read_at__isnull=True).count()

    # when
    response = client.post(reverse("hall:notifications-read"), {"id": ["²", "\x00", "-1"]})

    # then
    assert response.status_code == 302
    assert (
        Notification.objects.filter(recipient=people["hank"], read_at__isnull=True).count()
        == unread
    )

"""Pages of the people's voices: the operator's desk and a unit's list, a case's page with its
next steps, the public online message and the public look-up."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from hall import params
from hall.actions import act
from hall.lists import CappedPaginator, Page
from hall.models import Department
from reception import case_clock, case_more_views
from reception import case_selectors as selectors
from reception import case_services as cs
from reception.case_forms import OnlineMessageForm, PhoneCaseForm
from reception.models import Case

PAGE_SIZE = 50


class CasePaginator(CappedPaginator):
    """Counts the list's disjoint parts (``case_selectors.count_parts``) one by one, each
    without the list's order and up to the cap: a unit's count then reads its indexes instead
    of walking every case by date (0.3 s at 1M cases) or scanning for an OR."""

    def __init__(self, object_list, per_page, *, parts, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.parts = parts

    @cached_property
    def _counted(self) -> int:
        total = 0
        for part in self.parts:
            total += part.order_by()[: self.cap + 1 - total].count()
            if total > self.cap:
                break
        return total


def _action_labels() -> dict[str, str]:
    return {
        "created": _("Received"),
        "accepted": pgettext("case", "Accepted"),
        "not_accepted": _("Not accepted"),
        "dispatched": pgettext("case", "Dispatched"),
        "returned": _("Returned by the unit"),
        "signed": _("Signed for"),
        "replied": _("Replied"),
        "sent_back": _("Sent back"),
        "closed": pgettext("case", "Closed"),
        "callback": _("Called back"),
        "reopened": _("Reopened"),
        "reminder": _("Reminder: due soon"),
        "overdue": _("Overdue"),
        "escalated": _("Escalated to the office's leader"),
        "notice": _("Written notice"),
        "extension_asked": _("Extension asked"),
        "extended": _("Extension approved"),
        "extension_refused": _("Extension not granted"),
        "merged_into": _("Merged into"),
        "merged_from": _("Merged with"),
        "graded": _("Reply graded"),
        "opinion": _("Co-handler's opinion"),
        "complex_asked": _("Asked to count as complex"),
        "made_complex": _("Counted as complex"),
        "attachment_refused": _("Attachment refused"),
    }


def _english(request: HttpRequest) -> bool:
    return (request.LANGUAGE_CODE or "").startswith("en")


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    """The office's desk (every case) or a unit's list (the cases dispatched to it)."""
    status = params.choice(request, "status", Case.Status.choices, label=_("Status"))
    overdue = params.choice(request, "overdue", ["1"], label=_("Overdue")) == "1"
    office = cs.is_office(request.user)
    # Counted up to 10,000 rows: a full COUNT(*) of a million cases cost ~300 ms a page.
    page = CasePaginator(
        selectors.case_rows(request.user, status, overdue=overdue),
        PAGE_SIZE,
        parts=selectors.count_parts(request.user, status, overdue=overdue, office=office),
    ).get_page(params.page_number(request))
    english = _english(request)
    labels = dict(Case.Status.choices)
    kinds = dict(Case.Kind.choices)
    prefix = reverse("reception:cases")
    # The due time and the overdue mark are written here once per row (no date filter per row).
    lists, now, running = Page(), timezone.now(), set(case_clock.RUNNING)

    def name(obj) -> str:
        return obj.name_en if english and obj.name_en else obj.name_zh

    table = [
        (
            f"{prefix}{case.pk}/",
            case.number,
            case.title,
            name(case.category),
            kinds.get(case.kind, case.kind),
            name(case.lead_unit) if case.lead_unit_id else "",
            lists.minute(case.due_at),
            bool(case.due_at and case.due_at < now and case.status in running),
            case.status,
            labels.get(case.status, case.status),
        )
        for case in page.object_list
    ]
    return render(
        request,
        "reception/cases.html",
        {
            "table": table,
            "page": page,
            "statuses": Case.Status.choices,
            "status": status,
            "is_office": office,
            "overdue": overdue,
            "now": timezone.now(),
            "running": case_clock.RUNNING,
        },
    )


def _case(request: HttpRequest, pk: int) -> Case:
    case = selectors.case_detail(request.user, pk)
    if case is None:
        raise Http404(_("No such case."))
    return case


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    user = request.user
    if cs.may_see_contact(user, case):
        contact = (case.contact_name, case.contact_phone, case.contact_email)
    else:
        contact = (
            cs.mask_name(case.contact_name) if not case.anonymous else "",
            cs.mask_phone(case.contact_phone),
            cs.mask_email(case.contact_email),
        )
    office = cs.is_office(user)
    lead = cs.is_lead_staff(user, case)
    S = Case.Status
    labels = _action_labels()
    steps = set()
    if office:
        steps |= {
            S.NEW: {"accept", "not_accept"},
            S.ACCEPTED: {"dispatch"},
            S.RETURNED: {"dispatch"},
            S.REPLIED: {"close", "send_back"},
            S.CLOSED: {"callback"},
        }.get(case.status, set())
    if lead or office:
        steps |= {S.DISPATCHED: {"sign", "return"} if lead else set(), S.SIGNED: {"reply"}}.get(
            case.status, set()
        )
    return render(
        request,
        "reception/case.html",
        {
            "case": case,
            "contact": contact,
            "contact_visible": cs.may_see_contact(user, case),
            "co_units": list(case.co_units.all()),
            "events": [
                (
                    event.at,
                    labels.get(event.action, event.action),
                    event.actor,
                    selectors.event_note(event.action, event.note),
                )
                for event in case.events.select_related("actor")
            ],
            "steps": steps,
            "units": list(Department.objects.order_by("code")) if "dispatch" in steps else [],
            "satisfactions": Case.Satisfaction.choices,
            **case_more_views.more_context(request, case),
        },
    )


@login_required
@require_POST
def case_act(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    action = request.POST.get("action", "")
    text = params.posted_text(request, "text", label=_("Note"), max_length=5000)
    if text is None:
        return redirect(case)
    user = request.user

    def dispatch():
        lead_id = params.posted_id(request, "lead_unit")
        lead = Department.objects.filter(pk=lead_id).first() if lead_id else None
        co = Department.objects.filter(pk__in=params.posted_ids(request, "co_units"))
        return cs.case_dispatch(case=case, by=user, lead_unit=lead, co_units=list(co))

    steps = {
        "accept": lambda: cs.case_accept(case=case, by=user),
        "not_accept": lambda: cs.case_not_accept(case=case, by=user, reason=text),
        "dispatch": dispatch,
        "sign": lambda: cs.case_sign(case=case, by=user),
        "return": lambda: cs.case_return(case=case, by=user, reason=text),
        "reply": lambda: cs.case_reply(case=case, by=user, reply=text),
        "send_back": lambda: cs.case_send_back(case=case, by=user, reason=text),
        "close": lambda: cs.case_close(case=case, by=user),
        "callback": lambda: cs.case_callback(
            case=case, by=user, satisfaction=request.POST.get("satisfaction", ""), note=text
        ),
    }
    if action not in steps:
        messages.error(request, _("Choose a step."))
        return redirect(case)
    act(request, steps[action], pgettext("case", "Done."), refused=cs.CaseError)
    if selectors.case_detail(user, case.pk) is None:
        return redirect("reception:cases")
    return redirect(case)


def _address(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _made(request: HttpRequest, case: Case) -> HttpResponse:
    return render(request, "reception/case_made.html", {"case": case})


def online_message(request: HttpRequest) -> HttpResponse:
    """The public form (no login): anonymous allowed, a limit per address instead of a CAPTCHA."""
    form = OnlineMessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = cs.case_create(
                channel=Case.Channel.ONLINE, source_address=_address(request), **form.cleaned_data
            )
        except cs.CaseError as exc:
            form.add_error(None, exc.message)
        else:
            return _made(request, case)
    return render(request, "reception/case_new.html", {"form": form, "public": True})


@login_required
def case_new(request: HttpRequest) -> HttpResponse:
    """The operator's desk: a phone call typed in, a letter, a mailbox message."""
    if not cs.is_office(request.user):
        raise Http404(_("No such page."))
    form = PhoneCaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = cs.case_create(received_by=request.user, **form.cleaned_data)
        except cs.CaseError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Case %(number)s is recorded; its verification code is %(code)s.")
                % {"number": case.number, "code": case.verification_code},
            )
            return redirect(case)
    return render(request, "reception/case_new.html", {"form": form, "public": False})


def lookup(request: HttpRequest) -> HttpResponse:
    """The public look-up: the status and the public reply, never a person's data."""
    number = params.text(request, "number", label=_("Case number"), max_length=20)
    code = params.text(request, "code", label=_("Verification code"), max_length=12)
    searched = bool(number and code)
    case = selectors.public_case(number, code) if searched else None
    return render(
        request,
        "reception/lookup.html",
        {"number": number, "code": code, "case": case, "searched": searched},
    )

"""The Party fee inquiry: answers at once, with no chain. A member sees their own months (base,
rate, amount due, paid, arrears); the Party office sees every member's and may look one up."""

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from hall import params
from hall.lists import escape
from workflows.forms import PeriodForm
from workflows.research import selectors
from workflows.research.models import ZERO


class PartyFeeForm(PeriodForm):
    who = forms.CharField(
        label=gettext_lazy("Member (number or name)"), required=False, max_length=100
    )

    field_order = ["who", "date_from", "date_to"]


def _money(value) -> str:
    return f"{value:.2f}"


def _rows(payments, labels: dict, office: bool) -> str:
    """The table body written once in Python; labels translated and escaped once per page."""
    out = []
    for p in payments:
        arrears = max(p.due - p.paid, ZERO)
        member = (
            f'<td data-label="{labels["member"]}">{escape(p.member.full_name or p.member.username)}'
            f" {escape(p.member.number)}</td>"
            if office
            else ""
        )
        late = ' class="overdue"' if arrears else ""
        out.append(
            f'<tr><th scope="row" data-label="{labels["month"]}">{p.month:%Y-%m}</th>{member}'
            f'<td data-label="{labels["base"]}">{_money(p.base)}</td>'
            f'<td data-label="{labels["rate"]}">{p.rate:.2f} %</td>'
            f'<td data-label="{labels["due"]}">{_money(p.due)}</td>'
            f'<td data-label="{labels["paid"]}">{_money(p.paid)}</td>'
            f'<td data-label="{labels["arrears"]}"{late}><strong>{_money(arrears)}</strong></td>'
            f'<td data-label="{labels["paid_on"]}">{p.paid_on or "—"}</td></tr>'
        )
    return mark_safe("".join(out))  # noqa: S308 - every text in it is escaped above


def _labels() -> dict:
    return {
        key: escape(label)
        for key, label in (
            ("month", _("Month")),
            ("member", _("Member")),
            ("base", _("Base")),
            ("rate", pgettext("party fee", "Rate")),
            ("due", _("Amount due")),
            ("paid", _("Paid")),
            ("arrears", _("Arrears")),
            ("paid_on", _("Paid on")),
        )
    }


@login_required
def party_fees(request: HttpRequest) -> HttpResponse:
    form = PartyFeeForm(request.GET)
    since = until = None
    if not form.non_field_errors():
        since, until = form.value("date_from"), form.value("date_to")
    office = selectors.is_party_office(request.user)
    rows = selectors.party_fees_of(
        request.user, office=office, since=since, until=until, who=form.value("who", "")
    )
    if params.choice(request, "format", ["xlsx"], label=_("Format")) == "xlsx":
        return _workbook(rows, office)
    page = Paginator(rows, settings.HALL_PAGE_SIZE).get_page(params.page_number(request))
    labels = _labels()
    if not office:
        form.fields.pop("who")
    return render(
        request,
        "research/party_fees.html",
        {
            "form": form,
            "page": page,
            "labels": labels,
            "table": _rows(page.object_list, labels, office),
            "office": office,
            "totals": _totals(rows),
            "mirror": selectors.mirror_state(party_fees=True),
            "querystring": form.querystring(),
        },
    )


def _totals(rows) -> dict:
    from django.db.models import Sum

    sums = rows.order_by().aggregate(due=Sum("due"), paid=Sum("paid"))
    due, paid = sums["due"] or ZERO, sums["paid"] or ZERO
    return {"due": _money(due), "paid": _money(paid), "balance": _money(due - paid)}


def _workbook(rows, office: bool) -> HttpResponse:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Party fees"))
    head = [_("Month"), _("Base"), _("Rate (%)"), _("Amount due"), _("Paid"), _("Arrears")]
    head.append(_("Paid on"))
    if office:
        head[1:1] = [_("Member"), pgettext("party fee", "Number")]
    sheet.append(head)
    for p in rows.iterator(chunk_size=2000):
        line = [
            f"{p.month:%Y-%m}",
            float(p.base),
            float(p.rate),
            float(p.due),
            float(p.paid),
            float(max(p.due - p.paid, ZERO)),
            p.paid_on,
        ]
        if office:
            line[1:1] = [p.member.full_name or p.member.username, p.member.number]
        sheet.append(line)
    response = HttpResponse(
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="party-fees-{stamp}.xlsx"'
    book.save(response)
    return response

"""The supervision bulletin (督查通报) of a month, as a PDF and an Excel workbook.

The period's items are those due in the month and those on its public notice (an item that went
overdue earlier and is still open stays on the notice of every month it is listed). Counted at the
bulletin's moment: the end of the month, or now while the month runs. Per lead unit the on-time
rate is the share of its items due by then that were closed by their deadline.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from performance.models import Item, NoticeEntry
from performance.selectors import Light, light_of

STATUS_ZH = {
    Item.Status.ASSIGNED: "待签收",
    Item.Status.RETURNED: "已退回",
    Item.Status.IN_PROGRESS: "办理中",
    Item.Status.REPORTED: "已报办结",
    Item.Status.CLOSED: "已销号",
}
LIGHT_ZH = {
    Light.GREEN: "正常推进",
    Light.YELLOW: "即将到期",
    Light.RED: "已逾期",
    "": "不亮灯（已销号或已退回）",
}


@dataclass
class Late:
    item: Item
    unit: str
    leader: str
    days: int


@dataclass
class UnitRate:
    unit: str
    due: int = 0
    on_time: int = 0

    @property
    def rate(self) -> float | None:
        return None if not self.due else round(self.on_time * 100 / self.due, 1)


@dataclass
class Bulletin:
    period: str
    start: datetime
    end: datetime
    at: datetime
    items: list[Item]
    by_status: list[tuple[str, int]]
    by_light: list[tuple[str, int]]
    late: list[Late] = field(default_factory=list)
    units: list[UnitRate] = field(default_factory=list)

    @property
    def title(self) -> str:
        year, month = self.period.split("-")
        return f"{year}年{int(month)}月督查通报"


def month_bounds(period: str) -> tuple[datetime, datetime]:
    """The month's first moment and the next month's, in the hall's time zone."""
    year, month = (int(p) for p in period.split("-"))
    start = timezone.make_aware(datetime(year, month, 1))
    nxt = datetime(year + (month == 12), month % 12 + 1, 1)
    return start, timezone.make_aware(nxt)


def days_late(item: Item, at: datetime) -> int:
    """Whole calendar days between the deadline and the closing (or the bulletin's moment)."""
    until = item.closed_at if item.closed_at is not None and item.closed_at < at else at
    if until <= item.deadline:
        return 0
    late = timezone.localdate(until) - timezone.localdate(item.deadline)
    return max(late.days, 1)


def _unit(item: Item) -> str:
    return item.lead_unit.name_zh


def _light(item: Item, at: datetime) -> str:
    """The light as it stood at the bulletin's moment (closed items by then have none)."""
    if item.closed_at is not None and item.closed_at <= at:
        return ""
    if item.status == Item.Status.RETURNED:
        return ""
    if item.deadline <= at:
        return Light.RED
    open_copy = Item(deadline=item.deadline, status=Item.Status.IN_PROGRESS)
    return light_of(open_copy, at)


def bulletin(period: str, *, now: datetime | None = None) -> Bulletin:
    """Everything the bulletin says about a month, in three queries."""
    now = now or timezone.now()
    start, end = month_bounds(period)
    at = min(now, end - timedelta(microseconds=1))
    listed = NoticeEntry.objects.filter(period=period).values("item_id")
    items = list(
        Item.objects.filter(Q(deadline__gte=start, deadline__lt=end) | Q(pk__in=listed))
        .select_related("lead_unit", "leader")
        .order_by("lead_unit__order", "lead_unit__code", "deadline", "pk")
    )
    on_notice = set(NoticeEntry.objects.filter(period=period).values_list("item_id", flat=True))
    status_counts = {s: 0 for s in Item.Status.values}
    light_counts = {k: 0 for k in (Light.GREEN, Light.YELLOW, Light.RED, "")}
    units: dict[int, UnitRate] = {}
    late = []
    for item in items:
        status_counts[item.status] += 1
        light_counts[_light(item, at)] += 1
        closed_by_then = item.closed_at is not None and item.closed_at <= at
        lateness = days_late(item, at)
        if item.pk in on_notice or (lateness and item.deadline < end):
            late.append(Late(item, _unit(item), str(item.leader), lateness))
        # An item counts for its unit's rate once it was due by then (or closed early), in the
        # month it was due.
        if start <= item.deadline < end and (item.deadline <= at or closed_by_then):
            rate = units.setdefault(item.lead_unit_id, UnitRate(_unit(item)))
            rate.due += 1
            if closed_by_then and item.closed_at <= item.deadline:
                rate.on_time += 1
    late.sort(key=lambda row: (-row.days, row.unit, row.item.pk))
    return Bulletin(
        period=period,
        start=start,
        end=end,
        at=at,
        items=items,
        by_status=[(STATUS_ZH[s], n) for s, n in status_counts.items()],
        by_light=[(LIGHT_ZH[k], n) for k, n in light_counts.items()],
        late=late,
        units=sorted(units.values(), key=lambda u: (-(u.rate or 0), u.unit)),
    )


def pdf(data: Bulletin) -> bytes:
    """The bulletin as an A4 PDF in the hall's Chinese serif (as the job outline's PDF)."""
    import weasyprint

    html = render_to_string(
        "performance/bulletin/bulletin_pdf.html",
        {"b": data},
    )
    return weasyprint.HTML(string=html).write_pdf()


def workbook(data: Bulletin) -> bytes:
    """The bulletin as a workbook: a summary sheet, the overdue items, the units' rates, and
    every item of the period (Chinese headers, as the bulletin is issued)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    bold = Font(bold=True)
    summary = book.active
    summary.title = "概况"
    summary.append([data.title])
    summary["A1"].font = bold
    summary.append(["统计截至", timezone.localtime(data.at).strftime("%Y-%m-%d %H:%M")])
    summary.append(["事项总数", len(data.items)])
    summary.append([])
    summary.append(["按状态", "件数"])
    for label, n in data.by_status:
        summary.append([label, n])
    summary.append([])
    summary.append(["按灯号", "件数"])
    for label, n in data.by_light:
        summary.append([label, n])
    late = book.create_sheet("逾期事项")
    late.append(["事项", "牵头单位", "责任领导", "办理期限", "逾期天数", "当前状态"])
    for row in data.late:
        late.append(
            [
                row.item.title,
                row.unit,
                row.leader,
                timezone.localtime(row.item.deadline).strftime("%Y-%m-%d"),
                row.days,
                STATUS_ZH[row.item.status],
            ]
        )
    rates = book.create_sheet("单位按期办结率")
    rates.append(["牵头单位", "到期事项", "按期办结", "按期办结率(%)"])
    for unit in data.units:
        rates.append([unit.unit, unit.due, unit.on_time, unit.rate])
    items = book.create_sheet("全部事项")
    items.append(["编号", "事项", "牵头单位", "责任领导", "办理期限", "状态", "灯号"])
    for item in data.items:
        items.append(
            [
                item.pk,
                item.title,
                _unit(item),
                str(item.leader),
                timezone.localtime(item.deadline).strftime("%Y-%m-%d"),
                STATUS_ZH[item.status],
                LIGHT_ZH[_light(item, data.at)],
            ]
        )
    for sheet in (late, rates, items):
        for cell in sheet[1]:
            cell.font = bold
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

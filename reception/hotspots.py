"""Hot spots (热点) of the people's voices: counts by category, lead unit, period and place, the
on-time rate and the reopened rate, over the cases received in a period.

Each figure is one grouped query over indexed ``created_at``; the names of the categories and
units come in two more, so the page costs the same however many cases there are. Over a year of
a million cases the figures take about 2 s on Postgres, so the page keeps them for 10 minutes.
Cases merged into another (并件) are left out: they are the same matter as the case they joined.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from io import BytesIO

from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.html import escape

from hall.models import Department
from reception.models import Case, CaseCategory

Status = Case.Status


@dataclass
class Hotspots:
    start: date
    end: date
    period: str
    total: int
    closed: int
    on_time: int
    reopened: int
    satisfied: int
    called_back: int
    by_category: list[tuple[str, int]]
    by_unit: list[tuple[str, int]]
    by_period: list[tuple[str, int]]
    by_place: list[tuple[str, int]]
    computed_at: datetime | None = None
    channel: str = ""

    @property
    def on_time_rate(self) -> float | None:
        return round(100 * self.on_time / self.closed, 1) if self.closed else None

    @property
    def reopened_rate(self) -> float | None:
        return round(100 * self.reopened / self.total, 1) if self.total else None

    @property
    def satisfied_rate(self) -> float | None:
        return round(100 * self.satisfied / self.called_back, 1) if self.called_back else None


def _moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _name(obj, english: bool) -> str:
    return obj.name_en if english and obj.name_en else obj.name_zh


def hotspots(
    *, start: date, end: date, period: str = "week", english: bool = False, channel: str = ""
) -> Hotspots:
    """Cases received from ``start`` to ``end`` (both days included), of one channel if given."""
    cases = Case.objects.filter(
        created_at__gte=_moment(start), created_at__lt=_moment(end + timedelta(days=1))
    ).exclude(status=Status.MERGED)
    if channel:
        cases = cases.filter(channel=channel)
    totals = cases.aggregate(
        total=Count("pk"),
        closed=Count("pk", filter=Q(closed_at__isnull=False, due_at__isnull=False)),
        on_time=Count("pk", filter=Q(closed_at__isnull=False, closed_at__lte=F("due_at"))),
        reopened=Count("pk", filter=Q(reopened__gt=0)),
        satisfied=Count(
            "pk", filter=Q(satisfaction__in=[Case.Satisfaction.SATISFIED, "basically"])
        ),
        called_back=Count("pk", filter=~Q(satisfaction="")),
    )
    by_cat = list(
        cases.values("category_id").annotate(n=Count("pk")).order_by("-n", "category_id")[:20]
    )
    by_unit = list(
        cases.filter(lead_unit__isnull=False)
        .values("lead_unit_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "lead_unit_id")[:20]
    )
    trunc = TruncMonth if period == "month" else TruncWeek
    by_period = list(
        cases.annotate(p=trunc("created_at")).values("p").annotate(n=Count("pk")).order_by("p")
    )
    by_place = list(
        cases.exclude(place="").values("place").annotate(n=Count("pk")).order_by("-n", "place")[:10]
    )
    cats = CaseCategory.objects.in_bulk([row["category_id"] for row in by_cat])
    units = Department.objects.only("name_zh", "name_en").in_bulk(
        [row["lead_unit_id"] for row in by_unit]
    )
    label = "%Y-%m" if period == "month" else "%Y-%m-%d"
    return Hotspots(
        start=start,
        end=end,
        period=period,
        channel=channel,
        **totals,
        by_category=[(_name(cats[r["category_id"]], english), r["n"]) for r in by_cat],
        by_unit=[(_name(units[r["lead_unit_id"]], english), r["n"]) for r in by_unit],
        by_period=[
            (timezone.localtime(r["p"]).strftime(label) if r["p"] else "", r["n"])
            for r in by_period
        ],
        by_place=[(r["place"], r["n"]) for r in by_place],
        computed_at=timezone.now(),
    )


# A year of a million cases takes seconds to group; the figures may be a few minutes old.
CACHE_SECONDS = 600


def cached_hotspots(
    *, start: date, end: date, period: str, english: bool, channel: str = ""
) -> Hotspots:
    from django.core.cache import cache

    key = f"reception:hotspots:{start:%Y%m%d}:{end:%Y%m%d}:{period}:{int(english)}:{channel}"
    spots = cache.get(key)
    if spots is None:
        spots = hotspots(start=start, end=end, period=period, english=english, channel=channel)
        cache.set(key, spots, CACHE_SECONDS)
    return spots


def bars(rows: list[tuple[str, int]]) -> list[tuple[str, int, int]]:
    """(label, count, width in percent of the largest) for the chart's CSS bars."""
    top = max((n for _label, n in rows), default=0)
    return [(label, n, round(100 * n / top) if top else 0) for label, n in rows]


def period_chart(rows: list[tuple[str, int]], label: str) -> str:
    """Columns per week or month drawn server-side as SVG (no script, no inline style): each
    column's figure in its <title>, a period's date under every few columns."""
    if not rows:
        return ""
    top = max(n for _name, n in rows) or 1
    step = 14
    width = max(300, 30 + step * len(rows))
    every = max(1, len(rows) // 8)
    parts = []
    for i, (name, n) in enumerate(rows):
        x = 24 + i * step
        h = round(100 * n / top, 1)
        parts.append(
            f'<rect x="{x}" y="{110 - h}" width="{step - 3}" height="{h}" class="spot-col">'
            f"<title>{escape(name)}: {n}</title></rect>"
        )
        if i % every == 0:
            parts.append(f'<text x="{x}" y="126" class="spot-tick">{escape(name[5:])}</text>')
    return (
        f'<svg class="spot-chart" viewBox="0 0 {width} 132" role="img" '
        f'aria-label="{escape(label)}">'
        f'<text x="0" y="12" class="spot-tick">{top}</text>'
        f'<line x1="20" y1="110" x2="{width}" y2="110" class="spot-axis"/>'
        + "".join(parts)
        + "</svg>"
    )


def workbook(spots: Hotspots, labels: dict[str, str]) -> bytes:
    """The same figures as an Excel workbook: a summary sheet and one sheet per grouping."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    summary = book.active
    summary.title = labels["summary"][:31]
    rows = [
        (labels["from"], spots.start.isoformat()),
        (labels["to"], spots.end.isoformat()),
        (labels["total"], spots.total),
        (labels["closed"], spots.closed),
        (labels["on_time"], spots.on_time),
        (labels["on_time_rate"], spots.on_time_rate),
        (labels["reopened"], spots.reopened),
        (labels["reopened_rate"], spots.reopened_rate),
        (labels["satisfied_rate"], spots.satisfied_rate),
    ]
    for row in rows:
        summary.append(row)
    summary.column_dimensions["A"].width = 24
    for key, data in (
        ("by_category", spots.by_category),
        ("by_unit", spots.by_unit),
        ("by_period", spots.by_period),
        ("by_place", spots.by_place),
    ):
        sheet = book.create_sheet(labels[key][:31])
        sheet.append([labels[key], labels["count"]])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for name, n in data:
            sheet.append([name, n])
        sheet.column_dimensions["A"].width = 30
    out = BytesIO()
    book.save(out)
    return out.getvalue()

"""Dashboards of the unit plans: a unit's indicators by light with their progress quarter by
quarter, and the whole institution's units by score, weakest first.

Both read only the computed figures (a check-in's progress and light, a line's latest ones):
nothing is typed in. What the institution's page would aggregate over every line of the year (20k
lines for 500 units × 40 indicators, 240k monthly check-ins) is kept per plan in
``Plan.figures``, counted again for the plans a write touched once it commits
(``plans.changed()``); the page itself is cached under a version key that every write bumps,
per year, kind of unit and language. A unit's page costs three indexed queries and is cached
likewise.

Check-in deadlines: a period's check-in (a quarter's, or a month's for a monthly plan) is due
``HALL_PLAN_CHECKIN_DAYS`` (15) days after the period ends; one recorded later is late, one not
recorded by then is missing. The reminder tick reminds the unit's heads ``HALL_PLAN_REMIND_DAYS``
(5) days before, and flags the missing ones once after the deadline.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    JSONField,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from hall.models import Department, Notification
from performance import board_cache
from performance import plans as plans_module
from performance.models import CheckIn, CheckInPeriod, Plan, PlanLine
from performance.plans import VERSION_KEY, Light

TTL = 600
LIGHT_ORDER = {Light.RED: 0, Light.YELLOW: 1, "": 2, Light.GREEN: 3}
QUARTERS = (1, 2, 3, 4)


# --- deadlines ---------------------------------------------------------------------------------


def checkin_due(year: int, n: int, period: str = CheckInPeriod.QUARTERLY) -> date:
    """The last day a period's check-in is on time (``n``: the quarter, or the month)."""
    month = plans_module.months_of(period) * n
    end = date(year, month, calendar.monthrange(year, month)[1])
    return end + timedelta(days=getattr(settings, "HALL_PLAN_CHECKIN_DAYS", 15))


def is_late(checkin_at: datetime, year: int, n: int, period: str = CheckInPeriod.QUARTERLY) -> bool:
    return timezone.localdate(checkin_at) > checkin_due(year, n, period)


def last_due(year: int, today: date, period: str = CheckInPeriod.QUARTERLY) -> int:
    """The last period of the year whose check-in deadline has passed (0: none yet)."""
    return max(
        (n for n in plans_module.periods_of(period) if checkin_due(year, n, period) < today),
        default=0,
    )


def last_due_quarter(year: int, today: date) -> int:
    return last_due(year, today, CheckInPeriod.QUARTERLY)


def _version() -> int:
    return board_cache._version(VERSION_KEY)


def _key(*parts) -> str:
    return ":".join(["performance:dash", str(_version()), *map(str, parts)])


# --- a unit's dashboard ------------------------------------------------------------------------


@dataclass
class UnitDashboard:
    counts: dict[str, int]
    rows: list[dict]
    quarters: list[dict]
    score: Decimal
    missing: int
    late: int


def _score(lines) -> Decimal:
    total = sum((Decimal(line.weight) * (line.progress or 0) / 100 for line in lines), Decimal(0))
    return total.quantize(Decimal("0.1"))


def unit_dashboard(plan: Plan, *, today: date, english: bool) -> UnitDashboard:
    """The plan's indicators weakest first (off track, behind, not reported, on track; then by
    progress), each with its quarters' progress, lights and late marks; the plan's weighted
    score per quarter against what the time elapsed expects."""
    key = _key("unit", plan.pk, plan.version, today.isoformat(), int(english))
    found = cache.get(key)
    if found is not None:
        return found
    lines = list(plan.lines.select_related("indicator").order_by("pk"))
    by_line: dict[int, dict[int, CheckIn]] = {}
    for c in CheckIn.objects.filter(line__plan=plan).only(
        "line_id", "quarter", "progress", "light", "at"
    ):
        by_line.setdefault(c.line_id, {})[c.quarter] = c
    periods = plans_module.periods_of(plan.period)
    due = last_due(plan.year, today, plan.period)
    lights = _light_labels()
    late_label, missing_label = _("late"), _("missing")
    headers = [plans_module.period_label(q, plan.period) for q in periods]
    counts = {Light.GREEN: 0, Light.YELLOW: 0, Light.RED: 0, "": 0}
    rows, n_missing, n_late = [], 0, 0
    sums = {q: Decimal(0) for q in periods}
    for line in lines:
        counts[line.light or ""] = counts.get(line.light or "", 0) + 1
        cells = []
        for q in periods:
            c = by_line.get(line.pk, {}).get(q)
            if c is None:
                missing = plan.status == Plan.Status.APPROVED and q <= due
                n_missing += missing
                cells.append(
                    (
                        headers[q - 1],
                        f'<span class="dash-missing">{missing_label}</span>' if missing else "–",
                    )
                )
                continue
            sums[q] += Decimal(line.weight) * c.progress / 100
            late = is_late(c.at, plan.year, q, plan.period)
            n_late += late
            cells.append(
                (
                    headers[q - 1],
                    f'<span class="sup-light sup-light-{c.light}"'
                    f' title="{lights.get(c.light, "")}">{c.progress:.0f} %</span>'
                    + (f' <span class="dash-late">{late_label}</span>' if late else ""),
                )
            )
        name = escape(line.indicator.name)
        rows.append(
            {
                "order": (LIGHT_ORDER.get(line.light, 2), line.progress or 0, line.pk),
                "name": name,
                "weight": line.weight,
                "progress": "" if line.progress is None else f"{line.progress:.0f} %",
                "light": line.light,
                "light_label": lights.get(line.light, ""),
                "cells": cells,
                "bar": _bar(line.progress or 0),
            }
        )
    rows.sort(key=lambda row: row["order"])
    reported = {q for marks in by_line.values() for q in marks}
    quarters = [
        {
            "q": q,
            "score": sums[q].quantize(Decimal("0.1")) if q in reported else None,
        }
        for q in periods
    ]
    board = UnitDashboard(
        counts=counts,
        rows=rows,
        quarters=quarters,
        score=_score(lines),
        missing=n_missing,
        late=n_late,
    )
    cache.set(key, board, TTL)
    return board


def _light_labels() -> dict[str, str]:
    return {Light.GREEN: _("On track"), Light.YELLOW: _("Behind"), Light.RED: _("Off track")}


def _bar(progress) -> str:
    """A progress bar drawn as SVG (no inline style, no script: the CSP stays strict)."""
    width = max(0, min(100, int(progress)))
    return (
        '<svg class="dash-bar" viewBox="0 0 100 8" width="100" height="8" aria-hidden="true">'
        '<rect width="100" height="8" class="dash-bar-bg"/>'
        f'<rect width="{width}" height="8" class="dash-bar-fg"/></svg>'
    )


def quarter_chart(points: list[tuple[str, Decimal | None]], label: str) -> str:
    """Bars per period (0..100: four quarters or twelve months) drawn server-side as SVG,
    with their figures as text."""
    step = 70 if len(points) <= 4 else 280 / max(len(points), 1)
    width, middle = (40, 20) if len(points) <= 4 else (step * 0.6, step * 0.3)
    bars = []
    for n, (name, value) in enumerate(points):
        x = 20 + n * step
        if value is not None:
            h = max(0, min(100, float(value)))
            bars.append(
                f'<rect x="{x:.1f}" y="{110 - h:.1f}" width="{width:.1f}" height="{h:.1f}"'
                ' class="dash-col"/>'
                f'<text x="{x + middle:.1f}" y="{104 - h:.1f}" text-anchor="middle">{value}</text>'
            )
        bars.append(
            f'<text x="{x + middle:.1f}" y="126" text-anchor="middle">{escape(name)}</text>'
        )
    return (
        f'<svg class="dash-chart" viewBox="0 0 300 130" role="img" aria-label="{escape(label)}">'
        '<line x1="10" y1="110" x2="295" y2="110" class="dash-axis"/>' + "".join(bars) + "</svg>"
    )


# --- the institution's dashboard ---------------------------------------------------------------


def _plan_figures(plans) -> dict[int, dict]:
    """Each plan's counts by light, weighted progress, check-ins per period (``checked``: the
    reader takes its last period due) and lights per quarter: one aggregate over its lines and
    one over its check-ins. Kept in ``Plan.figures`` (``refresh_figures``).

    A monthly plan's quarter is rolled up from its months: each indicator counts with its
    latest month reported in that quarter (its real figure: April's if only April is in, June's
    once June is), so a quarter of a monthly plan is never empty because its third month is not
    reported yet."""
    weighted = Coalesce(
        Sum(F("lines__weight") * F("lines__progress"), output_field=DecimalField()),
        Decimal(0),
        output_field=DecimalField(),
    )
    figures = {
        r["pk"]: {**r, "checked": {}, "quarters": {}}
        for r in plans.values("pk", "period")
        .annotate(
            n=Count("lines"),
            green=Count("lines", filter=Q(lines__light=Light.GREEN)),
            yellow=Count("lines", filter=Q(lines__light=Light.YELLOW)),
            red=Count("lines", filter=Q(lines__light=Light.RED)),
            none=Count("lines", filter=Q(lines__light="")),
            weighted=weighted,
        )
        .order_by()
    }
    # A monthly plan's check-in is its line's latest of the quarter when no later one of the
    # same line falls before the quarter's third month; a quarterly plan's always is (the CASE
    # keeps its check-ins from probing for later months at all).
    later = CheckIn.objects.filter(
        line=OuterRef("line"), quarter__gt=OuterRef("quarter"), quarter__lte=OuterRef("end")
    )
    is_latest = Case(
        When(line__plan__period=CheckInPeriod.MONTHLY, then=~Exists(later)),
        default=Value(True),
        output_field=BooleanField(),
    )
    # Grouped by whether the check-in is its line's latest: the probe runs once a row (a
    # FILTER per aggregate would run it once per aggregate).
    by_plan_period = (
        CheckIn.objects.filter(line__plan__in=plans)
        .annotate(end=(F("quarter") + 2) / 3 * 3)
        .annotate(latest=is_latest)
        .values("line__plan_id", "quarter", "latest")
        .annotate(
            green=Count("pk", filter=Q(light=Light.GREEN)),
            yellow=Count("pk", filter=Q(light=Light.YELLOW)),
            red=Count("pk", filter=Q(light=Light.RED)),
            progress=Sum("progress"),
            n=Count("pk"),
        )
        .order_by()
    )
    for r in by_plan_period:
        plan = figures.get(r["line__plan_id"])
        if plan is None:
            continue
        plan["checked"][r["quarter"]] = plan["checked"].get(r["quarter"], 0) + r["n"]
        if not r["latest"]:
            continue
        quarter = (
            (r["quarter"] + 2) // 3 if plan["period"] == CheckInPeriod.MONTHLY else r["quarter"]
        )
        total = plan["quarters"].setdefault(
            quarter, {"green": 0, "yellow": 0, "red": 0, "progress": 0, "n": 0}
        )
        for name in total:
            total[name] += r[name] or 0
    for plan in figures.values():
        plan["quarters"] = {q: t for q, t in plan["quarters"].items() if t["n"]}
    return figures


def _stored(figures: dict) -> dict:
    """A plan's figures as JSON keeps them: decimals as text, periods as keys of text."""
    return {
        "n": figures["n"],
        "green": figures["green"],
        "yellow": figures["yellow"],
        "red": figures["red"],
        "none": figures["none"],
        "weighted": str(figures["weighted"]),
        "checked": {str(k): v for k, v in figures["checked"].items()},
        "quarters": {
            str(q): {**t, "progress": str(t["progress"])} for q, t in figures["quarters"].items()
        },
    }


def _loaded(stored: dict) -> dict:
    return {
        **stored,
        "weighted": Decimal(stored["weighted"]),
        "checked": {int(k): v for k, v in stored["checked"].items()},
        "quarters": {
            int(q): {**t, "progress": Decimal(t["progress"])} for q, t in stored["quarters"].items()
        },
    }


def refresh_figures(plan_ids: list[int] | None = None) -> int:
    """Counts the plans' figures again and keeps them in ``Plan.figures`` (None: every plan),
    the plans locked while counted: run after a plan write commits (``plans.changed``)."""
    with transaction.atomic():
        scope = Plan.objects.all() if plan_ids is None else Plan.objects.filter(pk__in=plan_ids)
        ids = list(scope.select_for_update().order_by("pk").values_list("pk", flat=True))
        if not ids:
            return 0
        fresh = _plan_figures(Plan.objects.filter(pk__in=ids))
        Plan.objects.bulk_update(
            [Plan(pk=pk, figures=_stored(f)) for pk, f in fresh.items()],
            ["figures"],
            batch_size=200,
        )
    return len(fresh)


EMPTY = {"n": 0, "green": 0, "yellow": 0, "red": 0, "none": 0, "weighted": 0}


def institution_rows(*, year: int, kind: str, today: date, english: bool) -> dict:
    """Every plan of the year (of one kind of unit, or all) with its weighted score and how
    many indicators are on track, behind, off track, not reported and missing, weakest first;
    the year's lights per quarter.

    The page is cached under the dashboards' version; each plan's figures are kept on the plan
    by its writes (``Plan.figures``), so the first reader after any write reads the year's
    plans in one query and counts nothing, unless it finds a plan whose write has not been
    counted again yet: those it counts in two aggregates."""
    key = _key("inst", year, kind or "-", today.isoformat(), int(english))
    found = cache.get(key)
    if found is not None:
        return found
    dues = {period: last_due(year, today, period) for period in CheckInPeriod.values}
    due = dues[CheckInPeriod.QUARTERLY]
    plans = Plan.objects.filter(year=year)
    if kind:
        plans = plans.filter(unit__kind=kind)
    listed = list(
        plans.values(
            "pk", "status", "period", "unit__name_zh", "unit__name_en", "unit__kind", "figures"
        ).order_by("pk")
    )
    # Each plan's figures are kept on it by its writes (refresh_figures); the few a reader
    # finds cleared (a write not yet counted again) are counted here, in one aggregate, and
    # kept unless a write cleared them meanwhile.
    figures = {p["pk"]: p["figures"] for p in listed}
    stale = [pk for pk, value in figures.items() if value is None]
    if stale:
        scope = plans if len(stale) == len(listed) else Plan.objects.filter(pk__in=stale)
        counted = {pk: _stored(fresh) for pk, fresh in _plan_figures(scope).items()}
        figures.update(counted)
        if counted:
            Plan.objects.filter(pk__in=list(counted), figures__isnull=True).update(
                figures=Case(
                    *(When(pk=pk, then=Value(v, JSONField())) for pk, v in counted.items()),
                    default=F("figures"),
                )
            )
    figures = {pk: _loaded(value) for pk, value in figures.items() if value is not None}
    kinds = dict(Department.Kind.choices)
    states = dict(Plan.Status.choices)
    table = []
    quarters: dict[int, dict] = {}
    for p in listed:
        f = figures.get(p["pk"]) or {**EMPTY, "checked": {}, "quarters": {}}
        for q, counts in f["quarters"].items():
            total = quarters.setdefault(
                q, {"green": 0, "yellow": 0, "red": 0, "progress": 0, "n": 0}
            )
            for name in total:
                total[name] += counts[name]
        table.append(
            {
                "pk": p["pk"],
                "unit": (
                    p["unit__name_en"] if english and p["unit__name_en"] else p["unit__name_zh"]
                ),
                "kind": str(kinds.get(p["unit__kind"], p["unit__kind"])),
                "status": str(states.get(p["status"], p["status"])),
                "score": (Decimal(f["weighted"]) / 100).quantize(Decimal("0.1")),
                "n": f["n"],
                "green": f["green"],
                "yellow": f["yellow"],
                "red": f["red"],
                "none": f["none"],
                "missing": (
                    f["n"] - f["checked"].get(dues[p["period"]], 0)
                    if dues[p["period"]] and p["status"] == Plan.Status.APPROVED
                    else 0
                ),
            }
        )
    table.sort(key=lambda row: (row["score"], -row["red"], row["pk"]))
    result = {
        "rows": table,
        "totals": {
            "units": len(table),
            "lines": sum(r["n"] for r in table),
            "green": sum(r["green"] for r in table),
            "yellow": sum(r["yellow"] for r in table),
            "red": sum(r["red"] for r in table),
            "none": sum(r["none"] for r in table),
            "missing": sum(r["missing"] for r in table),
            "units_off_track": sum(1 for r in table if r["red"]),
        },
        "quarters": [
            {
                "q": q,
                "green": quarters.get(q, {}).get("green", 0),
                "yellow": quarters.get(q, {}).get("yellow", 0),
                "red": quarters.get(q, {}).get("red", 0),
                "average": (
                    (Decimal(quarters[q]["progress"]) / quarters[q]["n"]).quantize(Decimal("0.1"))
                    if quarters.get(q, {}).get("n")
                    else None
                ),
            }
            for q in QUARTERS
        ],
        "due": due,
        "monthly": sum(1 for p in listed if p["period"] == CheckInPeriod.MONTHLY),
    }
    cache.set(key, result, TTL)
    return result


# --- reminders before the check-in deadline, and the late ones flagged -------------------------


def _heads_of(unit_ids: list[int]) -> dict[int, list[int]]:
    through = Department.heads.through
    heads: dict[int, list[int]] = {}
    for dept, user in through.objects.filter(department_id__in=unit_ids).values_list(
        "department_id", "user_id"
    ):
        heads.setdefault(dept, []).append(user)
    return heads


def _plans_missing(year: int, n: int, period: str, sent: set[str]):
    reported = CheckIn.objects.filter(line=OuterRef("pk"), quarter=n)
    unreported = PlanLine.objects.filter(plan=OuterRef("pk")).exclude(Exists(reported))
    return [
        plan
        for plan in Plan.objects.filter(year=year, status=Plan.Status.APPROVED, period=period)
        .filter(Exists(unreported))
        .select_related("unit")
        .order_by("pk")
        if f"{plan.pk}:{_window(year, n, period)}" not in sent
    ]


def _window(year: int, n: int, period: str) -> str:
    """The once() key's tail of a period: ``2026Q3`` (as before months came) or ``2026M7``."""
    return f"{year}M{n}" if period == CheckInPeriod.MONTHLY else f"{year}Q{n}"


# The reminder's and the late notice's words, by period: (kind, Chinese, English).
_WORDS = {
    (CheckInPeriod.QUARTERLY, "due"): ("季度进展填报即将截止", "Quarterly check-in due"),
    (CheckInPeriod.QUARTERLY, "late"): ("季度进展填报逾期", "Quarterly check-in late"),
    (CheckInPeriod.MONTHLY, "due"): ("月度进展填报即将截止", "Monthly check-in due"),
    (CheckInPeriod.MONTHLY, "late"): ("月度进展填报逾期", "Monthly check-in late"),
}


def _subject(plan: Plan, n: int, deadline: date, what: str) -> tuple[str, str]:
    zh, en = _WORDS[(plan.period, what)]
    if plan.period == CheckInPeriod.MONTHLY:
        when_zh, when_en = f"{plan.year}年{n}月", f"{plan.year} M{n}"
    else:
        when_zh, when_en = f"{plan.year}年第{n}季度", f"{plan.year} Q{n}"
    return (
        f"{zh}：{when_zh} {plan.unit.name_zh}（{deadline}）",
        f"{en}: {when_en}, {plan.unit.name_en or plan.unit.name_zh} ({deadline})",
    )


def checkin_tick(*, now: datetime | None = None) -> dict[str, int]:
    """Before a period's check-in deadline (each plan's own: a quarter's or a month's): one
    reminder to the heads of every approved plan that still lacks a check-in; after it, one
    late notice. Each exactly once (``once``); the tick reads nothing outside those windows."""
    from hall.notifications import notify
    from workflows.models import SentOnce
    from workflows.reminders import once

    now = now or timezone.now()
    today = timezone.localdate(now)
    lead = timedelta(days=getattr(settings, "HALL_PLAN_REMIND_DAYS", 5))
    result = {"due": 0, "late": 0}
    for period in CheckInPeriod.values:
        for year in (today.year - 1, today.year):
            for n in plans_module.periods_of(period):
                deadline = checkin_due(year, n, period)
                if deadline - lead <= today <= deadline:
                    kind, what, notice = (
                        "performance.checkin_due",
                        "due",
                        Notification.Kind.REMINDER,
                    )
                elif deadline < today <= deadline + timedelta(days=30):
                    kind, what, notice = (
                        "performance.checkin_late",
                        "late",
                        Notification.Kind.OVERDUE,
                    )
                else:
                    continue
                window = _window(year, n, period)
                # Nothing changed since a pass that sent all it had to: skip the read (any
                # plan or check-in write bumps the version, so a newly approved plan is seen
                # next minute).
                done = _key("tick", kind, window)
                if cache.get(done):
                    continue
                sent = set(
                    SentOnce.objects.filter(kind=kind, key__endswith=f":{window}").values_list(
                        "key", flat=True
                    )
                )
                found = _plans_missing(year, n, period, sent)
                heads = _heads_of([p.unit_id for p in found])
                for plan in found:
                    if not once(kind, f"{plan.pk}:{window}"):
                        continue
                    subject, subject_en = _subject(plan, n, deadline, what)
                    notify(
                        recipients=heads.get(plan.unit_id, []),
                        kind=notice,
                        subject=subject,
                        subject_en=subject_en,
                        url=plan.get_absolute_url(),
                    )
                    result[what] += 1
                cache.set(done, True, 86400)
    return result

"""Reading and checking the offices' exports: one layout per kind, every row checked before
anything is written.

A file (CSV or Excel) or a page of the offices' JSON API gives rows of named values; each layout
names its columns by code (``number``) or by the Chinese heading the offices' exports use
(``项目编号``). ``check_*`` turns the rows into typed values and a list of problems, each naming
its row and reason; the services apply the rows only when that list is empty.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from hall.models import User
from hall.uploads import check_spreadsheet, check_upload, extension_of
from workflows.research.models import CATEGORY_ALIASES, BudgetLine, Category, Project

MAX_ROWS = 200_000
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_AMOUNT = Decimal("999999999999.99")

COLUMNS = {
    "projects": {
        "number": ("项目编号",),
        "title": ("项目名称",),
        "kind": ("项目类别",),
        "pi": ("负责人工号", "负责人"),
        "members": ("成员工号", "成员"),
        "starts_on": ("开始日期",),
        "ends_on": ("结束日期",),
        "status": ("状态",),
    },
    "budgets": {
        "project": ("项目编号",),
        "category": ("预算科目", "科目"),
        "budget": ("预算金额", "预算"),
    },
    "movements": {
        "id": ("凭证号", "流水号"),
        "project": ("项目编号",),
        "category": ("预算科目", "科目"),
        "date": ("日期", "记账日期"),
        "amount": ("金额",),
        "description": ("摘要",),
    },
    "party_fees": {
        "member": ("工号", "学号", "党员编号"),
        "month": ("月份", "缴费月份"),
        "base": ("缴费基数", "基数"),
        "rate": ("缴纳比例", "比例"),
        "due": ("应缴金额", "应缴"),
        "paid": ("实缴金额", "实缴"),
        "paid_on": ("缴纳日期",),
    },
}
OPTIONAL = {"members", "description", "status", "due", "paid_on"}
KIND_ALIASES = {"纵向": "vertical", "横向": "horizontal"}
STATUS_ALIASES = {"在研": "active", "暂停": "suspended", "结题": "closed", "已结题": "closed"}


class ImportRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Checked:
    rows: list[dict] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)

    def refuse(self, row: int, reason: str) -> None:
        self.problems.append({"row": row, "reason": reason})


# --- reading -----------------------------------------------------------------------------------


def read_upload(upload) -> list[dict]:
    """The rows of an uploaded .csv or .xlsx file as dicts of column code → text."""
    name = upload.name or ""
    extension = extension_of(name)
    if extension == "xlsx":
        check_upload(upload, max_bytes=MAX_FILE_BYTES, types=["xlsx"])
        check_spreadsheet(upload)
        return _read_xlsx(upload)
    if extension == "csv":
        if upload.size > MAX_FILE_BYTES:
            raise ImportRefused(_("The file is larger than %(mb)d MB.") % {"mb": 20})
        return _read_csv(upload.read())
    raise ImportRefused(_("Only .xlsx and .csv files can be imported."))


def _read_csv(data: bytes) -> list[dict]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportRefused(_("The file is neither UTF-8 nor GB18030 text."))
    reader = csv.reader(io.StringIO(text))
    return _as_dicts(list(reader))


def _read_xlsx(upload) -> list[dict]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any workbook openpyxl cannot read gets one answer
        raise ImportRefused(_("The workbook cannot be opened.")) from None
    try:
        sheet = workbook.worksheets[0]
        table = [list(row) for row in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2)]
    finally:
        workbook.close()
    return _as_dicts(table)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _as_dicts(table: list[list]) -> list[dict]:
    if not table:
        raise ImportRefused(_("The file is empty."))
    if len(table) > MAX_ROWS + 1:
        raise ImportRefused(_("The file has more than %(n)d rows.") % {"n": MAX_ROWS})
    header = [_cell(h) for h in table[0]]
    rows = []
    for values in table[1:]:
        cells = [_cell(v) for v in values]
        if not any(cells):
            continue
        rows.append({h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header) if h})
    return rows


def normalize(kind: str, rows: list[dict]) -> list[dict]:
    """Rows keyed by the layout's codes, whichever headings (code or Chinese) the file used."""
    names = {}
    for code, aliases in COLUMNS[kind].items():
        for name in (code, *aliases):
            names[name] = code
    present = {names[h] for row in rows[:1] for h in row if h in names}
    missing = [c for c in COLUMNS[kind] if c not in present and c not in OPTIONAL]
    if rows and missing:
        raise ImportRefused(
            _("The file lacks the columns %(columns)s of this layout.")
            % {"columns": ", ".join(missing)}
        )
    return [
        {names[h]: str(v).strip() for h, v in row.items() if h in names}
        | {"_row": i + 2 if "_row" not in row else row["_row"]}
        for i, row in enumerate(rows)
    ]


# --- checking ----------------------------------------------------------------------------------


def _money(text: str) -> Decimal | None:
    try:
        value = Decimal(text.replace(",", ""))
    except (InvalidOperation, AttributeError):
        return None
    if not value.is_finite() or abs(value) > MAX_AMOUNT:
        return None
    return value.quantize(Decimal("0.01"))


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.replace("/", "-"))
    except ValueError:
        return None


def category_of(text: str) -> str | None:
    if text in Category.values:
        return text
    return CATEGORY_ALIASES.get(text)


def _people(numbers: set[str]) -> dict[str, int]:
    found = {}
    for pk, number in User.objects.filter(number__in=numbers).values_list("pk", "number"):
        found[number] = pk
    missing = numbers - set(found)
    if missing:
        for pk, username in User.objects.filter(username__in=missing).values_list("pk", "username"):
            found[username] = pk
    return found


def check_projects(rows: list[dict]) -> Checked:
    checked = Checked()
    numbers = set()
    for row in rows:
        numbers.add(row.get("pi", ""))
        numbers.update(m.strip() for m in row.get("members", "").replace("；", ";").split(";"))
    people = _people({n for n in numbers if n})
    seen = set()
    for row in rows:
        at = row["_row"]
        number, title = row.get("number", ""), row.get("title", "")
        kind = KIND_ALIASES.get(row.get("kind", ""), row.get("kind", ""))
        status = STATUS_ALIASES.get(row.get("status", ""), row.get("status", "") or "active")
        starts, ends = _date(row.get("starts_on", "")), _date(row.get("ends_on", ""))
        members = [m.strip() for m in row.get("members", "").replace("；", ";").split(";")]
        members = [m for m in members if m]
        if not number or len(number) > 40:
            checked.refuse(at, _("the project number is missing or longer than 40 characters"))
        elif number in seen:
            checked.refuse(at, _("the project %(number)s appears twice") % {"number": number})
        elif not title or len(title) > 300:
            checked.refuse(at, _("the title is missing or longer than 300 characters"))
        elif kind not in Project.Kind.values:
            checked.refuse(at, _("the kind must be vertical or horizontal (纵向 / 横向)"))
        elif status not in Project.Status.values:
            checked.refuse(at, _("unknown status “%(status)s”") % {"status": status})
        elif row.get("pi", "") not in people:
            checked.refuse(
                at, _("no person has the number “%(number)s”") % {"number": row.get("pi", "")}
            )
        elif [m for m in members if m not in people]:
            unknown = ", ".join(m for m in members if m not in people)
            checked.refuse(at, _("no person has the number “%(number)s”") % {"number": unknown})
        elif starts is None or ends is None or ends < starts:
            checked.refuse(at, _("the period needs a start and an end date, the end not before"))
        else:
            seen.add(number)
            checked.rows.append(
                {
                    "_row": at,
                    "number": number,
                    "title": title,
                    "kind": kind,
                    "status": status,
                    "pi_id": people[row["pi"]],
                    "member_ids": sorted({people[m] for m in members}),
                    "starts_on": starts,
                    "ends_on": ends,
                }
            )
    return checked


def check_budgets(rows: list[dict]) -> Checked:
    checked = Checked()
    projects = dict(
        Project.objects.filter(number__in={r.get("project", "") for r in rows}).values_list(
            "number", "pk"
        )
    )
    lines = {
        (p, c): (spent, frozen)
        for p, c, spent, frozen in BudgetLine.objects.filter(
            project_id__in=projects.values()
        ).values_list("project_id", "category", "spent", "frozen")
    }
    seen = set()
    for row in rows:
        at = row["_row"]
        project = projects.get(row.get("project", ""))
        category = category_of(row.get("category", ""))
        budget = _money(row.get("budget", ""))
        if project is None:
            checked.refuse(
                at, _("no project has the number “%(number)s”") % {"number": row.get("project")}
            )
        elif category is None:
            checked.refuse(
                at, _("unknown budget category “%(name)s”") % {"name": row.get("category")}
            )
        elif (project, category) in seen:
            checked.refuse(at, _("this project's category appears twice"))
        elif budget is None or budget < 0:
            checked.refuse(at, _("the budget must be an amount of 0 or more"))
        else:
            spent, frozen = lines.get((project, category), (Decimal(0), Decimal(0)))
            if budget < spent + frozen:
                checked.refuse(
                    at,
                    _("the budget %(budget)s is below what is spent and frozen (%(used)s)")
                    % {"budget": budget, "used": spent + frozen},
                )
                continue
            seen.add((project, category))
            checked.rows.append(
                {"_row": at, "project_id": project, "category": category, "budget": budget}
            )
    return checked


def check_movements(rows: list[dict]) -> Checked:
    from workflows.research.models import Movement

    checked = Checked()
    projects = dict(
        Project.objects.filter(number__in={r.get("project", "") for r in rows}).values_list(
            "number", "pk"
        )
    )
    lines = {
        (p, c): [pk, budget, spent, frozen]
        for pk, p, c, budget, spent, frozen in BudgetLine.objects.filter(
            project_id__in=projects.values()
        ).values_list("pk", "project_id", "category", "budget", "spent", "frozen")
    }
    known = dict(
        Movement.objects.filter(external_id__in={r.get("id", "") for r in rows}).values_list(
            "external_id", "amount"
        )
    )
    seen = set()
    candidates = []
    for row in rows:
        at = row["_row"]
        entry = row.get("id", "")
        project = projects.get(row.get("project", ""))
        category = category_of(row.get("category", ""))
        booked, amount = _date(row.get("date", "")), _money(row.get("amount", ""))
        if not entry or len(entry) > 60 or entry.startswith("hall:"):
            checked.refuse(at, _("the entry id is missing, too long or reserved"))
        elif entry in seen:
            checked.refuse(at, _("the entry %(id)s appears twice") % {"id": entry})
        elif project is None:
            checked.refuse(
                at, _("no project has the number “%(number)s”") % {"number": row.get("project")}
            )
        elif category is None or (project, category) not in lines:
            checked.refuse(
                at,
                _("the project has no budget for the category “%(name)s”")
                % {"name": row.get("category")},
            )
        elif booked is None:
            checked.refuse(at, _("the date must be written as YYYY-MM-DD"))
        elif amount is None:
            checked.refuse(at, _("the amount is not a number"))
        else:
            seen.add(entry)
            line = lines[(project, category)]
            line[2] += amount - known.get(entry, Decimal(0))
            candidates.append((at, line, entry))
            checked.rows.append(
                {
                    "_row": at,
                    "line_id": line[0],
                    "external_id": entry,
                    "booked_on": booked,
                    "amount": amount,
                    "description": row.get("description", "")[:300],
                }
            )
    # A line the file would overdraw (or spend below zero) is named once, on its first row.
    for at, line, entry in candidates:
        _pk, budget, spent, frozen = line
        if spent < 0 or spent + frozen > budget:
            checked.refuse(
                at,
                _("entry %(id)s would leave the category at %(spent)s spent of %(budget)s")
                % {"id": entry, "spent": spent + frozen, "budget": budget},
            )
            line[2] = Decimal(0)  # name each overdrawn line once
            line[1] = MAX_AMOUNT
    return checked


def _month(text: str) -> date | None:
    """A month written 2026-03, 2026/03 or as its first day."""
    text = text.replace("/", "-").strip()
    try:
        if len(text) <= 7:
            year, month = text.split("-")
            return date(int(year), int(month), 1)
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day.replace(day=1)


def check_party_fees(rows: list[dict]) -> Checked:
    """One row per member and month; the amount due, when left out, is the base × the rate."""
    checked = Checked()
    people = _people({r.get("member", "") for r in rows if r.get("member")})
    seen = set()
    for row in rows:
        at = row["_row"]
        member = people.get(row.get("member", ""))
        month = _month(row.get("month", ""))
        base, rate = _money(row.get("base", "")), _money(row.get("rate", ""))
        paid = _money(row.get("paid", ""))
        due = _money(row["due"]) if row.get("due") else None
        paid_on = _date(row["paid_on"]) if row.get("paid_on") else None
        if member is None:
            checked.refuse(
                at, _("no person has the number “%(number)s”") % {"number": row.get("member", "")}
            )
        elif month is None:
            checked.refuse(at, _("the month must be written as YYYY-MM"))
        elif (member, month) in seen:
            checked.refuse(at, _("this member's month appears twice"))
        elif base is None or base < 0:
            checked.refuse(at, _("the base must be an amount of 0 or more"))
        elif rate is None or not 0 <= rate <= 100:
            checked.refuse(at, _("the rate must be a percentage from 0 to 100"))
        elif row.get("due") and (due is None or due < 0):
            checked.refuse(at, _("the amount due must be an amount of 0 or more"))
        elif paid is None or paid < 0:
            checked.refuse(at, _("the amount paid must be an amount of 0 or more"))
        elif row.get("paid_on") and paid_on is None:
            checked.refuse(at, _("the date must be written as YYYY-MM-DD"))
        else:
            seen.add((member, month))
            if due is None:
                due = (base * rate / 100).quantize(Decimal("0.01"))
            checked.rows.append(
                {
                    "_row": at,
                    "member_id": member,
                    "month": month,
                    "base": base,
                    "rate": rate,
                    "due": due,
                    "paid": paid,
                    "paid_on": paid_on,
                }
            )
    return checked


CHECKS = {
    "projects": check_projects,
    "budgets": check_budgets,
    "movements": check_movements,
    "party_fees": check_party_fees,
}

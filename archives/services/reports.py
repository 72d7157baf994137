"""The Basic Statistics Report of Higher Education: tasks, forms, checks, reminders."""

from collections.abc import Mapping
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from archives.models import (
    REPORT_ITEMS,
    REPORT_RULES,
    ReportForm,
    ReportReminder,
    ReportTask,
)
from archives.services.certificates import certificates_remind
from archives.services.records import ArchiveError, _require_archivist

REPORT_REMINDER_DAYS = 3


@transaction.atomic
def report_task_create(
    *, user, year: int | None, deadline: date | None, department_ids: list[int]
) -> ReportTask:
    """A year's report sent to units: one form each, and a message to each unit's reporters."""
    from archives.selectors import reporter_ids
    from hall.models import Department
    from hall.notifications import notify

    _require_archivist(user, _("Only archivists create report tasks."))
    if year is None or not 2000 <= year <= 2100:
        raise ArchiveError(_("Give the report's year (2000–2100)."))
    if deadline is None or deadline < timezone.localdate():
        raise ArchiveError(_("The deadline cannot be in the past."))
    units = list(Department.objects.filter(pk__in=set(department_ids)).order_by("order", "code"))
    if not units or len(units) != len(set(department_ids)):
        raise ArchiveError(_("Choose the units that report."))
    if ReportTask.objects.filter(year=year).exists():
        raise ArchiveError(_("The report of %(year)d exists already.") % {"year": year})
    task = ReportTask.objects.create(year=year, deadline=deadline, created_by=user)
    ReportForm.objects.bulk_create([ReportForm(task=task, department=u) for u in units])
    for form in task.forms.select_related("department"):
        unit = form.department
        notify(
            recipients=reporter_ids(unit.pk),
            kind="task_arrived",
            subject=f"{year} 年高等教育基本统计报表（{unit.name_zh}），{deadline:%Y-%m-%d} 前提交",
            subject_en=f"Basic statistics report {year} ({unit.name_en or unit.name_zh}), "
            f"due {deadline:%Y-%m-%d}",
            url=form.get_absolute_url(),
        )
    return task


@transaction.atomic
def report_task_set_deadline(*, user, task_id: int, deadline: date | None) -> ReportTask:
    _require_archivist(user, _("Only archivists change report tasks."))
    task = ReportTask.objects.select_for_update().filter(pk=task_id).first()
    if task is None:
        raise ArchiveError(_("No such report task."))
    if deadline is None or deadline < timezone.localdate():
        raise ArchiveError(_("The deadline cannot be in the past."))
    task.deadline = deadline
    task.save(update_fields=["deadline"])
    return task


def report_rule_text(rule) -> str:
    labels = {item.key: str(item.label) for item in REPORT_ITEMS}
    return f"{labels[rule.total]} = " + " + ".join(labels[p] for p in rule.parts)


def report_check(values: Mapping[str, str | int | None], *, complete: bool) -> dict[str, int]:
    """Whole numbers, none negative; complete forms must have every figure and keep every
    rule (a total equals the sum of its parts). Each problem names the figure or rule."""
    problems, figures = [], {}
    for item in REPORT_ITEMS:
        raw = values.get(item.key)
        text = "" if raw is None else str(raw).strip()
        if not text:
            continue
        try:
            number = int(text)
        except ValueError:
            problems.append(_("“%(item)s” must be a whole number.") % {"item": item.label})
            continue
        if number < 0:
            problems.append(
                _("No negative numbers: “%(item)s” is %(n)d.") % {"item": item.label, "n": number}
            )
            continue
        figures[item.key] = number
    if problems:
        raise ArchiveError(" ".join(problems))
    if complete:
        missing = [str(item.label) for item in REPORT_ITEMS if item.key not in figures]
        if missing:
            raise ArchiveError(
                _("Fill in every figure before submitting; missing: %(items)s.")
                % {"items": "、".join(missing)}
            )
        for rule in REPORT_RULES:
            parts = sum(figures[p] for p in rule.parts)
            if figures[rule.total] != parts:
                problems.append(
                    _("Rule “%(rule)s” is broken: %(total)d ≠ %(sum)d.")
                    % {"rule": report_rule_text(rule), "total": figures[rule.total], "sum": parts}
                )
        if problems:
            raise ArchiveError(" ".join(problems))
    return figures


@transaction.atomic
def report_form_save(
    *, user, form_id: int, values: Mapping[str, str | int | None], submit: bool = False
) -> ReportForm:
    """A unit's reporter saves the figures, or submits them once they pass the checks."""
    from archives.selectors import reporter_units

    form = ReportForm.objects.select_for_update().select_related("task").filter(pk=form_id).first()
    if form is None or not reporter_units(user).filter(pk=form.department_id).exists():
        raise ArchiveError(_("Only the unit's reporters fill in its form."))
    if form.status == ReportForm.Status.SUBMITTED:
        raise ArchiveError(_("This form has been submitted; ask the archives to reopen it."))
    if timezone.localdate() > form.task.deadline:
        raise ArchiveError(
            _("The deadline %(date)s has passed; ask the archives to extend it.")
            % {"date": f"{form.task.deadline:%Y-%m-%d}"}
        )
    form.values = report_check(values, complete=submit)
    fields = ["values", "updated_at"]
    if submit:
        form.status, form.submitted_at, form.submitted_by = (
            ReportForm.Status.SUBMITTED,
            timezone.now(),
            user,
        )
        fields += ["status", "submitted_at", "submitted_by"]
    form.save(update_fields=fields)
    return form


@transaction.atomic
def report_form_reopen(*, user, form_id: int) -> ReportForm:
    """An archivist sends a submitted form back to its unit for a correction."""
    _require_archivist(user, _("Only archivists reopen forms."))
    form = ReportForm.objects.select_for_update().filter(pk=form_id).first()
    if form is None:
        raise ArchiveError(_("No such form."))
    if form.status != ReportForm.Status.SUBMITTED:
        raise ArchiveError(_("This form has not been submitted."))
    form.status, form.submitted_at, form.submitted_by = ReportForm.Status.DRAFT, None, None
    form.save(update_fields=["status", "submitted_at", "submitted_by", "updated_at"])
    return form


def reports_remind(*, today: date | None = None) -> int:
    """Three days before the deadline, units that have not submitted hear of it, once."""
    from archives.selectors import reporter_ids
    from hall.notifications import notify

    today = today or timezone.localdate()
    due = list(
        ReportForm.objects.filter(
            status=ReportForm.Status.DRAFT,
            task__deadline__gte=today,
            task__deadline__lte=today + timedelta(days=REPORT_REMINDER_DAYS),
        )
        .exclude(pk__in=ReportReminder.objects.filter(days=REPORT_REMINDER_DAYS).values("form"))
        .select_related("task", "department")
    )
    sent = 0
    for form in due:
        unit, task = form.department, form.task
        try:
            with transaction.atomic():
                ReportReminder.objects.create(form=form, days=REPORT_REMINDER_DAYS)
                notify(
                    recipients=reporter_ids(unit.pk),
                    kind="reminder",
                    subject=f"{task.year} 年高等教育基本统计报表（{unit.name_zh}）"
                    f"尚未提交，截止 {task.deadline:%Y-%m-%d}",
                    subject_en=f"Basic statistics report {task.year} "
                    f"({unit.name_en or unit.name_zh}) not submitted, due {task.deadline:%Y-%m-%d}",
                    url=form.get_absolute_url(),
                )
        except IntegrityError:
            continue
        sent += 1
    return sent


def office_remind() -> dict[str, int]:
    """The daily reminders of the archives' office work; safe to run any number of times."""
    return {"certificates": certificates_remind(), "reports": reports_remind()}

"""The year's theme and job outline: numbered key tasks, published as a page and a PDF, each of
which the office can make a supervision item."""

from datetime import date, datetime, time

from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from hall.calendar import working_days_between
from hall.models import Department, User
from performance import services
from performance.models import Item, KeyTask, SourceKind, Theme
from performance.services import Source, SupervisionError


@transaction.atomic
def theme_save(*, user: User, year: int, title: str, summary: str = "") -> Theme:
    if not services.is_office(user):
        raise SupervisionError(_("Only the office writes the job outline."))
    title = (title or "").strip()
    if not title:
        raise SupervisionError(_("Give the year's theme."))
    theme, _made = Theme.objects.update_or_create(
        year=year, defaults={"title": title[:200], "summary": summary}
    )
    return theme


@transaction.atomic
def key_task_add(
    *,
    user: User,
    theme_id: int,
    title: str,
    leader: User,
    lead_unit: Department,
    target_date: date,
    co_units: list[Department] = (),
) -> KeyTask:
    if not services.is_office(user):
        raise SupervisionError(_("Only the office writes the job outline."))
    theme = Theme.objects.select_for_update().get(pk=theme_id)
    title = (title or "").strip()
    if not title:
        raise SupervisionError(_("Name the key task."))
    if target_date.year != theme.year:
        raise SupervisionError(
            _("A key task of %(year)d is due within %(year)d.") % {"year": theme.year}
        )
    if lead_unit in co_units:
        raise SupervisionError(_("The lead unit is not also a co-unit."))
    last = theme.tasks.aggregate(last=Max("n"))["last"] or 0
    task = KeyTask.objects.create(
        theme=theme,
        n=last + 1,
        title=title[:300],
        leader=leader,
        lead_unit=lead_unit,
        target_date=target_date,
    )
    task.co_units.set(co_units)
    return task


@transaction.atomic
def key_task_supervise(
    *, task_id: int, user: User, criteria: str, now: datetime | None = None
) -> Item:
    """The key task becomes a supervision item due on its target date (in working days)."""
    task = (
        KeyTask.objects.select_for_update(of=("self",))
        .select_related("theme", "lead_unit", "leader")
        .get(pk=task_id)
    )
    if task.item_id is not None:
        raise SupervisionError(_("This key task is already supervised."))
    now = now or timezone.now()
    target = timezone.make_aware(datetime.combine(task.target_date, time(17, 30)))
    days = working_days_between(now, target)
    if days < 1:
        raise SupervisionError(_("The key task's target date has passed."))
    item = services.item_create(
        user=user,
        title=task.title[:200],
        source=Source(
            kind=SourceKind.KEY_TASK,
            ref=f"performance.keytask:{task.pk}",
            title=f"{task.theme.year}年工作要点 第{task.n}项",
            url=f"/performance/strategy/{task.theme.year}/#task-{task.n}",
        ),
        criteria=criteria,
        leader=task.leader,
        lead_unit=task.lead_unit,
        co_units=list(task.co_units.all()),
        days=days,
        now=now,
    )
    task.item = item
    task.save(update_fields=["item"])
    return item


def outline(year: int) -> Theme | None:
    return Theme.objects.filter(year=year).first()


def tasks_of(theme: Theme) -> list[KeyTask]:
    return list(
        theme.tasks.select_related("leader", "lead_unit", "item").prefetch_related("co_units")
    )


def outline_pdf(theme: Theme) -> bytes:
    import weasyprint

    html = render_to_string(
        "performance/outline_pdf.html", {"theme": theme, "tasks": tasks_of(theme)}
    )
    return weasyprint.HTML(string=html).write_pdf()

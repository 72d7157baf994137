"""Reads for supervision: who may see which item, the board, its counts and the public notice."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from hall.models import Department, User
from performance.models import Item, NoticeEntry, Step
from performance.services import is_office, staff_units

Status = Item.Status


class Light:
    """The board's traffic light, from the deadline against now (never stored: it moves)."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    CHOICES = (GREEN, YELLOW, RED)


def soon(now: datetime) -> datetime:
    return now + timedelta(days=settings.HALL_REMIND_BEFORE_DAYS + 2)


def light_of(item: Item, now: datetime) -> str:
    if not item.is_open:
        return ""
    if item.deadline <= now:
        return Light.RED
    if item.deadline <= soon(now):
        return Light.YELLOW
    return Light.GREEN


def light_filter(light: str, now: datetime) -> Q:
    open_ = Q(status__in=Item.OPEN)
    if light == Light.RED:
        return open_ & Q(deadline__lte=now)
    if light == Light.YELLOW:
        return open_ & Q(deadline__gt=now, deadline__lte=soon(now))
    return open_ & Q(deadline__gt=soon(now))


def visible_items(user: User, office: bool | None = None) -> QuerySet[Item]:
    """The office (a role) sees every item; a leader the items of their portfolio; a unit the
    items it leads or co-handles; everyone else nothing, so an item's page answers 404.
    ``office``: whether the person is of the office, when the caller knows already."""
    items = Item.objects.all()
    if not user.is_authenticated:
        return items.none()
    if is_office(user) if office is None else office:
        return items
    # A student of a unit sees none of its items: they are for its staff (staff_units).
    # The few unit ids first (one small query): plain IN lists plan better than subqueries.
    units = sorted(set(staff_units(user).values_list("pk", flat=True)))
    return items.filter(pk__in=mine_ids(user, units))


def mine_ids(user: User, units: list[int]):
    """The ids of the items a person leads as leader in charge, or their units lead or
    co-handle: a UNION of three indexed branches (leader, lead unit, the co-units' table),
    so Postgres reads each by its index and joins the few ids, never an OR over every item."""
    branches = [Item.objects.filter(leader_id=user.pk).values("pk").order_by()]
    if units:
        branches.append(Item.objects.filter(lead_unit_id__in=units).values("pk").order_by())
        branches.append(
            Item.co_units.through.objects.filter(department_id__in=units)
            .values("item_id")
            .order_by()
        )
    first, *rest = branches
    return first.union(*rest) if rest else first


def may_see_board(user: User) -> bool:
    return user.is_authenticated


LIST_FIELDS = (
    "id",
    "title",
    "source_kind",
    "status",
    "deadline",
    "escalated_at",
    "lead_unit__name_zh",
    "lead_unit__name_en",
    "leader__full_name",
    "leader__username",
)


def board(
    user: User,
    *,
    now: datetime | None = None,
    status: str = "",
    light: str = "",
    unit: int | None = None,
    leader: int | None = None,
    source: str = "",
    office: bool | None = None,
) -> QuerySet[Item]:
    now = now or timezone.now()
    rows = visible_items(user, office).select_related("lead_unit", "leader").only(*LIST_FIELDS)
    if status:
        rows = rows.filter(status=status)
    if light:
        rows = rows.filter(light_filter(light, now))
    if unit:
        rows = rows.filter(lead_unit_id=unit)
    if leader:
        rows = rows.filter(leader_id=leader)
    if source:
        rows = rows.filter(source_kind=source)
    return rows.order_by("deadline", "pk")


def board_counts(user: User, *, now: datetime | None = None, office: bool | None = None) -> dict:
    """Items by status and, of the open ones, by light: one aggregate query."""
    now = now or timezone.now()
    late = soon(now)
    open_ = Q(status__in=Item.OPEN)
    found = visible_items(user, office).aggregate(
        **{f"s_{s}": Count("pk", filter=Q(status=s)) for s in Status.values},
        red=Count("pk", filter=open_ & Q(deadline__lte=now)),
        yellow=Count("pk", filter=open_ & Q(deadline__gt=now, deadline__lte=late)),
    )
    opened = sum(found[f"s_{s}"] for s in Item.OPEN)
    return {
        "status": {s: found[f"s_{s}"] for s in Status.values},
        "light": {
            Light.GREEN: opened - found["red"] - found["yellow"],
            Light.YELLOW: found["yellow"],
            Light.RED: found["red"],
        },
    }


def item_for(user: User, pk: int) -> Item | None:
    return (
        visible_items(user)
        .select_related("lead_unit", "leader", "created_by")
        .prefetch_related("co_units", "milestones")
        .filter(pk=pk)
        .first()
    )


def history(item: Item) -> list[Step]:
    return list(Step.objects.filter(item=item).select_related("actor").order_by("pk"))


def notice(user: User, period: str) -> QuerySet[NoticeEntry]:
    """The items on the public notice (通报) of a period, among those the person may see."""
    return (
        NoticeEntry.objects.filter(period=period, item__in=visible_items(user).values("pk"))
        .select_related("item", "item__lead_unit", "item__leader")
        .order_by("item__lead_unit__order", "item__lead_unit__code", "item__deadline", "pk")
    )


def units() -> QuerySet[Department]:
    return Department.objects.order_by("order", "code")


def leaders() -> QuerySet[User]:
    return User.objects.filter(supervised_items__isnull=False).distinct().order_by("username")

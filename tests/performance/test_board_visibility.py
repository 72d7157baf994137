"""The supervision board's visibility as a UNION of indexed branches (leader, lead unit,
co-units) gives exactly what the old OR over the three gave, on a mixed data set."""

import itertools
from datetime import timedelta

import pytest
from django.db.models import Q
from django.utils import timezone

from hall.models import User
from performance import selectors
from performance.models import Item
from performance.services import is_office, staff_units


def _old_semantics(user: User) -> set[int]:
    """What ``visible_items`` answered before: one OR over leader, lead unit and co-units."""
    if is_office(user):
        return set(Item.objects.values_list("pk", flat=True))
    units = list(staff_units(user).values_list("pk", flat=True))
    co = Item.co_units.through.objects.filter(department_id__in=units).values("item_id")
    mine = Q(leader=user) | Q(lead_unit_id__in=units) | Q(pk__in=co)
    return set(Item.objects.filter(mine).values_list("pk", flat=True))


@pytest.fixture
def mixed(office):
    """Every lead unit × every pair of co-units (or none) × three leaders × two statuses."""
    units = [office[k] for k in ("school", "research", "finance", "office")]
    leaders = [office["lee"], office["fay"], office["hank"]]
    now = timezone.now()
    co_sets = [(), *itertools.combinations(units, 1), *itertools.combinations(units, 2)]
    n = 0
    for lead, co, leader, status in itertools.product(
        units, co_sets, leaders, (Item.Status.IN_PROGRESS, Item.Status.CLOSED)
    ):
        n += 1
        item = Item.objects.create(
            title=f"事项{n}",
            source_kind="assigned",
            criteria="按期完成",
            leader=leader,
            lead_unit=lead,
            days=5,
            assigned_at=now,
            deadline=now + timedelta(days=n % 9 - 3),
            status=status,
        )
        item.co_units.set([u for u in co if u != lead])
    return n


PERSONAS = ["sam", "hank", "alice", "rita", "fay", "lee", "charlie", "lina", "gus", "ravi"]


@pytest.mark.parametrize("who", PERSONAS)
def test_the_union_sees_exactly_what_the_or_saw(office, mixed, who):
    user = User.objects.get(username=who)
    new = set(selectors.visible_items(user).values_list("pk", flat=True))
    assert new == _old_semantics(user)
    # and the board's rows, filters and counts agree with it
    assert set(selectors.board(user).values_list("pk", flat=True)) == new
    red = selectors.board(user, light=selectors.Light.RED).values_list("pk", flat=True)
    assert set(red) <= new
    counts = selectors.board_counts(user)
    assert sum(counts["status"].values()) == len(new)


def test_the_mixed_set_has_every_kind_of_visibility(office, mixed):
    # a sanity check that the data set is mixed: some seen by each branch alone
    hank = office["hank"]
    seen = _old_semantics(hank)
    units = list(staff_units(hank).values_list("pk", flat=True))
    by_leader = set(Item.objects.filter(leader=hank).values_list("pk", flat=True))
    by_lead = set(Item.objects.filter(lead_unit_id__in=units).values_list("pk", flat=True))
    by_co = set(
        Item.co_units.through.objects.filter(department_id__in=units).values_list(
            "item_id", flat=True
        )
    )
    assert by_leader - by_lead - by_co and by_co - by_lead - by_leader
    assert seen == by_leader | by_lead | by_co
    assert 0 < len(seen) < mixed
    assert not _old_semantics(office["lina"])  # a student of the unit: nothing

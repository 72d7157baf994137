"""Contract numbers: HT<year>-NNNN, gap-free per year, safe under concurrent registration."""

import importlib
import threading
from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.db import connection, connections

from documents import legal
from documents.models import Contract, NumberCounter
from documents.services import DocumentError
from hall.models import Department, User
from tests.documents.test_legal import team  # noqa: F401 - fixture
from tests.real_parts import require


def _enter(user, department, today, title="房屋租赁合同", **extra):
    values = {
        "title": title,
        "parties": "本校；杭州某某物业有限公司",
        "amount": Decimal("120000.00"),
        "kind": "lease",
        "department": department,
        "term_start": date(2025, 1, 1),
        "term_end": date(2027, 12, 31),
        **extra,
    }
    return legal.contract_enter(user=user, today=today, **values)


def test_entered_contracts_follow_on_per_year_and_a_new_year_starts_at_1(team):  # noqa: F811
    department = team["alice"].department
    numbers = [
        _enter(team["lois"], department, day).number
        for day in [date(2026, 12, 30), date(2026, 12, 31), date(2027, 1, 4)]
    ]
    assert numbers == ["HT2026-0001", "HT2026-0002", "HT2027-0001"]


def test_a_contract_already_ended_enters_as_expired(team):  # noqa: F811
    contract = _enter(
        team["lois"], team["alice"].department, date(2026, 5, 1), term_end=date(2026, 4, 30)
    )
    assert contract.status == Contract.Status.EXPIRED


@pytest.mark.parametrize(
    "who, extra, message",
    [
        ("alice", {}, "Only the legal office"),
        ("lois", {"title": " "}, "contract's name"),
        ("lois", {"amount": Decimal("-1")}, "amount"),
        ("lois", {"kind": "nonsense"}, "kind of contract"),
        ("lois", {"term_end": date(2024, 12, 31)}, "term ends"),
    ],
    ids=["not-the-office", "no-title", "negative-amount", "bad-kind", "term-backwards"],
)
def test_a_wrong_entry_is_refused_and_takes_no_number(team, who, extra, message):  # noqa: F811
    with pytest.raises(DocumentError, match=message):
        _enter(team[who], team["alice"].department, date(2026, 5, 1), **extra)
    assert not Contract.objects.exists()
    assert not NumberCounter.objects.filter(prefix=legal.CONTRACT_SERIES, last__gt=0).exists()


def test_two_registrations_at_once_get_different_consecutive_numbers(transactional_db):
    require(connection.vendor == "postgresql", "row locks under concurrency need Postgres")
    # given
    department = Department.objects.create(code="legal-affairs", name_zh="法律事务室")
    office = User.objects.create_user("lois", is_superuser=True, department=department)
    barrier = threading.Barrier(2)
    numbers, errors = [], []

    def register(n):
        barrier.wait()
        try:
            for i in range(10):
                numbers.append(
                    _enter(office, department, date(2026, 3, 1), title=f"合同{n}-{i}").number
                )
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    # when
    threads = [threading.Thread(target=register, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then
    assert errors == []
    assert sorted(numbers) == [f"HT2026-{n:04d}" for n in range(1, 21)]
    assert NumberCounter.objects.get(prefix=legal.CONTRACT_SERIES, year=2026).last == 20


def test_the_migration_renumbers_old_contracts_per_year_in_creation_order(team):  # noqa: F811
    # given: contracts numbered the old way (from their review's id), out of order
    department = team["alice"].department
    old = ["HT2026-00042", "HT2025-00007", "HT2026-00003", "HT2026-0001"]
    made = [
        Contract.objects.create(
            number=number,
            title=f"合同{i}",
            parties="甲；乙",
            amount=Decimal(1),
            kind="lease",
            department=department,
            term_start=date(2025, 1, 1),
            term_end=date(2027, 1, 1),
        )
        for i, number in enumerate(old)
    ]
    # when
    migration = importlib.import_module("documents.migrations.0012_contract_numbers_per_year")
    migration.renumber(django_apps, None)
    # then
    got = [Contract.objects.get(pk=c.pk).number for c in made]
    assert got == ["HT2026-0001", "HT2025-0001", "HT2026-0002", "HT2026-0003"]
    assert NumberCounter.objects.get(prefix=legal.CONTRACT_SERIES, year=2026).last == 3
    # and the next one follows on
    assert _enter(team["lois"], department, date(2026, 6, 1)).number == "HT2026-0004"

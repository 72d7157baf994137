"""Reference numbers: 代字〔YYYY〕N号, unique and gap-free per 代字 and year, never reused."""

import re
import threading
from datetime import date

from django.db import connection, connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from documents import services
from documents.models import Authority, NumberCounter, Outgoing
from hall.models import Department, User
from tests.real_parts import require

NUMBER = re.compile(r"^(.+)〔(\d{4})〕([1-9]\d*)号$")
Status = Outgoing.Status


def signed(authority, drafter, n):
    return Outgoing.objects.create(
        doc_type="notice",
        authority=authority,
        title=f"通知{n}",
        body="正文",
        drafter=drafter,
        department=drafter.department,
        status=Status.SIGNED,
    )


steps = st.lists(
    st.one_of(
        st.tuples(
            st.just("register"), st.sampled_from([2025, 2026, 2027]), st.sampled_from([0, 1])
        ),
        st.tuples(st.just("void"), st.integers(0, 40), st.just(0)),
    ),
    min_size=1,
    max_size=30,
)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(plan=steps)
def test_numbers_match_the_pattern_and_are_unique_and_gap_free_per_prefix_and_year(db, plan):
    # given
    Outgoing.objects.all().delete()
    NumberCounter.objects.all().delete()
    office, _ = Department.objects.get_or_create(code="president-office", name_zh="校长办公室")
    registrar, _ = User.objects.get_or_create(
        username="registrar", defaults={"is_superuser": True, "department": office}
    )
    authorities = [
        Authority.objects.get_or_create(
            prefix=prefix, defaults={"name_zh": prefix, "department": office}
        )[0]
        for prefix in ("校办发", "校党发")
    ]
    registered = []
    # when
    for n, (action, value, which) in enumerate(plan):
        if action == "register":
            document = signed(authorities[which], registrar, n)
            registered.append(
                services.document_register(
                    document_id=document.pk, user=registrar, today=date(value, 6, 1)
                )
            )
        elif registered:
            target = registered[value % len(registered)]
            if Outgoing.objects.get(pk=target.pk).status == Status.REGISTERED:
                services.document_void(document_id=target.pk, user=registrar, reason="有误")
    # then
    numbers = list(Outgoing.objects.exclude(number=None).values_list("number", "status"))
    assert len(numbers) == len(registered)
    assert len({n for n, _ in numbers}) == len(numbers)
    per_series: dict[tuple[str, int], list[int]] = {}
    for number, _status in numbers:
        match = NUMBER.match(number)
        assert match, number
        per_series.setdefault((match[1], int(match[2])), []).append(int(match[3]))
    for series, seqs in per_series.items():
        assert sorted(seqs) == list(range(1, len(seqs) + 1)), series
    voided = Outgoing.objects.filter(status=Status.VOID)
    assert all(d.number and d.void_reason for d in voided)


def test_a_new_year_starts_at_one(db):
    office = Department.objects.create(code="president-office", name_zh="校长办公室")
    registrar = User.objects.create_user("registrar", is_superuser=True, department=office)
    authority = Authority.objects.create(name_zh="校办", prefix="校办发", department=office)
    numbers = [
        services.document_register(
            document_id=signed(authority, registrar, n).pk, user=registrar, today=day
        ).number
        for n, day in enumerate([date(2026, 12, 31), date(2026, 12, 31), date(2027, 1, 4)])
    ]
    assert numbers == ["校办发〔2026〕1号", "校办发〔2026〕2号", "校办发〔2027〕1号"]


def test_two_registrars_at_once_get_different_consecutive_numbers(transactional_db):
    require(connection.vendor == "postgresql", "row locks under concurrency need Postgres")
    # given
    office = Department.objects.create(code="president-office", name_zh="校长办公室")
    registrar = User.objects.create_user("registrar", is_superuser=True, department=office)
    authority = Authority.objects.create(name_zh="校办", prefix="校办发", department=office)
    documents = [signed(authority, registrar, n).pk for n in range(20)]
    barrier = threading.Barrier(2)
    numbers, errors = [], []

    def register(ids):
        barrier.wait()
        try:
            for pk in ids:
                done = services.document_register(
                    document_id=pk, user=registrar, today=date(2026, 3, 1)
                )
                numbers.append(done.seq)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    # when
    threads = [threading.Thread(target=register, args=(documents[i::2],)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then
    assert errors == []
    assert sorted(numbers) == list(range(1, 21))
    assert NumberCounter.objects.get(prefix="校办发", year=2026).last == 20

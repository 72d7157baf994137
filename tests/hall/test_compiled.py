"""hall.compiled: a query compiled once per shape gives what the ORM gives, with new values."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hall import compiled
from hall.models import Department, User


@pytest.fixture(autouse=True)
def _forget():
    compiled.forget()
    yield
    compiled.forget()


@pytest.fixture
def staff(db):
    unit = Department.objects.create(code="unit-a", name_zh="甲处", name_en="Unit A")
    other = Department.objects.create(code="unit-b", name_zh="乙处", name_en="Unit B")
    made = [
        User.objects.create(username=f"p{n:02d}", full_name=f"人{n}", department=unit)
        for n in range(7)
    ]
    made += [User.objects.create(username=f"q{n:02d}", department=other) for n in range(3)]
    return unit, other, made


def people_of(active: bool, *, department_id: int, after: int = 0):
    return (
        User.objects.filter(department_id=department_id, is_active=active, pk__gt=after)
        .select_related("department")
        .order_by("-pk")
    )


def named_like(*, name: str):
    return User.objects.filter(full_name__icontains=name).order_by("pk")


def joined_since(*, department_id: int):
    # reads the clock itself: not a function of its arguments alone
    return User.objects.filter(
        department_id=department_id, date_joined__gte=timezone.now() - timedelta(days=1)
    ).order_by("pk")


def shape_of(key_part: str):
    return [key for key, kept in compiled._kept.items() if key[2] == key_part]


def test_a_shape_is_kept_and_replayed_with_other_values(staff):
    unit, other, _ = staff
    first = compiled.rows(people_of, (True,), department_id=unit.pk)
    assert first == list(people_of(True, department_id=unit.pk))
    (key,) = shape_of("people_of")
    assert compiled._kept[key] is not compiled._NOT_KEPT
    with CaptureQueriesContext(connection) as seen:
        again = compiled.rows(people_of, (True,), department_id=other.pk)
    assert [p.username for p in again] == ["q02", "q01", "q00"]
    assert len(seen) == 1 and str(other.pk) in seen[0]["sql"]
    # select_related still fills the department: no query more
    with CaptureQueriesContext(connection) as seen:
        assert {p.department.code for p in again} == {"unit-b"}
    assert len(seen) == 0
    assert len(shape_of("people_of")) == 1


def test_values_and_pages_match_the_orm(staff):
    unit, _, made = staff
    fields = ("pk", "username", "department__name_en")
    expected = list(people_of(True, department_id=unit.pk).values(*fields))
    for start, stop in [(0, 3), (3, 6), (6, 9), (0, None), (2, None), (5, 5), (9, 20)]:
        got = compiled.rows(
            people_of, (True,), fields=fields, start=start, stop=stop, department_id=unit.pk
        )
        assert got == expected[start:stop], (start, stop)
    after = made[2].pk
    got = compiled.rows(people_of, (True,), fields=fields, department_id=unit.pk, after=after)
    assert got == list(people_of(True, department_id=unit.pk, after=after).values(*fields))
    # a new value after the shape was kept, and another shape (inactive) kept apart
    User.objects.filter(pk=made[0].pk).update(is_active=False)
    assert compiled.rows(people_of, (False,), fields=("pk",), department_id=unit.pk) == [
        {"pk": made[0].pk}
    ]
    assert {"pk": made[0].pk} not in compiled.rows(
        people_of, (True,), fields=("pk",), department_id=unit.pk
    )


def test_a_value_the_orm_transforms_is_not_kept_and_still_answers(staff):
    assert [p.username for p in compiled.rows(named_like, (), name="人3")] == ["p03"]
    (key,) = shape_of("named_like")
    assert compiled._kept[key] is compiled._NOT_KEPT
    assert [p.username for p in compiled.rows(named_like, (), name="人5")] == ["p05"]


def test_a_build_that_reads_the_clock_is_not_kept(staff):
    unit, _, _ = staff
    assert len(compiled.rows(joined_since, (), department_id=unit.pk)) == 7
    (key,) = shape_of("joined_since")
    assert compiled._kept[key] is compiled._NOT_KEPT


def test_a_value_of_another_type_is_another_shape(staff):
    unit, _, _ = staff
    compiled.rows(people_of, (True,), department_id=unit.pk)
    got = compiled.rows(people_of, (True,), department_id=str(unit.pk))
    assert len(got) == 7 and len(shape_of("people_of")) == 2


def test_bools_and_none_belong_in_the_shape(staff):
    unit, _, _ = staff
    with_none = compiled.rows(people_of, (True,), department_id=None)
    assert with_none == []
    (key,) = shape_of("people_of")
    assert compiled._kept[key] is compiled._NOT_KEPT


@pytest.mark.django_db(transaction=True)
def test_another_thread_replays_on_its_own_connection():
    unit = Department.objects.create(code="unit-t", name_zh="丙处")
    User.objects.create(username="t1", department=unit)
    assert [p.username for p in compiled.rows(people_of, (True,), department_id=unit.pk)] == ["t1"]
    found, failed = [], []

    def other_thread():
        from django.db import connections

        try:
            found.extend(compiled.rows(people_of, (True,), department_id=unit.pk))
        except Exception as exc:  # noqa: BLE001 - reported below
            failed.append(exc)
        finally:
            connections.close_all()

    worker = threading.Thread(target=other_thread)
    worker.start()
    worker.join()
    assert not failed and [p.username for p in found] == ["t1"]


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are Postgres's")


def _prepared_here() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, statement FROM pg_prepared_statements")
        return dict(cursor.fetchall())


def test_a_kept_shape_is_prepared_once_per_connection(postgres, staff):
    unit, other, _ = staff
    fields = ("pk", "username")
    for department in (unit, other, unit):
        with CaptureQueriesContext(connection) as seen:
            got = compiled.rows(
                people_of, (True,), fields=fields, stop=5, department_id=department.pk
            )
        assert got == list(people_of(True, department_id=department.pk).values(*fields)[:5])
    (executed,) = seen
    assert executed["sql"].startswith("EXECUTE hall_")
    name = executed["sql"].split()[1].split("(")[0]
    statement = _prepared_here()[name]
    # the constant (after=0) written in, the department a parameter, the page's size written in
    assert '"id" > 0' in statement and "= $1" in statement and "LIMIT 5" in statement
    # a connection that has none (a new one) prepares it again
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    compiled._prepared_on.clear()
    again = compiled.rows(people_of, (True,), fields=fields, stop=5, department_id=other.pk)
    assert [row["username"] for row in again] == ["q02", "q01", "q00"]
    assert name in _prepared_here()


def test_a_prepared_statement_is_planned_once_for_every_value(postgres, staff):
    # hall.settings sets plan_cache_mode = force_generic_plan on the hall's connections: with
    # Postgres's auto, its first five executions (and, where it rates the generic plan a little
    # dearer, every one) are planned again for their values
    unit, other, _ = staff
    for department in (unit, other, unit, other, unit, other, unit):
        with CaptureQueriesContext(connection) as seen:
            compiled.rows(people_of, (True,), fields=("pk",), stop=3, department_id=department.pk)
    name = seen[0]["sql"].split()[1].split("(")[0]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = %s",
            [name],
        )
        assert cursor.fetchall() == [(7, 0)]


def people_named(*, username: str):
    return User.objects.filter(username=username).order_by("pk")


def test_a_shape_compared_with_a_string_is_kept_but_not_prepared(postgres, staff):
    # a plan made for the value (a status, a service's code) is worth its planning
    for name in ("p01", "q02", "p01"):
        with CaptureQueriesContext(connection) as seen:
            got = compiled.rows(people_named, (), fields=("username",), username=name)
        assert got == [{"username": name}]
    (executed,) = seen
    assert not executed["sql"].startswith("EXECUTE") and "%s" not in executed["sql"]
    ((key, kept),) = [(k, v) for k, v in compiled._kept.items() if k[2] == "people_named"]
    assert kept is not compiled._NOT_KEPT and kept.statement is None


def test_a_statement_that_fails_to_prepare_leaves_the_transaction_as_it_was(postgres, staff):
    from django.db import transaction

    unit, _, _ = staff
    compiled.rows(people_of, (True,), department_id=unit.pk)
    (kept,) = [compiled._kept[key] for key in shape_of("people_of")]
    kept.statement = "SELECT no_such_column FROM hall_user WHERE id = $1"
    with transaction.atomic():
        User.objects.create(username="inside")
        got = compiled.rows(people_of, (True,), department_id=unit.pk)
        assert len(got) == 7 and User.objects.filter(username="inside").exists()
    assert kept.statement is None  # from now on run unprepared
    assert len(compiled.rows(people_of, (True,), department_id=unit.pk)) == 7


def test_what_a_prepared_statement_writes_in():
    text, names = compiled._statement(
        "SELECT 1 WHERE a = %s AND b = %s AND c = %s AND d LIKE 'x%%' AND e = %s",
        (("constant", "it's"), ("value", "user_id"), ("value", "user_id"), ("constant", 7)),
    )
    assert text == "SELECT 1 WHERE a = 'it''s' AND b = $1 AND c = $1 AND d LIKE 'x%' AND e = 7"
    assert names == ("user_id",)
    # what it does not write in: the shape runs unprepared
    assert compiled._statement("a = %s", (("constant", "a\\b"),)) == (None, ())
    assert compiled._statement("a = %s", (("constant", timezone.now()),)) == (None, ())

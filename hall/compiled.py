"""A hot page's query compiled to SQL once per shape, then run again with new values.

Building a queryset and compiling it (``filter()``, the joins, ``as_sql()``) costs Django about a
millisecond of Python for an inbox page (four tables, ten columns), five times what running its
SQL and reading its 20 rows cost. The query itself is the same on every visit but for a few
values: whose inbox, which page. So :func:`rows` compiles a queryset once per *shape* (a
process-wide dictionary; nothing shared between processes or written anywhere) and, on later
calls, runs the same SQL with the new values through the queryset's own compiler, so its
results (dicts of ``values()``, model instances with ``select_related``, the converters of the
database backend) are what the ORM gives. ``django-prepared-queries`` did this for Django < 2.2
and is no longer kept; this is the part the hall needs.

``build(*shape, **values)`` returns an unsliced queryset. It must depend on its arguments alone
(not on the clock or the language): ``shape`` says which filters there are (hashable, part of
the key), ``values`` are what they compare with — primary keys, datetimes, dates, strings. On
first use, the queryset is compiled twice, with stand-ins for the values and with the values
themselves; a shape is kept only when the SQL is the same and each parameter is either a
constant or exactly one of the values, so a value that Django transforms (``icontains``
wraps a string in ``%``), a clock read inside ``build``, or a ``None`` (``IS NULL``) makes that
shape always run through the ORM, as before.

On Postgres a kept shape whose values are all keys (integers: whose inbox, which request) is
also a prepared statement of each connection (``PREPARE`` once, then ``EXECUTE``), its constants
written into it, and planned once: planning the inbox's four-table join took Postgres 0.4–0.6 ms
of CPU on every visit, executing it 0.1 ms. The hall's connections set ``plan_cache_mode =
force_generic_plan`` (``hall.settings``): with ``auto``, Postgres kept planning the done tab on
every visit, since it rated the one generic plan a little dearer than a plan made for the
heaviest approver — the same plan. With the constants in the statement (``status =
'pending'``, not a parameter) the generic plan finds the partial index; with ``status = $2``
a generic plan was 1,000 times slower, so a shape with a constant that cannot be written into
SQL, or compared with a string, a date or a time (a service's code, a status, the clock: a
plan made for that value is worth its planning), is not prepared. Prepared statements outlive
a transaction's rollback; one that fails to prepare is rolled back to a savepoint and its
shape runs unprepared.
"""

import datetime
import logging
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connections
from django.db.models import QuerySet

# Stand-ins for values while compiling: negative keys (no row has one), datetimes and dates in
# 1901, strings no person types. Each is told apart by its offset.
_INT_BASE = -2_000_000_000
_EPOCH = datetime.datetime(1901, 1, 1, tzinfo=datetime.UTC)
_NOT_KEPT = object()
logger = logging.getLogger("hall.compiled")


@dataclass
class _Compiled:
    queryset: QuerySet
    compiler: object
    sql: str
    slots: tuple  # per parameter: ("value", name) or ("constant", value)
    # Postgres: the statement to prepare (constants written in, $n for the values in the order
    # of ``names``), or None when a constant cannot be written into SQL
    statement: str | None = None
    names: tuple = ()


_kept: dict = {}
_lock = threading.Lock()


def _stand_in(value, offset: int):
    if isinstance(value, bool) or value is None:
        return None  # a bool or None changes the SQL's shape: it belongs in the shape
    if isinstance(value, int):
        return _INT_BASE - offset
    if isinstance(value, datetime.datetime):
        return _EPOCH + datetime.timedelta(microseconds=offset + 1)
    if isinstance(value, datetime.date):
        return datetime.date(1901, 1, 1) + datetime.timedelta(days=offset)
    if isinstance(value, str):
        return f"\x1fhall-stand-in-{offset}\x1f"
    return None


def _compile(build: Callable[..., QuerySet], shape: tuple, values: dict, using: str):
    """The shape's compiled query, or _NOT_KEPT when it cannot be replayed faithfully."""
    stand_ins = {}
    for offset, (name, value) in enumerate(sorted(values.items())):
        stand_in = _stand_in(value, offset)
        if stand_in is None:
            return _NOT_KEPT
        stand_ins[name] = stand_in
    try:
        template = build(*shape, **stand_ins)
        query = template.query
        if query.is_sliced or query.select_for_update or query.combinator or query.is_empty():
            return _NOT_KEPT
        if template._prefetch_related_lookups:
            return _NOT_KEPT
        compiler = query.get_compiler(using=using)
        sql, params = compiler.as_sql()
    except Exception:  # noqa: BLE001 - a stand-in a field refuses, EmptyResultSet: the ORM's way
        return _NOT_KEPT
    try:
        actual_sql, actual_params = build(*shape, **values).query.get_compiler(using=using).as_sql()
    except Exception:  # noqa: BLE001 - the ORM, run by the caller, says what is wrong
        return _NOT_KEPT
    if sql != actual_sql or len(params) != len(actual_params):
        return _NOT_KEPT
    by_stand_in = {}
    for name, stand_in in stand_ins.items():
        by_stand_in.setdefault((type(stand_in), stand_in), name)
    slots = []
    for param, actual in zip(params, actual_params, strict=True):
        name = by_stand_in.get((type(param), param)) if _hashable(param) else None
        if name is not None:
            if actual != values[name] or type(actual) is not type(values[name]):
                return _NOT_KEPT
            slots.append(("value", name))
        elif _hashable(param) and type(param) is type(actual) and param == actual:
            if any(_mentions(param, stand_in) for stand_in in stand_ins.values()):
                return _NOT_KEPT
            slots.append(("constant", param))
        else:
            return _NOT_KEPT
    if set(stand_ins) - {slot[1] for slot in slots if slot[0] == "value"}:
        return _NOT_KEPT  # a value that did not reach the SQL as itself
    kept = _Compiled(template, compiler, sql, tuple(slots))
    if connections[using].vendor == "postgresql" and all(
        type(value) is int for value in values.values()
    ):
        kept.statement, kept.names = _statement(sql, kept.slots)
    return kept


def _literal(value) -> str | None:
    """``value`` written as a Postgres literal, or None for a type this does not write."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, str):
        text = str(value)
        if "\x00" in text or "\\" in text:
            return None  # not written in: a backslash means what standard_conforming_strings says
        return "'" + text.replace("'", "''") + "'"
    return None


def _statement(sql: str, slots: tuple) -> tuple[str | None, tuple]:
    """The prepared statement's text: Django's ``%s`` placeholders become ``$n`` (one per value
    name) or the constant itself, ``%%`` a ``%``."""
    import re

    names: list[str] = []
    pieces = iter(slots)
    failed = False

    def replace(match) -> str:
        nonlocal failed
        if match.group(0) == "%%":
            return "%"
        kind, what = next(pieces)
        if kind == "constant":
            literal = _literal(what)
            if literal is None:
                failed = True
                return ""
            return literal
        if what not in names:
            names.append(what)
        return f"${names.index(what) + 1}"

    text = re.sub(r"%[s%]", replace, sql)
    if failed or next(pieces, None) is not None:
        return None, ()
    return text, tuple(names)


def _hashable(value) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _mentions(param, stand_in) -> bool:
    return isinstance(param, str) and isinstance(stand_in, str) and stand_in in param


def rows(
    build: Callable[..., QuerySet],
    shape: tuple,
    *,
    fields: tuple[str, ...] = (),
    start: int = 0,
    stop: int | None = None,
    using: str = "default",
    **values,
) -> list:
    """``list(build(*shape, **values).values(*fields)[start:stop])`` (without ``.values()``
    when ``fields`` is empty), compiled once per shape and types of the values (module
    docstring)."""
    key = (
        using,
        build.__module__,
        build.__qualname__,
        shape,
        fields,
        tuple(sorted((name, type(value)) for name, value in values.items())),
    )
    if fields:
        build = _with_fields(build, fields)
    kept = _kept.get(key)
    if kept is None:
        kept = _compile(build, shape, values, using)
        with _lock:
            _kept[key] = kept
    if kept is _NOT_KEPT:
        return list(build(*shape, **values)[start:stop])
    return _replay(kept, values, start, stop, using)


def _with_fields(build: Callable[..., QuerySet], fields: tuple[str, ...]):
    def values_of(*shape, **values) -> QuerySet:
        return build(*shape, **values).values(*fields)

    return values_of


def _replay(kept: _Compiled, values: dict, start: int, stop: int | None, using: str) -> list:
    connection = connections[using]
    if stop is not None and stop <= start:
        return []
    executed = _prepared(kept, connection, values, start, stop)
    if executed is not None:
        sql, params = executed
    else:
        params = tuple(values[slot[1]] if slot[0] == "value" else slot[1] for slot in kept.slots)
        sql = kept.sql
        if start or stop is not None:
            sql = f"{sql} {connection.ops.limit_offset_sql(start, stop)}"

    compiler = _shallow(kept.compiler)
    compiler.connection = connection  # a thread's own connection, not the compiling thread's
    compiler.as_sql = lambda *args, **kwargs: (sql, params)
    query = _shallow(kept.queryset.query)
    query.get_compiler = lambda *args, **kwargs: compiler
    queryset = _shallow(kept.queryset)
    queryset.query = query
    queryset._result_cache = None
    return list(queryset)


# Per raw Postgres connection, the statements prepared on it (a new connection has none).
_prepared_on: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _prepared(kept: _Compiled, connection, values: dict, start: int, stop: int | None):
    """(``EXECUTE name(...)``, its parameters) for the kept shape on this connection, preparing
    it first if this connection has not; None to run the plain SQL."""
    import hashlib

    if kept.statement is None:
        return None
    text = kept.statement
    params = [values[name] for name in kept.names]
    if stop is not None:
        # written in: a generic plan that knows the page's 20 rows (with LIMIT $n Postgres
        # plans for a tenth of the table and keeps planning the done tab every time); only a
        # last page's count makes another statement
        text += f" LIMIT {int(stop - start)}"
    if start:
        params.append(start)
        text += f" OFFSET ${len(params)}"
    name = "hall_" + hashlib.sha1(text.encode()).hexdigest()[:24]
    connection.ensure_connection()
    raw = connection.connection
    with _lock:
        done = _prepared_on.setdefault(raw, set())
    if name not in done:
        if not _prepare(raw, name, text):
            kept.statement = None  # this shape runs unprepared from now on
            return None
        done.add(name)
    return f"EXECUTE {name}({', '.join(['%s'] * len(params))})", tuple(params)


def _prepare(raw, name: str, text: str) -> bool:
    """PREPAREs ``text`` on the raw connection (not counted as one of the page's queries); in a
    transaction, behind a savepoint, so that a failure leaves the transaction as it was."""
    import psycopg2.extensions

    in_transaction = raw.get_transaction_status() != psycopg2.extensions.TRANSACTION_STATUS_IDLE
    with raw.cursor() as cursor:
        try:
            if in_transaction:
                cursor.execute("SAVEPOINT hall_prepare")
            cursor.execute(f"PREPARE {name} AS {text}")
            if in_transaction:
                cursor.execute("RELEASE SAVEPOINT hall_prepare")
        except psycopg2.Error as exc:
            if in_transaction:
                cursor.execute("ROLLBACK TO SAVEPOINT hall_prepare")
            else:
                raw.rollback()  # a transaction psycopg2 began for the PREPARE alone
            if exc.pgcode == "42P05":  # already prepared on this connection
                return True
            logger.warning("statement %s not prepared: %s", name, exc)
            return False
    return True


def _shallow(obj):
    """A copy of ``obj`` sharing its attributes' values (``copy.copy`` of a QuerySet would run
    it: its ``__getstate__`` fetches the rows)."""
    twin = object.__new__(type(obj))
    twin.__dict__ = obj.__dict__.copy()
    return twin


def forget() -> None:
    """Forgets every compiled shape (tests that change what a shape compiles to)."""
    with _lock:
        _kept.clear()

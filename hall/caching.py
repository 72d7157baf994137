"""Reading through the cache: what changes rarely is read once and kept under a version (bumped
when it changes) or a period of the clock in its key. The cache is only a shortcut: when it is
away or fails, the database answers (README "A fast list page")."""

import contextlib
import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")
logger = logging.getLogger("hall.cache")


def version(key: str) -> str:
    """The current version stored under ``key``, made on first use; "" without a cache."""
    try:
        found = cache.get(key)
        if found is None:
            cache.add(key, uuid.uuid4().hex, None)
            found = cache.get(key)
    except Exception:  # noqa: BLE001 - the cache is a shortcut
        return ""
    return found or ""


def new_version(key: str) -> None:
    """A new version under ``key``: what was kept under the old one is never read again."""
    with contextlib.suppress(Exception):
        cache.set(key, uuid.uuid4().hex, None)


# Values also kept in this process (``read_through(version=...)``), newest last: only for keys
# whose value never changes (a version or a period of the clock in the key), which every page
# otherwise fetched and unpickled again from Redis (three GETs of the catalogue's search page,
# a fifth of its CPU). The values are shared by the requests of the process: read-only.
HERE_SIZE = 256
_here: "OrderedDict[str, tuple[float, object]]" = OrderedDict()
_here_lock = threading.Lock()


def read_through(key: str, read: Callable[[], T], ttl: int, *, version: str = "") -> T:
    """``read()``'s value, kept under ``key`` for ``ttl`` seconds; a None is not kept (it reads
    as a miss). Without a cache, ``read()`` every time. ``version``: the version (of
    :func:`version`) that ``key`` holds, so the key names its value for good; the process keeps
    what it read for ``ttl`` seconds as well. Empty (no cache to keep a version): not kept."""
    here = bool(version)
    if here:
        with _here_lock:
            kept = _here.get(key)
            if kept is not None and kept[0] > time.time():
                _here.move_to_end(key)
                return kept[1]
    try:
        found = cache.get(key)
    except Exception:  # noqa: BLE001 - the cache is a shortcut: without it, read
        return read()
    if found is None:
        found = read()
        if found is not None:
            with contextlib.suppress(Exception):
                cache.set(key, found, ttl)
    if here and found is not None:
        with _here_lock:
            _here[key] = (time.time() + ttl, found)
            _here.move_to_end(key)
            while len(_here) > HERE_SIZE:
                _here.popitem(last=False)
    return found


def forget_here() -> None:
    """Forgets what this process kept (tests that clear the cache)."""
    with _here_lock:
        _here.clear()


def drop(keys: list[str]) -> None:
    """Deletes what is kept under ``keys``: at once, and again after the transaction commits (a
    page that read the old rows meanwhile may have kept the old value). A cache that is away
    keeps it until its TTL ends (logged)."""

    def delete() -> None:
        try:
            cache.delete_many(keys)
        except Exception:  # noqa: BLE001 - Redis away: the TTL ends the stale value
            logger.warning("cache unavailable: %s not dropped", keys)

    delete()
    transaction.on_commit(delete)

"""Reading through the cache: what changes rarely is read once and kept under a version (bumped
when it changes) or a period of the clock in its key. The cache is only a shortcut: when it is
away or fails, the database answers (README "A fast list page")."""

import contextlib
import logging
import uuid
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


def read_through(key: str, read: Callable[[], T], ttl: int) -> T:
    """``read()``'s value, kept under ``key`` for ``ttl`` seconds; a None is not kept (it reads
    as a miss). Without a cache, ``read()`` every time."""
    try:
        found = cache.get(key)
    except Exception:  # noqa: BLE001 - the cache is a shortcut: without it, read
        return read()
    if found is None:
        found = read()
        if found is not None:
            with contextlib.suppress(Exception):
                cache.set(key, found, ttl)
    return found


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

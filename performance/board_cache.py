"""What the supervision board would otherwise recompute on every request over 100k items.

- The counts (by status and light, and the paginator's total for the filters) are cached under a
  version key that every write to an item (or to its co-units) bumps: at once, and again when the
  transaction commits, so a reader that counted before the commit cannot keep its stale figure.
  The lights move with the clock, so the key also carries the minute: a cached light count is at
  most a minute old.
- The unit and leader filters' <option>s (515 of them in the benchmark) are rendered once per
  language and cached; the page only marks the chosen one. Departments and the leader role bump
  their own version; a renamed leader shows within the TTL.
"""

import hashlib
from collections.abc import Callable
from datetime import datetime

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

TTL = 300
ITEMS = "performance:board:items"
OPTIONS = "performance:board:options"


def _version(key: str) -> int:
    found = cache.get(key)
    if found is None:
        cache.add(key, 1, None)
        found = cache.get(key) or 1
    return found


def _bump_now(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:
        cache.add(key, 1, None)


def bump(key: str = ITEMS) -> None:
    _bump_now(key)
    transaction.on_commit(lambda: _bump_now(key))


def counted(scope: str, parts: tuple, now: datetime, compute: Callable[[], object]):
    """``compute()`` once per item version, scope (who sees what), filters and minute."""
    minute = int(now.timestamp() // 60)
    filters = hashlib.sha1(repr(parts).encode(), usedforsecurity=False).hexdigest()[:16]
    key = f"{ITEMS}:{_version(ITEMS)}:{scope}:{minute}:{filters}"
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, TTL)
    return found


def options(name: str, language: str, rows: Callable[[], list[tuple[int, str]]]) -> str:
    """The <option>s of a filter (after its empty one), rendered once and cached."""
    key = f"{OPTIONS}:{_version(OPTIONS)}:{name}:{language}"
    found = cache.get(key)
    if found is None:
        found = str(format_html_join("", '<option value="{}">{}</option>', rows()))
        cache.set(key, found, TTL)
    return found


def select(name: str, label_id: str, empty: str, html: str, chosen: int | None) -> SafeString:
    """A <select> from cached options, the chosen one marked (a plain string replace)."""
    if chosen is not None:
        html = html.replace(f'<option value="{chosen}">', f'<option value="{chosen}" selected>', 1)
    return format_html(
        '<select name="{}" id="{}"><option value="">{}</option>{}</select>',
        name,
        label_id,
        empty,
        mark_safe(html),  # noqa: S308 — built by format_html_join above from escaped values
    )


def connect() -> None:
    """Called from PerformanceConfig.ready(): the writes that change what the board shows."""
    from hall.models import Department, Role
    from performance.models import Item

    def items_changed(**kwargs) -> None:
        bump(ITEMS)

    def options_changed(**kwargs) -> None:
        bump(OPTIONS)

    post_save.connect(
        items_changed, sender=Item, weak=False, dispatch_uid="performance-board-items-save"
    )
    post_delete.connect(
        items_changed, sender=Item, weak=False, dispatch_uid="performance-board-items-del"
    )
    m2m_changed.connect(
        items_changed,
        sender=Item.co_units.through,
        weak=False,
        dispatch_uid="performance-board-co-units",
    )
    for sender, uid in ((Department, "dept"), (Role, "role")):
        post_save.connect(
            options_changed, sender=sender, weak=False, dispatch_uid=f"performance-opt-{uid}"
        )
        post_delete.connect(
            options_changed, sender=sender, weak=False, dispatch_uid=f"performance-opd-{uid}"
        )
    m2m_changed.connect(
        options_changed,
        sender=Role.holders.through,
        weak=False,
        dispatch_uid="performance-opt-holders",
    )

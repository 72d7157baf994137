"""Messages: one notification per event and recipient, then an outbox of deliveries.

The notification and its delivery rows are written in the caller's transaction, so an event
and its messages commit together or not at all. Sending happens after commit in Celery; a
broker or mail server that is down only delays the outbox (``deliveries_sweep`` picks up what
is still waiting), and a delivery is sent at most once because it is locked while sent and
marked sent in the same transaction.
"""

import contextlib
import json
import logging
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from hall import caching, wecom
from hall.models import Delivery, Notification, User

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 8

# Marked here, translated when a message is shown or sent, in its reader's language.
TITLES = {
    Notification.Kind.TASK_ARRIVED: gettext_noop("New task: %(subject)s"),
    Notification.Kind.RETURNED: gettext_noop("Returned for revision: %(subject)s"),
    Notification.Kind.FINISHED: gettext_noop("Finished: %(subject)s"),
    Notification.Kind.APPROVED: gettext_noop("Approved: %(subject)s"),
    Notification.Kind.REJECTED: gettext_noop("Rejected: %(subject)s"),
    Notification.Kind.WITHDRAWN: gettext_noop("Withdrawn by the applicant: %(subject)s"),
    Notification.Kind.REMINDER: gettext_noop("Deadline approaching: %(subject)s"),
    Notification.Kind.URGENT: gettext_noop("Urgent, still waiting: %(subject)s"),
    Notification.Kind.OVERDUE: gettext_noop("Overdue: %(subject)s"),
    Notification.Kind.ESCALATION: gettext_noop("Escalated to you: %(subject)s"),
    Notification.Kind.NUDGE: gettext_noop("The applicant asks about: %(subject)s"),
    Notification.Kind.COMMENT: gettext_noop("New comment: %(subject)s"),
    Notification.Kind.CC: gettext_noop("Copied to you: %(subject)s"),
    Notification.Kind.ARCHIVES: gettext_noop("Archives: %(subject)s"),
}


def title_of(notification: Notification) -> str:
    # The back offices' own kinds (an incident, a booking, a case) carry their title in the
    # subject itself.
    template = TITLES.get(notification.kind)
    if template is None:
        return notification.localized_subject
    return _(template) % {"subject": notification.localized_subject}


def absolute(url: str) -> str:
    return settings.HALL_BASE_URL.rstrip("/") + url


def notify(
    *,
    recipients: Iterable[User | int],
    kind: str,
    subject: str,
    url: str,
    subject_en: str = "",
    body: str = "",
    every_channel: bool = False,
) -> list[Notification]:
    """Writes one notification per recipient and its deliveries; sends after commit.

    ``every_channel`` (an emergency) reaches each person on every channel the hall has and they
    can be reached on, whatever they chose in their preferences."""
    return notify_many(
        [
            Message(
                recipients=recipients,
                kind=kind,
                subject=subject,
                url=url,
                subject_en=subject_en,
                body=body,
                every_channel=every_channel,
            )
        ]
    )


@dataclass
class Message:
    """One event for ``notify_many``: what ``notify()`` takes."""

    recipients: Iterable[User | int]
    kind: str
    subject: str
    url: str
    subject_en: str = ""
    body: str = ""
    every_channel: bool = False


def notify_many(messages: list[Message]) -> list[Notification]:
    """``notify()`` for many events at once (a reminder tick's batch): the recipients read in
    one query, the notifications and their deliveries written in one insert each, each
    person's unread count dropped once; sent after commit, as ``notify()``."""
    # People passed in hand (an approval's applicant, the next step's approvers) are not read
    # again; ids are, all in one query. Each person once, only the active ones.
    given: dict[int, User | None] = {}
    wanted: list[set[int]] = []
    for m in messages:
        ids = set()
        for r in m.recipients:
            if isinstance(r, User):
                given[r.pk] = r
                ids.add(r.pk)
            else:
                given.setdefault(r, None)
                ids.add(r)
        wanted.append(ids)
    unread = [pk for pk, user in given.items() if user is None]
    if unread:
        given.update({u.pk: u for u in User.objects.filter(pk__in=unread)})
    users = {pk: u for pk, u in given.items() if u is not None and u.is_active}
    made: list[Notification] = []
    channels: list[list[str]] = []
    wecom_on = wecom.enabled()
    webhook_on = bool(settings.HALL_WEBHOOK_URL)
    for message, ids in zip(messages, wanted, strict=True):
        for user in sorted((users[pk] for pk in ids if pk in users), key=lambda u: u.pk):
            made.append(
                Notification(
                    recipient=user,
                    kind=message.kind,
                    subject=message.subject[:300],
                    subject_en=message.subject_en[:300],
                    url=message.url,
                    body=message.body,
                )
            )
            every = message.every_channel
            channels.append(
                [
                    channel
                    for channel, on in (
                        ("email", (every or user.notify_by_email) and user.email),
                        ("webhook", (every or user.notify_by_webhook) and webhook_on),
                        (
                            "wecom",
                            wecom_on and (every or user.notify_by_wecom) and user.wecom_user_id,
                        ),
                    )
                    if on
                ]
            )
    if not made:
        return made
    Notification.objects.bulk_create(made)
    deliveries = [
        Delivery(notification=n, channel=c, key=f"{n.pk}:{c}")
        for n, names in zip(made, channels, strict=True)
        for c in names
    ]
    Delivery.objects.bulk_create(deliveries)
    unread_changed_many(sorted({n.recipient_id for n in made}))
    keys = [d.key for d in deliveries]
    if keys:
        transaction.on_commit(lambda: enqueue(keys))
    return made


def enqueue(keys: list[str]) -> None:
    from hall import tasks

    for key in keys:
        try:
            tasks.send_delivery.delay(key)
        except Exception:  # noqa: BLE001 - a broker outage must not fail the request
            logger.warning("broker unavailable; delivery %s waits for the sweep", key)


def _send_email(notification: Notification) -> None:
    recipient = notification.recipient
    context = {
        "n": notification,
        "title": title_of(notification),
        "link": absolute(notification.get_absolute_url()),
    }
    text = render_to_string("hall/email/notification.txt", context)
    html = render_to_string("hall/email/notification.html", context)
    message = EmailMultiAlternatives(
        subject=context["title"],
        body=text,
        to=[recipient.email],
        headers={"Message-ID": f"<delivery-{notification.pk}@{settings.HALL_MAIL_DOMAIN}>"},
    )
    message.attach_alternative(html, "text/html")
    message.send()


def _send_webhook(notification: Notification, key: str) -> None:
    payload = {
        "msgtype": "textcard",
        "textcard": {
            "title": title_of(notification),
            "description": notification.localized_body or notification.localized_subject,
            "url": absolute(notification.get_absolute_url()),
            "btntxt": _("Open"),
        },
        "touser": notification.recipient.number or notification.recipient.username,
    }
    request = urllib.request.Request(
        settings.HALL_WEBHOOK_URL,
        data=json.dumps(payload, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json", "X-Hall-Delivery": key},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=settings.HALL_WEBHOOK_TIMEOUT) as response:
        if response.status >= 300:
            raise RuntimeError(f"webhook answered {response.status}")


def _send_wecom(notification: Notification) -> None:
    # The card's link is the message's own; opened inside the WeCom client, the login page
    # sends a person who is not signed in through WeCom's OAuth2 and back to it.
    wecom.textcard_send(
        to=notification.recipient.wecom_user_id,
        title=title_of(notification),
        description=notification.localized_body or notification.localized_subject,
        url=absolute(notification.get_absolute_url()),
        button=_("Open"),
    )


def delivery_send(*, key: str) -> str:
    """Sends one delivery unless it was sent already; safe to run twice or concurrently."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update()
            .select_related("notification__recipient")
            .filter(key=key)
            .first()
        )
        if delivery is None or delivery.status != Delivery.Status.PENDING:
            return "skipped"
        notification = delivery.notification
        try:
            with translation.override(notification.recipient.language):
                if delivery.channel == Delivery.Channel.EMAIL:
                    _send_email(notification)
                elif delivery.channel == Delivery.Channel.WECOM:
                    _send_wecom(notification)
                else:
                    _send_webhook(notification, key)
        except Exception as exc:  # noqa: BLE001 - any failure is retried by the sweep
            delivery.attempts += 1
            delivery.last_error = f"{exc.__class__.__name__}: {exc}"[:1000]
            # The WeCom API down, busy or rate-limiting is waited out (the sweep retries each
            # minute) for HALL_WECOM_RETRY_HOURS; a refusal (an unknown user) counts as usual.
            waiting = isinstance(exc, wecom.Transient) and timezone.now() - delivery.created_at < (
                timedelta(hours=settings.HALL_WECOM_RETRY_HOURS)
            )
            if delivery.attempts >= MAX_ATTEMPTS and not waiting:
                delivery.status = Delivery.Status.FAILED
            delivery.save(update_fields=["attempts", "last_error", "status"])
            return "failed"
        delivery.attempts += 1
        delivery.status, delivery.sent_at = Delivery.Status.SENT, timezone.now()
        delivery.save(update_fields=["attempts", "status", "sent_at"])
        return "sent"


def deliveries_sweep(*, older_than: timedelta | None = None) -> int:
    """Sends what is still waiting (after a broker or mail outage); returns how many tried.

    Rows younger than the grace period are left to the task enqueued at their commit."""
    if older_than is None:
        older_than = timedelta(seconds=settings.HALL_OUTBOX_GRACE_SECONDS)
    cutoff = timezone.now() - older_than
    keys = list(
        Delivery.objects.filter(status=Delivery.Status.PENDING, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("key", flat=True)[:500]
    )
    for key in keys:
        delivery_send(key=key)
    return len(keys)


# The bell's count, cached per person: every page shows it, few change it. Dropped when a message
# arrives or is read: at once, and again after commit (a page that counts before the commit sees
# the old rows and caches the old figure, which the second drop removes); the TTL bounds what a
# missed drop (Redis away) costs.
UNREAD_TTL = 300


def _unread_key(user_id: int) -> str:
    return f"hall:unread:{user_id}"


def unread_count(user: User) -> int:
    key = _unread_key(user.pk)
    try:
        count = cache.get(key)
    except Exception:  # noqa: BLE001 - the cache is a shortcut: without it, count
        logger.warning("cache unavailable: unread count read from the database")
        count = None
    if count is None:
        count = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
        with contextlib.suppress(Exception):
            cache.set(key, count, UNREAD_TTL)
    return count


def unread_changed(user_id: int) -> None:
    """Drops the person's cached unread count (when a message arrives or is read)."""
    unread_changed_many([user_id])


def unread_changed_many(user_ids: list[int]) -> None:
    """Drops these people's cached unread counts at once, and again after commit."""
    caching.drop([_unread_key(pk) for pk in user_ids])


def notifications_for(user: User):
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def notification_open(*, user: User, notification_id: int) -> Notification | None:
    notification = Notification.objects.filter(pk=notification_id, recipient=user).first()
    if notification and notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        unread_changed(user.pk)
    return notification


def notifications_mark_read(*, user: User, ids: list[int] | None = None) -> int:
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    marked = unread.update(read_at=timezone.now())
    if marked:
        unread_changed(user.pk)
    return marked

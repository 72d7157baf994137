"""The watch's writes and reads beyond the roster: swaps (换班) through the catalogue chain,
the handover log (交接班) that the next shift acknowledges, missed handovers, each person's duty
calendar and who is on duty now for the home page.

A swap is asked by the person of one shift for another person's shift of the same post; the
chain ``reception-duty-swap`` asks the colleague to agree and then the roster's owner (the
schedule office) to approve; the two shifts change hands only on approval, under their row locks,
and only if both still belong to the same people and lie ahead.
"""

import uuid
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from hall.models import Department, Role, Service, ServiceField, ServiceStep, User
from hall.notifications import notify
from reception.duty import roster_changed
from reception.models import DutyFeed, DutyShift, DutySwap, Handover
from reception.schedules import OFFICE_ROLE, ScheduleError, is_office
from workflows import handoffs
from workflows.models import ServiceRequest
from workflows.reminders import once

SWAP_SERVICE = "reception-duty-swap"
SWAP_FIELDS = [
    ("swap", "换班编号", "Swap", ServiceField.Type.TEXT),
    ("given", "让出的班次", "Shift given", ServiceField.Type.TEXT),
    ("taken", "换来的班次", "Shift taken", ServiceField.Type.TEXT),
    ("partner", "换班人", "Swap with", ServiceField.Type.TEXT),
    ("reason", "理由", "Reason", ServiceField.Type.LONG_TEXT),
]
# A handover may be written from the shift's start until this long after its end.
WRITE_GRACE = timedelta(hours=12)
# A shift that ended this long ago with no handover is a missed handover.
MISSED_AFTER = timedelta(hours=2)
Status = DutySwap.Status


class DutyError(ScheduleError):
    """A refusal of the watch's services, with its message in the reader's language."""


def _name(user: User) -> str:
    return user.full_name or user.username


def _label(shift: DutyShift) -> str:
    local = timezone.localtime(shift.starts_at)
    return f"{shift.day:%Y-%m-%d} {local:%H:%M} {shift.get_post_display()}"


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- swaps through the catalogue chain ---------------------------------------------------------


def swap_service() -> Service:
    """The internal service, made on first use: the colleague agrees (the form's ``partner``),
    then any holder of the schedule office's role approves. Admins change it in admin."""
    service = Service.objects.filter(code=SWAP_SERVICE).first()
    if service is not None:
        return service
    role = Role.objects.filter(code=OFFICE_ROLE).select_related("department").first()
    if role is None:
        raise DutyError(_("Nobody keeps the duty roster yet: ask the office."))
    department = role.department or Department.objects.order_by("pk").first()
    service = handoffs.internal_service(SWAP_SERVICE, department=department)
    first, second = list(ServiceStep.objects.filter(service=service).order_by("order", "pk"))
    ServiceStep.objects.filter(pk=first.pk).update(
        rule=ServiceStep.Rule.FORM_FIELD, field_key="partner"
    )
    ServiceStep.objects.filter(pk=second.pk).update(
        rule=ServiceStep.Rule.DEPARTMENT_ROLE,
        department=department,
        role_code=OFFICE_ROLE,
        mode=ServiceStep.Mode.ANY,
    )
    return service


def _swap_form(swap: DutySwap) -> dict:
    return {
        "swap": str(swap.pk),
        "given": _label(swap.shift),
        "taken": _label(swap.other_shift),
        "partner": str(swap.partner_id),
        "reason": swap.reason,
    }


def swap_form_data(user: User, post: dict) -> dict:
    swap = (
        DutySwap.objects.select_related("shift", "other_shift")
        .filter(pk=_int(post.get("swap")), asked_by=user, status=Status.PENDING)
        .first()
    )
    if swap is None:
        raise handoffs.HandoffError(_("No such swap."))
    return _swap_form(swap)


def _check_swappable(shift: DutyShift, other: DutyShift, user: User, now: datetime) -> None:
    if shift.person_id != user.pk:
        raise DutyError(_("You can only give away a shift of your own."))
    if other.person_id == user.pk:
        raise DutyError(_("Choose a colleague's shift to take."))
    if shift.post != other.post:
        raise DutyError(_("A shift can only be swapped for one of the same post."))
    if shift.starts_at <= now or other.starts_at <= now:
        raise DutyError(_("Only shifts that have not started can be swapped."))


@transaction.atomic
def swap_request(*, user: User, shift_id: int, other_shift_id: int, reason: str) -> DutySwap:
    """Asks to trade ``shift`` (the user's) for ``other_shift``; starts the chain."""
    reason = (reason or "").strip()
    if not reason:
        raise DutyError(_("Say why you ask for the swap."))
    shifts = {
        s.pk: s
        for s in DutyShift.objects.select_for_update()
        .select_related("person")
        .filter(pk__in=[shift_id, other_shift_id])
    }
    shift, other = shifts.get(shift_id), shifts.get(other_shift_id)
    if shift is None or other is None or shift_id == other_shift_id:
        raise DutyError(_("No such shift."))
    _check_swappable(shift, other, user, timezone.now())
    busy = DutySwap.objects.filter(status=Status.PENDING).filter(
        Q(shift__in=[shift, other]) | Q(other_shift__in=[shift, other])
    )
    if busy.exists():
        raise DutyError(_("One of these shifts is already waiting for a swap."))
    swap = DutySwap.objects.create(
        shift=shift, other_shift=other, asked_by=user, partner=other.person, reason=reason[:300]
    )
    handoffs.start_chain(
        service=swap_service,
        applicant=user,
        form_data=lambda: _swap_form(swap),
        refusal=DutyError,
    )
    swap.refresh_from_db()
    return swap


def _swap_of(request: ServiceRequest) -> DutySwap | None:
    return (
        DutySwap.objects.select_for_update().filter(pk=_int(request.form_data.get("swap"))).first()
    )


def chain_submitted(request: ServiceRequest) -> None:
    swap = _swap_of(request)
    if swap is None or swap.asked_by_id != request.applicant_id:
        raise DutyError(_("No such swap."))
    if swap.status != Status.PENDING or swap.request_id not in (None, request.pk):
        raise DutyError(_("This swap is already waiting for approval."))
    swap.request = request
    swap.save(update_fields=["request"])


def chain_approved(request: ServiceRequest) -> None:
    """Trades the two shifts' people, once, if both still belong to them and lie ahead."""
    swap = _swap_of(request)
    if swap is None or swap.status != Status.PENDING:
        return
    locked = {
        s.pk: s
        for s in DutyShift.objects.select_for_update().filter(
            pk__in=[swap.shift_id, swap.other_shift_id]
        )
    }
    shift, other = locked.get(swap.shift_id), locked.get(swap.other_shift_id)
    if shift is None or other is None:
        raise DutyError(_("The roster has changed since the swap was asked: ask again."))
    if shift.person_id != swap.asked_by_id or other.person_id != swap.partner_id:
        raise DutyError(_("The roster has changed since the swap was asked: ask again."))
    if shift.starts_at <= timezone.now() or other.starts_at <= timezone.now():
        raise DutyError(_("Only shifts that have not started can be swapped."))
    shift.person_id, other.person_id = other.person_id, shift.person_id
    DutyShift.objects.bulk_update([shift, other], ["person"])
    swap.status = Status.APPROVED
    swap.decided_at = timezone.now()
    swap.save(update_fields=["status", "decided_at"])
    roster_changed()
    notify(
        recipients=[swap.asked_by_id, swap.partner_id],
        kind="duty",
        subject=f"换班已批准：{_label(shift)} ⇄ {_label(other)}",
        subject_en=f"Duty swap approved: {shift.day} ⇄ {other.day}",
        url="/reception/duty/mine/",
    )


def chain_ended(request: ServiceRequest, rejected: bool) -> None:
    DutySwap.objects.filter(request=request, status=Status.PENDING).update(
        status=Status.REFUSED if rejected else Status.WITHDRAWN, decided_at=timezone.now()
    )


SWAP_HANDOFF = handoffs.Handoff(
    submitted=chain_submitted,
    approved=chain_approved,
    ended=chain_ended,
    required_fields=("swap", "partner"),
    refusals=(DutyError,),
    form_data=swap_form_data,
    default_service={
        "name_zh": "值班换班审批",
        "name_en": "Duty swap approval",
        "time_limit_days": 1,
        "fields": SWAP_FIELDS,
        "steps": [
            ("换班人同意", "The colleague agrees", ServiceStep.Rule.APPLICANT_HEAD),
            ("值班室审批", "The duty office approves", ServiceStep.Rule.APPLICANT_HEAD),
        ],
    },
)


def register_all() -> None:
    handoffs.register(SWAP_SERVICE, SWAP_HANDOFF)


# --- the handover log ------------------------------------------------------------------------


def next_shift(shift: DutyShift) -> DutyShift | None:
    """The same post's next shift: the first that starts when or after this one ends."""
    return (
        DutyShift.objects.filter(post=shift.post, starts_at__gte=shift.ends_at)
        .order_by("starts_at")
        .first()
    )


@transaction.atomic
def handover_write(*, user: User, shift_id: int, events: str, pending: str) -> Handover:
    """The shift's person writes (or, until it is acknowledged, rewrites) the handover."""
    shift = DutyShift.objects.select_for_update().filter(pk=shift_id).first()
    if shift is None:
        raise DutyError(_("No such shift."))
    if shift.person_id != user.pk:
        raise DutyError(_("Only the person on this shift writes its handover."))
    now = timezone.now()
    if now < shift.starts_at:
        raise DutyError(_("The shift has not started yet."))
    if now > shift.ends_at + WRITE_GRACE:
        raise DutyError(_("This shift ended too long ago to hand over now."))
    events, pending = (events or "").strip(), (pending or "").strip()
    if not events and not pending:
        raise DutyError(_('Write what happened or what is pending ("nothing" is an answer).'))
    handover = Handover.objects.filter(shift=shift).first()
    if handover is not None and handover.acknowledged_at is not None:
        raise DutyError(_("The next shift has acknowledged this handover; it cannot change."))
    first = handover is None
    if first:
        handover = Handover(shift=shift, written_by=user)
    handover.events, handover.pending = events[:5000], pending[:5000]
    handover.save()
    following = next_shift(shift)
    # The next shift is told once, when the handover is first written, not at every rewrite.
    if first and following is not None and following.person_id != user.pk:
        notify(
            recipients=[following.person_id],
            kind="duty",
            subject=f"交接班记录待确认：{_label(shift)}",
            subject_en=f"A handover waits for you: {shift.day}",
            url="/reception/duty/mine/",
        )
    return handover


@transaction.atomic
def handover_acknowledge(*, user: User, handover_id: int) -> Handover:
    handover = (
        Handover.objects.select_for_update(of=("self",))
        .select_related("shift")
        .filter(pk=handover_id)
        .first()
    )
    if handover is None:
        raise DutyError(_("No such handover."))
    if handover.acknowledged_at is not None:
        raise DutyError(_("This handover is already acknowledged."))
    following = next_shift(handover.shift)
    if following is None or following.person_id != user.pk:
        raise DutyError(_("Only the person on the next shift acknowledges the handover."))
    handover.acknowledged_by = user
    handover.acknowledged_at = timezone.now()
    handover.save(update_fields=["acknowledged_by", "acknowledged_at"])
    return handover


def missed_handovers(*, now: datetime | None = None, days: int = 14) -> list[DutyShift]:
    """Shifts of the last ``days`` that ended ``MISSED_AFTER`` ago with no handover."""
    now = now or timezone.now()
    return list(
        DutyShift.objects.filter(
            ends_at__lte=now - MISSED_AFTER,
            ends_at__gte=now - timedelta(days=days),
            handover__isnull=True,
        )
        .select_related("person")
        .only(
            "id",
            "day",
            "post",
            "starts_at",
            "ends_at",
            "is_rest_day",
            "person__full_name",
            "person__username",
            "person__phone",
        )
        .order_by("-starts_at")
    )


def missed_tick(*, now: datetime | None = None) -> dict[str, int]:
    """The reminder tick's pass: tells the office, once per shift, of a missed handover."""
    now = now or timezone.now()
    missed = [s for s in missed_handovers(now=now, days=2) if once("duty.missed", str(s.pk))]
    if missed:
        office = list(
            Role.objects.filter(code=OFFICE_ROLE, holders__isnull=False).values_list(
                "holders", flat=True
            )
        )
        for shift in missed:
            notify(
                recipients=office,
                kind="duty",
                subject=f"漏交接班：{_label(shift)} {_name(shift.person)}",
                subject_en=f"Missed handover: {shift.day} {_name(shift.person)}",
                url="/reception/duty/",
            )
    return {"missed": len(missed)}


# --- a person's shifts and calendar --------------------------------------------------------------


def my_shifts(user: User, *, now: datetime | None = None, days_back: int = 7, days: int = 60):
    now = now or timezone.now()
    return list(
        DutyShift.objects.filter(
            person=user,
            ends_at__gte=now - timedelta(days=days_back),
            starts_at__lte=now + timedelta(days=days),
        )
        .select_related("handover")
        .order_by("starts_at")
    )


def feed_of(user: User) -> DutyFeed:
    feed, _made = DutyFeed.objects.get_or_create(user=user)
    return feed


def feed_renew(*, user: User) -> DutyFeed:
    """A new address for the person's duty calendar; the old one answers 404 from now on."""
    feed = feed_of(user)
    feed.token = uuid.uuid4()
    feed.save(update_fields=["token"])
    return feed


def feed_shifts(user: User, *, now: datetime | None = None) -> list[DutyShift]:
    now = now or timezone.now()
    return list(
        DutyShift.objects.filter(person=user, starts_at__gte=now - timedelta(days=60)).order_by(
            "starts_at"
        )[:1000]
    )


# --- who is on duty now, for the home page --------------------------------------------------------


def on_duty_cached(*, now: datetime | None = None) -> list[tuple[str, str, str, datetime]]:
    """(post, name, phone, ends) of those on duty at ``now``. Today's and tomorrow's shifts are
    read once and cached under a version that every roster change bumps."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    version = cache.get_or_set("duty-now-version", 1, None)
    key = f"duty-now:{version}:{day.isoformat()}"
    shifts = cache.get(key)
    if shifts is None:
        start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
        shifts = [
            (post, person__full_name or person__username, person__phone or "", s, e)
            for post, person__full_name, person__username, person__phone, s, e in (
                DutyShift.objects.filter(ends_at__gt=start, starts_at__lt=start + timedelta(days=2))
                .order_by("post", "starts_at")
                .values_list(
                    "post",
                    "person__full_name",
                    "person__username",
                    "person__phone",
                    "starts_at",
                    "ends_at",
                )
            )
        ]
        cache.set(key, shifts, 60 * 60 * 24)
    return [(post, name, phone, e) for post, name, phone, s, e in shifts if s <= now < e]


def may_keep_roster(user: User) -> bool:
    return is_office(user)


def home_panel(request) -> str:
    """'On duty now' on a staff member's home page: names and phones, from the cache."""
    from django.urls import reverse
    from django.utils.html import escape, format_html

    from hall.models import Identity

    # Staff only, read off the user already loaded: the home page asks no more of the database.
    user = request.user
    if not user.is_authenticated or user.identity != Identity.STAFF:
        return ""
    posts = dict(DutyShift.Post.choices)
    rows = on_duty_cached()
    items = "".join(
        format_html(
            "<li><strong>{}</strong> {}{}</li>",
            posts.get(post, post),
            name,
            format_html(' · <a href="tel:{}">{}</a>', phone, phone) if phone else "",
        )
        for post, name, phone, _ends in rows
    ) or format_html('<li class="muted">{}</li>', _("Nobody is on the roster now."))
    return format_html(
        '<section class="panel duty-now-panel" aria-labelledby="duty-now-title">'
        '<h2 id="duty-now-title">{}</h2><ul class="fav-list">{}</ul>'
        '<p><a href="{}">{} →</a></p></section>',
        _("On duty now"),
        mark_safe(items),  # noqa: S308 - every part above is escaped by format_html
        reverse("reception:duty"),
        escape(_("The duty roster")),
    )

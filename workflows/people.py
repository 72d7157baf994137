"""Delegation while away, and the applicant's satisfaction rating with the office's follow-up."""

from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hall.models import Role, User
from workflows.models import ApprovalTask, Delegation, Rating, ServiceRequest
from workflows.services import RequestError

LOW_SCORE = 2


def delegate_for(user: User, day: date) -> User | None:
    """Who takes tasks that start for ``user`` on ``day`` (one hop: no chains of delegation)."""
    delegation = (
        Delegation.objects.select_related("delegate")
        .filter(user=user, starts_on__lte=day, ends_on__gte=day, delegate__is_active=True)
        .first()
    )
    return delegation.delegate if delegation else None


def route(user: User) -> tuple[User, User | None]:
    """(who gets the task, on whose behalf) for a task starting now."""
    stand_in = delegate_for(user, timezone.localdate())
    return (stand_in, user) if stand_in else (user, None)


@transaction.atomic
def delegation_set(
    *, user: User, delegate: User, starts_on: date, ends_on: date, note: str = ""
) -> Delegation:
    if delegate.pk == user.pk:
        raise RequestError(_("Choose someone else as your delegate."))
    if not delegate.is_active:
        raise RequestError(_("The delegate's account is not active."))
    if ends_on < starts_on:
        raise RequestError(_("The end date is before the start date."))
    if ends_on < timezone.localdate():
        raise RequestError(_("That period is already over."))
    window = Q(starts_on__lte=ends_on, ends_on__gte=starts_on)
    if Delegation.objects.filter(window, user=user).exists():
        raise RequestError(_("You already have a delegation in that period."))
    if Delegation.objects.filter(window, user=delegate).exists():
        raise RequestError(
            _("%(name)s is away in that period too; delegations do not chain.") % {"name": delegate}
        )
    if Delegation.objects.filter(window, delegate=user).exists():
        raise RequestError(_("You stand in for someone in that period; delegations do not chain."))
    return Delegation.objects.create(
        user=user, delegate=delegate, starts_on=starts_on, ends_on=ends_on, note=note
    )


@transaction.atomic
def delegation_end(*, user: User, delegation_id: int) -> None:
    delegation = Delegation.objects.filter(pk=delegation_id, user=user).first()
    if delegation is None:
        raise RequestError(_("No such delegation."))
    today = timezone.localdate()
    if delegation.starts_on > today:
        delegation.delete()
    else:
        delegation.ends_on = min(delegation.ends_on, today)
        delegation.save(update_fields=["ends_on"])


def done_on_my_behalf(user: User):
    return (
        ApprovalTask.objects.filter(on_behalf_of=user)
        .select_related("request", "request__service", "assignee")
        .order_by("-created_at", "-pk")
    )


@transaction.atomic
def rating_submit(*, request_id: int, user: User, score: int, comment: str = "") -> Rating:
    request = ServiceRequest.objects.select_for_update().get(pk=request_id)
    if request.applicant_id != user.pk:
        raise RequestError(_("Only the applicant can rate a request."))
    if request.status not in (ServiceRequest.Status.APPROVED, ServiceRequest.Status.REJECTED):
        raise RequestError(_("A request can be rated once it is finished."))
    if not 1 <= score <= 5:
        raise RequestError(_("Choose from 1 to 5."))
    if Rating.objects.filter(request=request).exists():
        raise RequestError(_("You have already rated this request."))
    return Rating.objects.create(request=request, score=score, comment=comment.strip()[:2000])


def admin_departments(user: User):
    return Role.objects.filter(holders=user, code="admin").values("department_id")


def low_ratings_for(user: User):
    ratings = Rating.objects.filter(score__lte=LOW_SCORE).select_related(
        "request", "request__service", "request__applicant", "responded_by"
    )
    if not user.is_superuser:
        ratings = ratings.filter(request__service__department__in=admin_departments(user))
    return ratings.order_by("responded_at", "-created_at")


@transaction.atomic
def rating_respond(*, rating_id: int, user: User, response: str) -> Rating:
    rating = low_ratings_for(user).select_for_update(of=("self",)).filter(pk=rating_id).first()
    if rating is None:
        raise RequestError(_("No such rating to follow up."))
    response = response.strip()
    if not response:
        raise RequestError(_("Say what was changed."))
    rating.response = response[:4000]
    rating.responded_by, rating.responded_at = user, timezone.now()
    rating.save(update_fields=["response", "responded_by", "responded_at"])
    return rating

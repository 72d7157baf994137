"""A unit head's own results: once an evaluation is approved, the heads of each unit in it see
their unit's grade, rank and scores (and the marks by indicator) — never another unit's."""

from django.db.models import Count, OuterRef, QuerySet, Subquery

from hall.models import Department, User
from performance.models import Evaluation, EvaluationEntry


def headed_units(user: User) -> QuerySet[Department]:
    if not user.is_authenticated:
        return Department.objects.none()
    return Department.objects.filter(heads=user)


def unit_results(user: User) -> QuerySet[EvaluationEntry]:
    """The approved evaluations' entries of the units the person heads, the latest first, each
    with how many units the evaluation ranked (one query for the page)."""
    units = list(headed_units(user).values_list("pk", flat=True))
    ranked = (
        EvaluationEntry.objects.filter(evaluation_id=OuterRef("evaluation_id"))
        .order_by()
        .values("evaluation_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        EvaluationEntry.objects.filter(
            unit_id__in=units, evaluation__status=Evaluation.Status.APPROVED
        )
        .select_related("evaluation", "unit")
        .annotate(ranked=Subquery(ranked))
        .order_by("-evaluation__year", "-evaluation__period", "unit__order", "unit__code", "pk")
    )


def unit_result_for(user: User, entry_id: int) -> EvaluationEntry | None:
    return unit_results(user).select_related("plan").filter(pk=entry_id).first()

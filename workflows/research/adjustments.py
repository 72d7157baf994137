"""Budget adjustments: an amount moved from one category of a project to another, under the
rules the office sets in admin (``AdjustmentRule``).

At submission the rules are checked (a refusal changes nothing), the decrease is frozen on its
line like a claim, and the request is told whether the research office's step applies
(``research_review`` in its form data, which that step's condition reads). The final approval
moves the amount once, both lines locked in id order; a rejection or withdrawal gives the frozen
amount back.
"""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from workflows.models import ServiceRequest
from workflows.research import services
from workflows.research.models import AdjustmentRule, BudgetLine, Freeze, Project
from workflows.research.services import FundsError

REVIEW_FIELD = "research_review"
HUNDRED = Decimal(100)


def increase_percent(*, amount: Decimal, budget: Decimal) -> Decimal | None:
    """The increase as a percentage of the category's budget (None: it had no budget)."""
    if budget <= 0:
        return None
    return amount * HUNDRED / budget


def check_adjustment(
    *, request: ServiceRequest, project_number: str, from_category: str, to_category: str, amount
) -> bool:
    """Refuses an adjustment the rules do not allow; says whether the research office's step
    is needed (the increase is above the rule's percentage of the category's budget)."""
    money = services.amount_of(amount)
    if money is None:
        raise FundsError(_("The amount must be more than zero."))
    project = Project.objects.filter(number=project_number.strip()).first()
    if project is None:
        raise FundsError(
            _("No research project has the number %(number)s.") % {"number": project_number}
        )
    if project.pi_id != request.applicant_id:
        raise FundsError(
            _("Only the principal investigator of %(number)s may adjust its budget.")
            % {"number": project.number}
        )
    if from_category == to_category:
        raise FundsError(_("An adjustment moves money between two different categories."))
    target = BudgetLine.objects.filter(project=project, category=to_category).first()
    if target is None:
        raise FundsError(
            _("The project %(number)s has no budget for this category.")
            % {"number": project.number}
        )
    rule = AdjustmentRule.objects.filter(category=to_category).first()
    if rule is None:
        return False
    if not rule.may_increase:
        raise FundsError(
            _("The rules do not allow an increase of %(category)s.")
            % {"category": target.get_category_display()}
        )
    if rule.review_above_percent is None:
        return False
    percent = increase_percent(amount=money, budget=target.budget)
    return percent is None or percent > rule.review_above_percent


@transaction.atomic
def adjustment_hold(
    *, request: ServiceRequest, project_number: str, from_category: str, to_category: str, amount
) -> Freeze:
    needs_review = check_adjustment(
        request=request,
        project_number=project_number,
        from_category=from_category,
        to_category=to_category,
        amount=amount,
    )
    freeze = services.freeze_hold(
        request=request, project_number=project_number, category=from_category, amount=amount
    )
    # The chain's condition reads this when the research office's step comes up.
    request.form_data = {**request.form_data, REVIEW_FIELD: "yes" if needs_review else "no"}
    ServiceRequest.objects.filter(pk=request.pk).update(form_data=request.form_data)
    return freeze


@transaction.atomic
def adjustment_settle(*, request: ServiceRequest, to_category: str) -> bool:
    """On final approval, once: the frozen amount leaves its category's budget and is added to
    the other category's budget of the same project."""
    freeze = Freeze.objects.select_for_update().filter(request=request).first()
    if freeze is None or freeze.state != Freeze.State.FROZEN:
        return False
    target = BudgetLine.objects.filter(
        project_id=freeze.line.project_id, category=to_category
    ).first()
    if target is None:
        raise FundsError(_("The project has no budget for this category."))
    locked = {
        line.pk: line
        for line in BudgetLine.objects.select_for_update()
        .select_related("project")
        .filter(pk__in=sorted({freeze.line_id, target.pk}))
        .order_by("pk")
    }
    source, target = locked[freeze.line_id], locked[target.pk]
    source.frozen -= freeze.amount
    source.budget -= freeze.amount
    source.save(update_fields=["frozen", "budget"])
    target.budget += freeze.amount
    target.save(update_fields=["budget"])
    freeze.state = Freeze.State.SPENT
    freeze.save(update_fields=["state", "updated_at"])
    return True

"""A leader's instruction (批示) on an incoming document made a supervision item in one step:
the office opens the instruction's page, finds it filled in from the instruction and its
document (the leader who instructed, the lead unit and co-units the document was assigned to,
the working days left to its due date), and assigns it. Once per instruction: the item's source
is the instruction itself, ``documents.instruction:<pk>`` (as the documents model names it),
with the document's title and a link to the instruction on the document's page."""

from datetime import datetime, time

from django.db import transaction
from django.db.models import CharField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from documents.models import Instruction
from hall.calendar import working_days_between
from hall.models import User
from performance import services
from performance.models import Item, SourceKind
from performance.services import Source, SupervisionError

DEFAULT_DAYS = 10


def source_of(instruction: Instruction) -> Source:
    incoming = instruction.incoming
    leader = instruction.leader.get_full_name() if instruction.leader else ""
    return Source(
        kind=SourceKind.INSTRUCTION,
        ref=instruction.source_ref,
        title=f"{leader}批示：{incoming.title}"[:300],
        url=f"{incoming.get_absolute_url()}#instruction-{instruction.pk}",
    )


def instruction_for_office(user: User, pk: int) -> Instruction | None:
    """The instruction, for the supervision office only (everyone else: None, a 404)."""
    if not services.is_office(user):
        return None
    return (
        Instruction.objects.select_related("incoming", "incoming__lead_unit", "leader")
        .filter(pk=pk)
        .first()
    )


def instructions_for_office(user: User) -> QuerySet[Instruction]:
    """The leaders' instructions, newest first, each with the item made of it (or None): for
    the office only. The item is looked up per row of the page by its indexed source_ref."""
    if not services.is_office(user):
        return Instruction.objects.none()
    ref = Concat(Value("documents.instruction:"), Cast(OuterRef("pk"), CharField()))
    made = Item.objects.filter(source_ref=ref).order_by("pk")
    return (
        Instruction.objects.select_related("incoming", "leader")
        .only(
            "id",
            "text",
            "created_at",
            "incoming__id",
            "incoming__title",
            "incoming__sender",
            "leader__full_name",
            "leader__username",
        )
        .annotate(item_pk=Subquery(made.values("pk")[:1]))
        .order_by("-created_at", "-pk")
    )


def item_of(instruction: Instruction) -> Item | None:
    """The item already made of this instruction, if any."""
    return Item.objects.filter(source_ref=instruction.source_ref).first()


def initial(instruction: Instruction, *, now: datetime | None = None) -> dict:
    """The form's values from the instruction and its document."""
    incoming = instruction.incoming
    now = now or timezone.now()
    days = DEFAULT_DAYS
    if incoming.due_date is not None:
        end = timezone.make_aware(datetime.combine(incoming.due_date, time(18, 0)))
        days = working_days_between(now, end) or DEFAULT_DAYS
    leader = instruction.leader
    return {
        "title": f"落实批示：{incoming.title}"[:200],
        "requirement": instruction.text,
        "leader": leader.pk if leader and leader.roles.filter(code="leader").exists() else None,
        "lead_unit": incoming.lead_unit_id,
        "co_units": list(incoming.co_units.values_list("pk", flat=True)),
        "days": min(days, 250),
    }


@transaction.atomic
def instruction_supervise(
    *, instruction_id: int, user: User, now: datetime | None = None, **assignment
) -> Item:
    """The instruction becomes a supervision item (once: the instruction's row is locked while
    the office looks for an item already made of it). ``assignment``: what
    ``services.item_create`` takes besides the source (``ItemForm.assignment()``); what is to
    be done is the instruction's text unless the office wrote it."""
    if not services.is_office(user):
        raise SupervisionError(_("Only the supervision office assigns items."))
    instruction = (
        Instruction.objects.select_for_update(of=("self",))
        .select_related("incoming", "leader")
        .filter(pk=instruction_id)
        .first()
    )
    if instruction is None:
        raise SupervisionError(_("No such instruction."))
    if item_of(instruction) is not None:
        raise SupervisionError(_("This instruction is already supervised."))
    requirement = (assignment.pop("requirement", "") or "").strip() or instruction.text
    return services.item_create(
        user=user,
        source=source_of(instruction),
        requirement=requirement,
        now=now,
        **assignment,
    )

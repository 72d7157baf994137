"""The office's page that makes a leader's instruction (批示) a supervision item in one step."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from hall.lists import CappedPaginator, table_page
from performance import instructions, services
from performance.forms import ItemForm
from performance.services import SupervisionError


class InstructionItemForm(ItemForm):
    """The item's form without its source: the instruction is the source."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("source_kind", "source_ref", "source_title", "source_url"):
            del self.fields[name]


PAGE_SIZE = 50


@login_required
def instruction_list(request: HttpRequest) -> HttpResponse:
    """The leaders' instructions on incoming documents, for the office to supervise."""
    if not services.is_office(request.user):
        raise Http404(_("No such page."))
    prefix = reverse("performance:instructions")
    items = reverse("performance:board")

    def row(i) -> tuple:
        return (
            f"{prefix}{i.pk}/supervise/",
            i.incoming.title,
            i.incoming.sender,
            i.leader.get_full_name() if i.leader else "—",
            i.created_at,
            i.text,
            f"{items}{i.item_pk}/" if i.item_pk else "",
        )

    return table_page(
        request,
        "performance/instructions.html",
        instructions.instructions_for_office(request.user),
        row,
        per_page=PAGE_SIZE,
        paginator=CappedPaginator,
    )


@login_required
def instruction_supervise(request: HttpRequest, pk: int) -> HttpResponse:
    instruction = instructions.instruction_for_office(request.user, pk)
    if instruction is None:
        raise Http404(_("No such instruction."))
    existing = instructions.item_of(instruction)
    form = InstructionItemForm(
        request.POST or None, initial=None if request.POST else instructions.initial(instruction)
    )
    if request.method == "POST" and form.is_valid():
        try:
            item = instructions.instruction_supervise(
                instruction_id=instruction.pk, user=request.user, **form.assignment()
            )
        except SupervisionError as exc:
            messages.error(request, exc.message)
            existing = instructions.item_of(instruction)
        else:
            messages.success(
                request,
                _("The instruction is now a supervision item of %(unit)s.")
                % {"unit": item.lead_unit},
            )
            return redirect(item)
    return render(
        request,
        "performance/instruction_supervise.html",
        {
            "instruction": instruction,
            "incoming": instruction.incoming,
            "source": instructions.source_of(instruction),
            "existing": existing,
            "form": form,
        },
    )

"""The apply form's research fields: the applicant's own projects, and their open pre-borrowed
invoices, as choices (registered into workflows.forms from this app's ready())."""

from decimal import Decimal

from django import forms
from django.db.models import Exists, OuterRef, Q, Sum
from django.utils.translation import gettext as _

from hall.models import ServiceField
from workflows.models import ServiceRequest
from workflows.research.models import BudgetLine, InvoiceClaim, Project

INVOICE_SERVICE = "research-fee-pre-borrowed-invoice"


def project_choices(user) -> list[tuple[str, str]]:
    """The applicant's active projects (PI or member): number, title, PI and the balance left."""
    member = Project.members.through.objects.filter(project_id=OuterRef("pk"), user_id=user.pk)
    projects = list(
        Project.objects.filter(Q(pi=user) | Exists(member), status=Project.Status.ACTIVE)
        .select_related("pi")
        .order_by("number")
    )
    figures = {
        row["project_id"]: row["b"] - row["s"] - row["f"]
        for row in BudgetLine.objects.filter(project__in=projects)
        .values("project_id")
        .annotate(b=Sum("budget"), s=Sum("spent"), f=Sum("frozen"))
    }
    template = _("%(number)s %(title)s · PI %(pi)s · balance %(balance)s")
    return [
        (
            p.number,
            template
            % {
                "number": p.number,
                "title": p.title,
                "pi": p.pi.full_name or p.pi.username,
                "balance": Decimal(figures.get(p.pk, 0)).quantize(Decimal("0.01")),
            },
        )
        for p in projects
    ]


def open_invoices(user):
    """The applicant's approved pre-borrowed invoices that no claim has closed or is settling."""
    settling = InvoiceClaim.objects.filter(invoice_id=OuterRef("pk"))
    return (
        ServiceRequest.objects.filter(
            applicant=user,
            service__code=INVOICE_SERVICE,
            status=ServiceRequest.Status.APPROVED,
        )
        .exclude(Exists(settling))
        .order_by("-finished_at")
    )


def invoice_choices(user) -> list[tuple[str, str]]:
    choices = []
    for invoice in open_invoices(user):
        data = invoice.form_data
        label = f"{invoice.number} · {data.get('project_number', '')} · {data.get('amount', '')}"
        choices.append((str(invoice.pk), label))
    return choices


def project_field(*, spec: ServiceField, user, common: dict) -> forms.Field:
    return forms.ChoiceField(
        choices=[("", "—"), *project_choices(user)],
        **{
            **common,
            "help_text": common["help_text"]
            or _("Your projects in the finance and research systems, with what is left."),
        },
    )


def invoice_field(*, spec: ServiceField, user, common: dict) -> forms.Field:
    return forms.ChoiceField(
        choices=[("", "—"), *invoice_choices(user)],
        **{
            **common,
            "help_text": common["help_text"]
            or _("The project, category and amount are carried over from the invoice."),
        },
    )


def invoice_display(value) -> str:
    """The picked invoice as people know it: its request number, not its id."""
    try:
        pk = int(value)
    except (TypeError, ValueError):
        return str(value)
    invoice = ServiceRequest.objects.filter(pk=pk).only("number").first()
    return invoice.number if invoice else str(value)


def register_all() -> None:
    from workflows.forms import register_field_kind
    from workflows.selectors import register_field_display

    register_field_kind(ServiceField.Type.PROJECT, project_field)
    register_field_kind(ServiceField.Type.INVOICE, invoice_field)
    register_field_display(ServiceField.Type.INVOICE, invoice_display)

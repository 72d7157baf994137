"""Forms that fill themselves: the project picker lists the applicant's own projects with what
is left; the receipt claim picks an open pre-borrowed invoice, carries its data, closes it."""

import uuid
from decimal import Decimal

import pytest

from hall.models import ServiceField
from tests.chains import FINANCE
from tests.research.test_balances import decide, file_claim, travel
from workflows import services as approvals
from workflows.forms import ApplyForm
from workflows.research.models import InvoiceClaim, Project
from workflows.selectors import form_rows

INVOICE = "research-fee-pre-borrowed-invoice"
WITH_INVOICE = "project-claim-with-preborrowed-invoice"


def fields_of(service):
    return list(service.fields.order_by("order", "id"))


@pytest.fixture
def picker_service(make_chain):
    service = make_chain([FINANCE])
    ServiceField.objects.create(
        service=service, order=3, key="project_number", label_zh="项目", field_type="project"
    )
    return service


def test_the_project_picker_lists_only_the_applicants_projects(picker_service, project, people):
    # given
    other = Project.objects.create(
        number="OTHER-1",
        title="别人的项目",
        kind="horizontal",
        pi=people["hank"],
        starts_on=project.starts_on,
        ends_on=project.ends_on,
    )
    # when
    form = ApplyForm(specs=fields_of(picker_service), user=people["alice"])
    # then
    choices = dict(form.fields["project_number"].choices)
    assert set(choices) == {"", "NSFC-7"}
    assert "balance 1500.00" in choices["NSFC-7"] and "张爱丽" in choices["NSFC-7"]
    # and a member sees the project too, an outsider nothing
    other.members.add(people["alice"])
    form = ApplyForm(specs=fields_of(picker_service), user=people["alice"])
    assert set(dict(form.fields["project_number"].choices)) == {"", "NSFC-7", "OTHER-1"}
    form = ApplyForm(specs=fields_of(picker_service), user=people["rita"])
    assert set(dict(form.fields["project_number"].choices)) == {""}


def test_a_typed_project_not_in_the_picker_is_refused(picker_service, project, people):
    form = ApplyForm(
        {"submit_token": uuid.uuid4(), "name": "x", "project_number": "OTHER-1"},
        specs=fields_of(picker_service),
        user=people["alice"],
    )
    assert not form.is_valid() and "project_number" in form.errors


def test_a_submitted_claim_gets_the_projects_title_filled_in(make_chain, project, people):
    service = make_chain([FINANCE], code="vertical-project-receipt-claim")
    ServiceField.objects.create(
        service=service, order=3, key="project_number", label_zh="项目", field_type="project"
    )
    ServiceField.objects.create(
        service=service, order=4, key="project_name", label_zh="项目名称", field_type="text"
    )
    req = approvals.request_submit(
        service=service,
        applicant=people["alice"],
        form_data={"project_number": "NSFC-7", "project_name": "", "amount": "1"},
        files={},
        urgent=False,
        urgent_reason="",
        submit_token=uuid.uuid4(),
    )
    assert req.form_data["project_name"] == "测试项目"


@pytest.fixture
def invoice_services(make_chain):
    invoice = make_chain([FINANCE], code=INVOICE)
    for order, (key, kind) in enumerate(
        [("project_number", "project"), ("budget_category", "choice")], start=3
    ):
        ServiceField.objects.create(
            service=invoice,
            order=order,
            key=key,
            label_zh=key,
            field_type=kind,
            options=["travel", "equipment"] if kind == "choice" else [],
        )
    claim = make_chain([FINANCE], code=WITH_INVOICE)
    for order, (key, kind) in enumerate(
        [("invoice", "invoice"), ("project_number", "text"), ("budget_category", "text")],
        start=3,
    ):
        ServiceField.objects.create(
            service=claim, order=order, key=key, label_zh=key, field_type=kind, required=False
        )
    return invoice, claim


def claim_with(service, user, invoice_id):
    return approvals.request_submit(
        service=service,
        applicant=user,
        form_data={"name": user.full_name, "invoice": str(invoice_id), "amount": ""},
        files={},
        urgent=False,
        urgent_reason="",
        submit_token=uuid.uuid4(),
    )


def test_the_receipt_claim_picks_up_the_invoice_and_closes_it(invoice_services, project, people):
    invoice_service, claim_service_ = invoice_services
    # given: an approved pre-borrowed invoice of 300 on travel
    invoice = decide(file_claim(invoice_service, people["alice"], "300"), "approve")
    assert travel().spent == Decimal(300)
    form = ApplyForm(specs=fields_of(claim_service_), user=people["alice"])
    assert str(invoice.pk) in dict(form.fields["invoice"].choices)
    # when: the receipt claim picks it
    claim = claim_with(claim_service_, people["alice"], invoice.pk)
    # then: its data is carried over, and nothing is spent twice
    assert dict((label, shown) for label, shown, _files in form_rows(claim))["invoice"] == (
        invoice.number
    )
    assert claim.form_data["project_number"] == "NSFC-7"
    assert claim.form_data["budget_category"] == "travel"
    assert claim.form_data["amount"] == "300"
    assert travel().spent == Decimal(300) and travel().frozen == 0
    # and another claim cannot pick the same invoice meanwhile
    with pytest.raises(approvals.RequestError) as refused:
        claim_with(claim_service_, people["alice"], invoice.pk)
    assert "already settled by another claim" in refused.value.message
    # when approved, the invoice is closed and no longer offered
    decide(claim, "approve")
    assert InvoiceClaim.objects.get(invoice=invoice).closed_at is not None
    form = ApplyForm(specs=fields_of(claim_service_), user=people["alice"])
    assert str(invoice.pk) not in dict(form.fields["invoice"].choices)
    assert travel().spent == Decimal(300)


def test_a_withdrawn_receipt_claim_frees_the_invoice(invoice_services, project, people):
    invoice_service, claim_service_ = invoice_services
    invoice = decide(file_claim(invoice_service, people["alice"], "300"), "approve")
    claim = claim_with(claim_service_, people["alice"], invoice.pk)
    approvals.request_withdraw(request_id=claim.pk, user=people["alice"])
    assert not InvoiceClaim.objects.exists()
    claim_with(claim_service_, people["alice"], invoice.pk)


def test_nobody_picks_someone_elses_invoice(invoice_services, project, people):
    invoice_service, claim_service_ = invoice_services
    project.members.add(people["rita"])
    invoice = decide(file_claim(invoice_service, people["alice"], "300"), "approve")
    with pytest.raises(approvals.RequestError) as refused:
        claim_with(claim_service_, people["rita"], invoice.pk)
    assert "not one of your approved pre-borrowed invoices" in refused.value.message

"""Who may apply: a service's audiences and departments, asked on the guide page, on the apply
page and by the engine on every draft, submission and resubmission."""

import uuid

import pytest
from django.urls import reverse
from django.utils import translation

from hall.models import Department, Identity
from tests.chains import HEAD
from workflows import services
from workflows.models import ApprovalTask, ServiceRequest


@pytest.fixture
def staff_only(make_chain):
    """Going abroad: for faculty and staff only, like the demo's cadre-going-abroad."""
    return make_chain(
        [HEAD], name_zh="因公出国申请", name_en="Going abroad on duty", for_staff=True
    )


def submit_as(service, user, **extra):
    return services.request_submit(
        service=service,
        applicant=user,
        form_data={"name": str(user), "amount": "100"},
        files={},
        urgent=False,
        urgent_reason="",
        submit_token=uuid.uuid4(),
        **extra,
    )


def test_an_undergraduate_cannot_submit_a_staff_only_service_and_nothing_is_saved(
    staff_only, bob, people
):
    # given: bob is an undergraduate; the service is for faculty and staff
    # when / then
    with translation.override("zh-hans"), pytest.raises(services.RequestError) as refused:
        submit_as(staff_only, bob)
    assert "教职工" in refused.value.message
    assert not ServiceRequest.objects.exists()
    assert not ApprovalTask.objects.exists()


def test_an_undergraduate_cannot_save_a_draft_of_it_either(staff_only, bob, people):
    with pytest.raises(services.RequestError):
        services.request_save_draft(
            service=staff_only,
            applicant=bob,
            form_data={},
            files={},
            urgent=False,
            urgent_reason="",
        )
    assert not ServiceRequest.objects.exists()


def test_someone_of_the_audience_submits(staff_only, people):
    req = submit_as(staff_only, people["alice"])
    assert req.status == ServiceRequest.Status.IN_PROGRESS


def test_a_department_restriction_refuses_other_departments_and_admits_units_under_it(
    staff_only, people
):
    # given: the service is limited to the research division; a lab sits under it
    lab = Department.objects.create(code="lab", name_zh="实验室", parent=people["research"])
    staff_only.departments.add(people["research"])
    people["rita"].department = lab
    people["rita"].save()
    # when / then: alice (School of CS) is refused, rita (in the lab) may apply
    with pytest.raises(services.RequestError):
        submit_as(staff_only, people["alice"])
    assert not ServiceRequest.objects.exists()
    assert submit_as(staff_only, people["rita"]).status == ServiceRequest.Status.IN_PROGRESS


def test_a_resubmission_after_the_persons_identity_changed_is_refused(staff_only, people):
    # given: alice applied as staff and was asked to revise
    alice, hank = people["alice"], people["hank"]
    req = submit_as(staff_only, alice)
    task = ApprovalTask.objects.get(request=req, status="pending")
    services.task_decide(task_id=task.pk, user=hank, action="return", comment="请补充")
    alice.identity = Identity.GRADUATE
    alice.save()
    # when
    with pytest.raises(services.RequestError):
        services.request_resubmit(
            request_id=req.pk, user=alice, form_data={"name": "张爱丽", "amount": "1"}, files={}
        )
    # then: still with her, unchanged, and no step opened again
    req.refresh_from_db()
    assert req.status == ServiceRequest.Status.RETURNED
    assert req.form_data["amount"] == "100"
    assert not ApprovalTask.objects.filter(request=req, status="pending").exists()


def test_the_guide_page_says_who_may_apply_instead_of_the_apply_button(
    client, staff_only, bob, people
):
    apply_url = reverse("workflows:apply", args=[staff_only.code])
    client.force_login(bob)
    html = client.get(staff_only.get_absolute_url()).content.decode()
    assert apply_url not in html
    assert "可申请本事项的人员：教职工。" in html
    client.force_login(people["alice"])
    assert apply_url in client.get(staff_only.get_absolute_url()).content.decode()


def test_the_guide_page_names_the_departments_in_english(client, staff_only, bob, people):
    staff_only.departments.add(people["research"])
    client.force_login(bob)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(staff_only.get_absolute_url()).content.decode()
    assert "Who may apply for this service: Faculty / staff of Research." in html


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_apply_page_refuses_someone_outside_the_audience_and_saves_nothing(
    client, staff_only, bob, method
):
    client.force_login(bob)
    url = reverse("workflows:apply", args=[staff_only.code])
    data = {"submit_token": str(uuid.uuid4()), "amount": "1", "submit": "1"}
    if method == "post":
        for action in ("submit", "save_draft"):
            response = client.post(url, {**data, action: "1"}, follow=True)
    else:
        response = client.get(url, follow=True)
    assert response.redirect_chain[-1][0] == staff_only.get_absolute_url()
    assert "您不能申请本事项。可申请本事项的人员：教职工。" in response.content.decode()
    assert not ServiceRequest.objects.exists()


def test_the_refusal_speaks_the_users_language(client, staff_only, bob):
    client.force_login(bob)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("workflows:apply", args=[staff_only.code]), follow=True)
    assert "You cannot apply for this service." in response.content.decode()


def test_the_revise_page_refuses_after_the_identity_changed(client, staff_only, people):
    alice = people["alice"]
    req = submit_as(staff_only, alice)
    task = ApprovalTask.objects.get(request=req, status="pending")
    services.task_decide(task_id=task.pk, user=people["hank"], action="return", comment="请补充")
    alice.identity = Identity.UNDERGRADUATE
    alice.save()
    client.force_login(alice)
    url = reverse("workflows:request-edit", args=[req.pk])
    response = client.post(url, {"amount": "5", "name": "x"}, follow=True)
    assert response.redirect_chain[-1][0] == req.get_absolute_url()
    req.refresh_from_db()
    assert req.status == ServiceRequest.Status.RETURNED and req.form_data["amount"] == "100"

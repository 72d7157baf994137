"""A small office for approval tests.

alice (faculty, School of CS) applies; hank heads the school; rita and ravi are the research
division's reviewers; fay is a finance reviewer; lee is a university leader; charlie is an
outsider in another department.
"""

import uuid

import pytest

from hall.models import Department, Role, ServiceField, ServiceStep, User
from workflows import services


@pytest.fixture
def people(db, school, research_dept, alice):
    finance = Department.objects.create(code="finance", name_zh="财务处", name_en="Finance")
    office = Department.objects.create(code="president-office", name_zh="校长办公室")
    make = User.objects.create_user
    hank = make("hank", password="pw", full_name="韩科", department=school, number="T100")
    rita = make("rita", password="pw", full_name="任塔", department=research_dept, number="T200")
    ravi = make("ravi", password="pw", full_name="饶维", department=research_dept, number="T201")
    rose = make("rose", password="pw", full_name="容思", department=research_dept, number="T202")
    fay = make("fay", password="pw", full_name="范怡", department=finance, number="T300")
    lee = make("lee", password="pw", full_name="李领导", department=office, number="T400")
    charlie = make("charlie", password="pw", full_name="查理", department=finance, number="T500")
    school.heads.add(hank)
    reviewers = Role.objects.create(department=research_dept, code="reviewer", name_zh="审核人")
    reviewers.holders.add(rita, ravi, rose)
    Role.objects.create(department=finance, code="reviewer", name_zh="审核人").holders.add(fay)
    Role.objects.create(department=office, code="leader", name_zh="校领导").holders.add(lee)
    secretary = Role.objects.create(
        department=school, code="research-secretary", name_zh="科研秘书"
    )
    secretary.holders.add(hank)
    return {
        "alice": alice,
        "hank": hank,
        "rita": rita,
        "ravi": ravi,
        "rose": rose,
        "fay": fay,
        "lee": lee,
        "charlie": charlie,
        "finance": finance,
        "office": office,
        "research": research_dept,
        "school": school,
    }


@pytest.fixture
def make_chain(make_service, people):
    def make(steps: list[dict], **service_values):
        service = make_service(**service_values)
        ServiceField.objects.create(
            service=service,
            order=1,
            key="name",
            label_zh="姓名",
            field_type="text",
            prefill="full_name",
        )
        ServiceField.objects.create(
            service=service,
            order=2,
            key="amount",
            label_zh="金额",
            field_type="money",
            required=False,
        )
        for order, step in enumerate(steps, start=1):
            values = {"name_zh": f"第{order}步", "name_en": f"Step {order}", **step}
            for key in ("department", "approver"):
                if isinstance(values.get(key), str):
                    values[key] = people[values[key]]
            ServiceStep.objects.create(service=service, order=order, **values)
        return service

    return make


HEAD = {"rule": "applicant_head"}
RESEARCH = {"rule": "department_role", "department": "research", "role_code": "reviewer"}
FINANCE = {"rule": "department_role", "department": "finance", "role_code": "reviewer"}
LEADER = {"rule": "department_role", "department": "office", "role_code": "leader"}


@pytest.fixture
def submit(people):
    def submit_(service, *, applicant=None, amount="100", urgent=False):
        return services.request_submit(
            service=service,
            applicant=applicant or people["alice"],
            form_data={"name": "张爱丽", "amount": amount},
            files={},
            urgent=urgent,
            urgent_reason="出访在即" if urgent else "",
            submit_token=uuid.uuid4(),
        )

    return submit_

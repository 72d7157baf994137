"""Personas, a small catalogue and a small office, shared by every test.

alice is a faculty member of the School of Computer Science, bob an undergraduate there, gina a
graduate student, and olivia the office admin who manages the catalogue.
"""

import uuid

import pytest

from hall.models import Area, Department, Identity, Role, Service, ServiceField, ServiceStep, User
from workflows import services


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the hall's default language: a request in English through the test
    client leaves English active in the thread, and which test ran before depends on how
    `make test` shares the files among its processes."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: what a rolled-back test cached (catalogue facets,
    unread counts, sessions) is gone with its rows."""
    from django.core.cache import cache

    from hall import caching

    cache.clear()
    caching.forget_here()


@pytest.fixture
def school(db):
    return Department.objects.create(
        code="school-cs", name_zh="计算机学院", name_en="School of Computer Science", kind="unit"
    )


@pytest.fixture
def research_dept(db):
    return Department.objects.create(code="research", name_zh="科学研究院", name_en="Research")


@pytest.fixture
def alice(school):
    return User.objects.create_user(
        "alice",
        password="pw",
        full_name="张爱丽",
        number="T001",
        department=school,
        identity=Identity.STAFF,
        title="教授",
        phone="0571-1234",
        email="alice@example.edu",
    )


@pytest.fixture
def bob(school):
    return User.objects.create_user(
        "bob",
        password="pw",
        full_name="李博",
        number="S001",
        department=school,
        identity=Identity.UNDERGRADUATE,
    )


@pytest.fixture
def gina(school):
    return User.objects.create_user(
        "gina",
        password="pw",
        full_name="王吉娜",
        number="G001",
        department=school,
        identity=Identity.GRADUATE,
    )


@pytest.fixture
def olivia(db):
    return User.objects.create_user(
        "olivia", password="pw", full_name="欧丽薇", is_staff=True, is_superuser=True
    )


@pytest.fixture
def areas(db):
    return [
        Area.objects.create(
            code="finance-research", name_zh="财务科研", name_en="Finance and research", order=1
        ),
        Area.objects.create(
            code="hr-assets", name_zh="人事资产", name_en="Human resources and assets", order=2
        ),
    ]


@pytest.fixture
def make_service(areas, research_dept):
    counter = {"n": 0}

    def make(**overrides) -> Service:
        counter["n"] += 1
        values = {
            "code": f"service-{counter['n']}",
            "name_zh": f"测试事项{counter['n']}",
            "name_en": f"Test service {counter['n']}",
            "area": areas[0],
            "department": research_dept,
            "is_published": True,
        }
        values.update(overrides)
        return Service.objects.create(**values)

    return make


@pytest.fixture
def reviewer_role(research_dept, alice):
    role = Role.objects.create(
        department=research_dept, code="reviewer", name_zh="审核人", name_en="Reviewer"
    )
    role.holders.add(alice)
    return role


@pytest.fixture
def celery_eager():
    """Celery tasks run in process (as in the embedded default), even where REDIS_URL is set."""
    from hall.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


# --- a small office for approval tests ----------------------------------------------------
#
# alice (faculty, School of CS) applies; hank heads the school; rita and ravi are the research
# division's reviewers; fay is a finance reviewer; lee is a university leader; charlie is an
# outsider in another department.


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

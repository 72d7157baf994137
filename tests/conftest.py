"""Personas and a small catalogue, shared by every test.

alice is a faculty member of the School of Computer Science, bob an undergraduate there, gina a
graduate student, and olivia the office admin who manages the catalogue.
"""

import pytest

from hall.models import Area, Department, Identity, Role, Service, User


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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

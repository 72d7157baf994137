"""The research mirror's people: alice (PI), gina (member of alice's project), bob (an
outsider), fiona of the finance office, and a small mirror imported from files."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from hall.models import Department, Identity, Role, ServiceField, User
from tests.chains import FINANCE
from workflows.research import services
from workflows.research.models import BudgetLine, Project

CLAIM = "vertical-project-receipt-claim"


def csv_upload(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"))


def xlsx_upload(name: str, table: list[list]) -> SimpleUploadedFile:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in table:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


PROJECTS = (
    "number,title,kind,pi,members,starts_on,ends_on,status\n"
    "NSFC-001,图神经网络的可解释性研究,vertical,T001,G001,2025-01-01,2027-12-31,active\n"
    "HX-002,智慧校园数据平台,horizontal,T001,,2025-06-01,2026-05-31,active\n"
)
BUDGETS = (
    "project,category,budget\n"
    "NSFC-001,equipment,100000\n"
    "NSFC-001,travel,20000\n"
    "NSFC-001,management,5000\n"
    "HX-002,materials,30000\n"
)
MOVEMENTS = (
    "id,project,category,date,amount,description\n"
    "F-1,NSFC-001,equipment,2025-03-01,40000,服务器\n"
    "F-2,NSFC-001,travel,2025-04-10,3000,会议差旅\n"
    "F-3,HX-002,materials,2025-07-02,1200.50,耗材\n"
)


@pytest.fixture(autouse=True)
def _english(client, settings):
    # Messages are read in English here; the pages' tests also look at them in Chinese.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def finance(db):
    return Department.objects.create(code="finance", name_zh="财务处", name_en="Finance")


@pytest.fixture
def fiona(finance):
    user = User.objects.create_user(
        "fiona", password="pw", full_name="方菲", number="F001", department=finance
    )
    role = Role.objects.create(department=finance, code="reviewer", name_zh="经办审核人")
    role.holders.add(user)
    return user


@pytest.fixture
def mirror(alice, gina, bob):
    for kind, text in (("projects", PROJECTS), ("budgets", BUDGETS), ("movements", MOVEMENTS)):
        run = services.mirror_import_file(kind=kind, upload=csv_upload(f"{kind}.csv", text))
        assert run.ok, run.report
    return run


@pytest.fixture
def carol(db):
    return User.objects.create_user(
        "carol", password="pw", full_name="陈卡萝", number="T002", identity=Identity.STAFF
    )


# --- a claim service and a project with two lines (alice is the PI) ------------------------


@pytest.fixture
def claim_service(make_chain):
    service = make_chain([FINANCE], code=CLAIM)
    ServiceField.objects.create(
        service=service, order=3, key="project_number", label_zh="项目编号", field_type="text"
    )
    ServiceField.objects.create(
        service=service,
        order=4,
        key="budget_category",
        label_zh="预算科目",
        field_type="choice",
        options=["travel", "equipment"],
    )
    return service


@pytest.fixture
def project(people):
    project = Project.objects.create(
        number="NSFC-7",
        title="测试项目",
        kind="vertical",
        pi=people["alice"],
        starts_on=date(2025, 1, 1),
        ends_on=date(2027, 12, 31),
    )
    BudgetLine.objects.create(project=project, category="travel", budget=Decimal("1000"))
    BudgetLine.objects.create(project=project, category="equipment", budget=Decimal("500"))
    return project

"""A small Administrative Center: the president's office issues 校办发 documents.

alice (School of CS) drafts; hank heads the school and checks her drafts (核稿); otto reviews
for the office (审核); lee, a university leader, signs off (签发); rhea is the office's
registrar who gives numbers; sam is alice's colleague on the staff, bob an undergraduate of her
school; charlie is in another department.
"""

import pytest
from django.utils import translation

from documents import services
from documents.models import Authority
from hall.models import Role, User
from workflows import services as engine
from workflows.models import ApprovalTask


@pytest.fixture(autouse=True)
def _english(client, settings):
    """The tests read the messages in English; one test reads them in Chinese."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def office(people, areas, bob):
    office = people["office"]
    make = User.objects.create_user
    otto = make("otto", password="pw", full_name="欧拓", department=office, number="T401")
    rhea = make("rhea", password="pw", full_name="芮华", department=office, number="T402")
    sam = make("sam", password="pw", full_name="孙默", department=people["alice"].department)
    Role.objects.create(department=office, code="reviewer", name_zh="审核人").holders.add(otto)
    Role.objects.create(department=office, code="registrar", name_zh="登记员").holders.add(rhea)
    authority = Authority.objects.create(
        name_zh="校长办公室", name_en="President's Office", prefix="校办发", department=office
    )
    return {**people, "bob": bob, "otto": otto, "rhea": rhea, "sam": sam, "authority": authority}


@pytest.fixture
def draft(office):
    def make(*, title="关于做好2026年寒假工作的通知", doc_type="notice", drafter=None, **extra):
        data = {
            "doc_type": doc_type,
            "authority": office["authority"],
            "title": title,
            "to_departments": [office["finance"]],
            "to_others": "",
            "body": "一、总体要求\n（一）提高认识\n1. 加强领导\n（1）明确责任",
            **extra,
        }
        return services.document_save(user=drafter or office["alice"], data=data)

    return make


def decide(document, user, action="approve", comment="理由"):
    task = ApprovalTask.objects.get(request_id=document.request_id, status="pending")
    return engine.task_decide(task_id=task.pk, user=user, action=action, comment=comment)


def sign_off(document, office):
    """Sends a draft through 核稿, 审核 and 签发."""
    services.document_submit(document_id=document.pk, user=document.drafter)
    document.refresh_from_db()
    for who in ("hank", "otto", "lee"):
        decide(document, office[who])
    document.refresh_from_db()
    return document

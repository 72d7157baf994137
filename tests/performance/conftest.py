"""A small supervision office.

sam works in the president's office and holds the supervisor role (督查室): he assigns, verifies
and closes items. lee is the university leader in charge. The School of CS leads: hank heads it,
alice works there. rita's research division is a co-unit. charlie (finance) is an outsider. lina
studies at the school and gus at the research division: students, not the units' staff.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from hall.models import Identity, Role, User
from performance import services
from performance.services import Source

SH = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


@pytest.fixture(autouse=True)
def _english(client, settings):
    """The tests read the messages in English."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The board's cached counts and options start empty in every test."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def office(people, areas):
    sam = User.objects.create_user(
        "sam", password="pw", full_name="沈督查", department=people["office"], number="T403"
    )
    role = Role.objects.create(department=people["office"], code="supervisor", name_zh="督查员")
    role.holders.add(sam)
    # Students of the lead unit and of the co-unit: members of the units, not their staff.
    lina = User.objects.create_user(
        "lina",
        password="pw",
        full_name="李娜",
        department=people["school"],
        identity=Identity.UNDERGRADUATE,
        number="S001",
    )
    gus = User.objects.create_user(
        "gus",
        password="pw",
        full_name="顾思",
        department=people["research"],
        identity=Identity.GRADUATE,
        number="S002",
    )
    return {**people, "sam": sam, "lina": lina, "gus": gus}


@pytest.fixture
def assign(office):
    def make(*, days=5, milestones=(("制定方案", 2),), when="2026-11-23 09:00", **extra):
        values = {
            "user": office["sam"],
            "title": "推进智慧校园一网通办建设",
            "source": Source(
                kind="decision", ref="performance.decision:1", title="校长办公会第12次会议决定"
            ),
            "criteria": "上线不少于50项网上办事服务",
            "leader": office["lee"],
            "lead_unit": office["school"],
            "co_units": [office["research"]],
            "days": days,
            "milestones": list(milestones),
            **extra,
        }
        with time_machine.travel(at(when), tick=False):
            return services.item_create(**values)

    return make


def snapshot(item) -> tuple:
    """What a refusal must leave as it was."""
    item.refresh_from_db()
    return (
        item.status,
        item.deadline,
        item.remind_at,
        item.steps.count(),
        item.reports.count(),
        item.extensions.count(),
    )

"""A small Service Center: the logistics department manages a meeting room, a hall and a car.

alice (School of CS) and bob book; mona is logistics' resource manager, who approves bookings
of the hall; charlie is an outsider in finance.
"""

from datetime import datetime, time

import pytest
from django.utils import timezone, translation

from hall.models import Department, Role, User
from reception.models import Resource


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def at(day: str, hm: str) -> datetime:
    """An aware local time: at("2026-12-07", "09:00")."""
    return timezone.make_aware(datetime.fromisoformat(f"{day}T{hm}"))


@pytest.fixture
def logistics(db):
    return Department.objects.create(code="logistics", name_zh="后勤处", name_en="Logistics")


@pytest.fixture
def mona(logistics):
    mona = User.objects.create_user(
        "mona", password="pw", full_name="莫娜", department=logistics, number="T600"
    )
    Role.objects.create(
        department=logistics, code="resource-manager", name_zh="资源管理员"
    ).holders.add(mona)
    return mona


@pytest.fixture
def room(logistics):
    return Resource.objects.create(
        code="room-301",
        name_zh="行政楼301会议室",
        name_en="Admin Building Room 301",
        kind=Resource.Kind.ROOM,
        department=logistics,
        capacity=20,
        features="projector, video conference",
        opens_at=time(8, 0),
        closes_at=time(22, 0),
        setup_minutes=15,
        cleanup_minutes=15,
    )


@pytest.fixture
def hall_room(logistics, mona):
    return Resource.objects.create(
        code="hall-1",
        name_zh="学术报告厅",
        name_en="Lecture Hall",
        kind=Resource.Kind.HALL,
        department=logistics,
        capacity=300,
        opens_at=time(8, 0),
        closes_at=time(22, 0),
        needs_approval=True,
    )


@pytest.fixture
def car(logistics):
    return Resource.objects.create(
        code="car-1", name_zh="考斯特（浙A12345）", name_en="Coaster", kind="car", capacity=20
    )


@pytest.fixture
def charlie_user(db):
    finance = Department.objects.create(code="finance", name_zh="财务处", name_en="Finance")
    return User.objects.create_user(
        "charlie", password="pw", full_name="查理", department=finance, number="T500"
    )

"""A small Service Center: the logistics department manages a meeting room, a hall and a car.

alice (School of CS) and bob book; mona is logistics' resource manager, who approves bookings
of the hall; charlie is an outsider in finance. oscar, in the president's office, keeps the
leaders' schedules and arranges visits, against the reception ``standard`` of the bureau level.
"""

from datetime import datetime, time

import pytest
from django.utils import timezone, translation

from hall.models import Department, Role, User
from reception import case_services as cs
from reception import schedules
from reception.models import CaseCategory, ReceptionStandard, Resource


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


# --- the people's voices: the office (olga), two units (roads: ron, parks: pat), a category


@pytest.fixture
def office(db):
    dept = Department.objects.create(code="office", name_zh="办公室", name_en="General Office")
    user = User.objects.create_user("olga", password="pw", full_name="奥尔加", department=dept)
    Role.objects.create(department=dept, code="case-office", name_zh="工单办").holders.add(user)
    return user


@pytest.fixture
def roads(db):
    return Department.objects.create(code="roads", name_zh="市政处", name_en="Roads")


@pytest.fixture
def parks(db):
    return Department.objects.create(code="parks", name_zh="园林处", name_en="Parks")


@pytest.fixture
def ron(roads):
    return User.objects.create_user("ron", password="pw", full_name="罗恩", department=roads)


@pytest.fixture
def pat(parks):
    return User.objects.create_user("pat", password="pw", full_name="帕特", department=parks)


@pytest.fixture
def noise(db):
    city = CaseCategory.objects.create(code="city", name_zh="城市管理", name_en="City")
    return CaseCategory.objects.create(parent=city, code="noise", name_zh="噪音", name_en="Noise")


def new_case(category, **kw):
    values = dict(
        channel="phone",
        kind="complaint",
        category=category,
        title="夜间施工噪音",
        content="工地每晚施工到凌晨。",
        contact_name="王小明",
        contact_phone="13812345678",
    )
    values.update(kw)
    return cs.case_create(**values)


# --- the leaders' schedules and visits: the president's office (oscar) and a standard


@pytest.fixture
def office_dept(db):
    return Department.objects.create(code="president-office", name_zh="校长办公室")


@pytest.fixture
def oscar(office_dept):
    """The office clerk who keeps the schedules and arranges visits."""
    oscar = User.objects.create_user(
        "oscar", password="pw", full_name="奥斯卡", department=office_dept
    )
    Role.objects.create(
        department=office_dept, code=schedules.OFFICE_ROLE, name_zh="日程秘书"
    ).holders.add(oscar)
    return oscar


@pytest.fixture
def standard(db):
    """The bureau level's standard, per person a day: meals 120, rooms 450, cars 100, no gifts."""
    return ReceptionStandard.objects.create(
        level="bureau",
        meals="工作餐，每人每餐不超过标准",
        meal_cap=120,
        accommodation="协议酒店标准间",
        room_cap=450,
        car="商务车一辆",
        car_cap=100,
        gift_cap=0,
        accompany="分管副校长陪同",
    )

"""A student books a room in the availability grid, in real browsers (1280 px and 390 px).

lina opens the grid of meeting rooms for next Monday, picks Room 301's "Book", asks for a time
zhangwei already holds and reads the refusal naming him, nothing saved; she moves to a free hour
and gets her booking, which then shows in the grid. Screenshots go to
test-artifacts/e2e/booking-<viewport>-NN-<step>.png.
"""

import os
from urllib.parse import quote

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the dev extras install Playwright
    if os.environ.get("HALL_REQUIRE_E2E") == "1":
        raise
    pytest.skip("Playwright is not installed", allow_module_level=True)

from hall.models import User
from reception.demo import _next_monday, seed_demo_reception
from reception.models import Booking, Resource
from tests.e2e.helpers import Shooter, log_in

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_a_student_books_a_room_and_is_refused_a_taken_hour(
    viewport, demo_data, make_page, live_server, artifacts_dir
):
    # given
    assert seed_demo_reception() > 0
    room = Resource.objects.get(code="room-301")
    monday = _next_monday().isoformat()
    holder = User.objects.get(username="zhangwei").get_full_name()
    page, problems = make_page(viewport)
    shoot = Shooter(artifacts_dir, "booking", viewport)
    log_in(page, live_server.url, "lina", quote(f"/reception/resources/?kind=room&day={monday}"))

    # when: the grid, then Room 301's booking form
    expect(page.locator(".res-row")).to_have_count(Resource.objects.filter(kind="room").count())
    shoot(page, viewport, "grid")
    page.locator(f'.res-row a.button[href*="resource={room.pk}&"]').click()
    expect(page.locator("#id_resource")).to_have_value(str(room.pk))
    page.locator("#id_title").fill("学生会例会")
    page.locator("#id_start").fill("09:30")
    page.locator("#id_end").fill("10:30")
    page.locator("#id_attendees").fill("10")
    shoot(page, viewport, "form")
    page.locator("form.apply-form button[type=submit]").click()

    # then: refused, naming the holder, nothing saved
    expect(page.locator(".message.error")).to_contain_text(holder)
    assert not Booking.objects.filter(booker__username="lina", title="学生会例会").exists()
    shoot(page, viewport, "refused")

    # when: a free hour
    page.locator("#id_start").fill("11:00")
    page.locator("#id_end").fill("12:00")
    page.locator("form.apply-form button[type=submit]").click()

    # then
    booking = Booking.objects.get(booker__username="lina", title="学生会例会")
    expect(page).to_have_url(f"{live_server.url}{booking.get_absolute_url()}")
    assert booking.status == "confirmed"
    shoot(page, viewport, "booked")
    page.goto(f"{live_server.url}/reception/resources/?kind=room&view=week&day={monday}")
    expect(page.locator(f'a.res-seg[href="{booking.get_absolute_url()}"]')).to_have_count(1)
    shoot(page, viewport, "week")
    assert problems.items == []

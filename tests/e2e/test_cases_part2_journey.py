"""The people's voices, part 2, in real browsers (1280 px and 390 px, Chinese then English).

The office opens the hot spots, a case with a likely duplicate and merges it, the case it joined
with its co-complainants, a 信访 case with its written notices, and the NPC suggestion with its
grade. Screenshots go to test-artifacts/e2e/cases2-<viewport>-NN-<step>.png.
"""

import os

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the dev extras install Playwright
    if os.environ.get("HALL_REQUIRE_E2E") == "1":
        raise
    pytest.skip("Playwright is not installed", allow_module_level=True)

from reception import case_services as cs
from reception.case_demo import seed_demo_cases
from reception.models import Case, CaseCategory
from tests.e2e.helpers import Shooter, log_in

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_office_reads_hot_spots_merges_a_duplicate_and_reads_the_notices(
    viewport, demo_data, make_page, live_server, artifacts_dir, settings
):
    # given: the demo cases, and a new call on the same noise as a demo case
    assert seed_demo_cases() > 0
    main = Case.objects.get(title="北门外工地夜间施工噪音")
    new = cs.case_create(
        channel="phone",
        kind="complaint",
        category=CaseCategory.objects.get(code="noise"),
        title="北门外工地夜间施工噪音太大",
        content="北门外工地晚上十一点后还在打桩。",
        contact_name="孔同学",
        contact_phone="13900007878",
    )
    petition = Case.objects.get(title="关于宿舍楼改造拖延的来信")
    npc = Case.objects.get(title="关于校园周边增设公交站点的建议")
    page, problems = make_page(viewport)
    shoot = Shooter(artifacts_dir, "cases2", viewport)
    log_in(page, live_server.url, "president-office-reviewer1", "/reception/hotspots/")

    # when / then: the hot spots in Chinese
    expect(page.locator("h1")).to_have_text("热点分析")
    expect(page.locator(".hotspot-wide h2")).to_have_text("按周工单量")
    expect(page.locator(".hotspot-chart:not(.hotspot-wide) h2").first).to_have_text("按类别")
    shoot(page, viewport, "hotspots")
    # the new case offers the demo case for merging; the office merges it
    page.goto(f"{live_server.url}{new.get_absolute_url()}")
    expect(page.get_by_text("疑似重复件")).to_be_visible()
    shoot(page, viewport, "duplicates")
    page.once("dialog", lambda dialog: dialog.accept())
    row = page.locator("tr", has_text=main.number)
    row.locator("button").click()
    expect(page.locator("h1")).to_contain_text(main.number)
    expect(page.get_by_role("heading", name="共同反映人")).to_be_visible()
    new.refresh_from_db()
    assert new.status == Case.Status.MERGED and new.merged_into == main
    shoot(page, viewport, "merged")
    # the 信访 case and its notice of acceptance
    page.goto(f"{live_server.url}{petition.get_absolute_url()}")
    expect(page.get_by_text("书面告知书")).to_be_visible()
    shoot(page, viewport, "petition")
    page.get_by_role("link", name="受理告知书").click()
    expect(page.locator("h1")).to_have_text("受理告知书")
    shoot(page, viewport, "notice")
    # the NPC suggestion with its grade, in English
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}]
    )
    page.goto(f"{live_server.url}{npc.get_absolute_url()}")
    expect(page.get_by_text("A: solved or adopted", exact=True)).to_be_visible()
    shoot(page, viewport, "npc-en")
    page.goto(f"{live_server.url}/reception/hotspots/")
    expect(page.locator("h1")).to_have_text("Hot spots")
    shoot(page, viewport, "hotspots-en")
    assert problems.items == []

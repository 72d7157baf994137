"""A citizen on a phone leaves an online message anonymously, in English and in Chinese, and
looks it up by its number and code: the form reads like the hall's other forms (labels start
with a capital, fields as wide as the screen). Screenshots go to
test-artifacts/e2e/public-message-<viewport>-NN-<step>.png.
"""

import os

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the dev extras install Playwright
    if os.environ.get("HALL_REQUIRE_E2E") == "1":
        raise
    pytest.skip("Playwright is not installed", allow_module_level=True)

from django.utils import translation

from reception.case_demo import seed_demo_cases
from reception.models import Case
from tests.e2e.helpers import Shooter

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_an_anonymous_message_on_a_phone_then_its_look_up(
    lang, demo_data, page_in, live_server, artifacts_dir
):
    # given
    seed_demo_cases()
    page, problems = page_in("phone", lang)
    shoot = Shooter(artifacts_dir, f"public-message-{lang}", "phone")

    # when
    page.goto(f"{live_server.url}/reception/message/")

    # then: a label over a field as wide as the column
    if lang == "en":
        expect(page.locator('label[for="id_title"]')).to_have_text("Subject:")
        expect(page.locator('label[for="id_kind"]')).to_have_text("Kind:")
    width = page.locator("#id_title").bounding_box()["width"]
    assert width > 300, width
    shoot(page, "phone", "form")

    # when: sent anonymously
    page.locator("#id_category").select_option(index=1)
    page.locator("#id_title").fill("路灯不亮")
    page.locator("#id_content").fill("东门外路灯一周不亮。")
    page.locator("#id_anonymous").check()
    page.locator("form.stacked-form button[type=submit]").click()
    number = page.locator(".case-number").inner_text()
    code = page.locator(".case-code").inner_text()
    case = Case.objects.get(number=number)
    assert case.anonymous and case.channel == "online"
    shoot(page, "phone", "received")

    # then: the look-up finds it with both, not with a wrong code
    page.goto(f"{live_server.url}/reception/lookup/")
    assert page.locator("#id_number").bounding_box()["width"] > 300
    page.locator("#id_number").fill(number)
    page.locator("#id_code").fill(code)
    page.locator("form.stacked-form button[type=submit]").click()
    with translation.override(lang):
        status = case.get_status_display()
    expect(page.locator("dl.facts")).to_contain_text(status)
    shoot(page, "phone", "found")
    page.goto(f"{live_server.url}/reception/lookup/?number={number}&code=WRONG")
    expect(page.locator("p.empty")).to_be_visible()
    assert problems.items == []

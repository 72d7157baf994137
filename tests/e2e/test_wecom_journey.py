"""The one-key jump inside the enterprise WeChat, in a real browser at 390 px.

alice applies; hank (head of her school) gets the task as a WeCom application text card; the
card's link, opened in a browser that says it is the WeCom client, goes through WeCom's OAuth2
(a local server that answers as the WeCom API and its OAuth page document,
tests/sso/wecom_server.py) and lands on the task page signed in, with no password. He approves
with his thumb; alice's completion message goes out as a card to her WeCom ID, and opening it
the same way lands on her request.
"""

import os
import re

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the dev extras install Playwright
    if os.environ.get("HALL_REQUIRE_E2E") == "1":
        raise
    pytest.skip("Playwright is not installed", allow_module_level=True)

from hall.models import Notification
from tests.chains import HEAD
from tests.e2e.conftest import VIEWPORTS
from tests.e2e.helpers import Shooter
from tests.sso.test_wecom import WECOM_UA
from tests.sso.wecom_server import FakeWeCom
from workflows.models import ApprovalTask

pytestmark = pytest.mark.e2e


@pytest.fixture
def wecom_app(settings, live_server):
    from django.core.cache import cache

    server = FakeWeCom().start()
    settings.HALL_BASE_URL = live_server.url
    settings.HALL_WECOM_CORP_ID = server.corp_id
    settings.HALL_WECOM_AGENT_ID = "1000002"
    settings.HALL_WECOM_SECRET = server.secret
    settings.HALL_WECOM_API_URL = server.url
    settings.HALL_WECOM_OAUTH_URL = server.url + "/connect/oauth2/authorize"
    cache.clear()
    yield server
    server.stop()


def wecom_phone(browser):
    context = browser.new_context(locale="zh-CN", user_agent=WECOM_UA, **VIEWPORTS["phone"])
    context.set_default_timeout(30_000)
    return context, context.new_page()


def test_a_task_card_opened_in_wecom_lands_on_the_task_and_the_applicant_hears_back(
    transactional_db,
    celery_eager,
    browser,
    live_server,
    wecom_app,
    make_chain,
    submit,
    people,
    artifacts_dir,
):
    shoot = Shooter(artifacts_dir, "wecom", "phone")
    alice, hank = people["alice"], people["hank"]
    alice.wecom_id = "ZhangAiLi"
    alice.save(update_fields=["wecom_id"])

    # 1. alice applies: hank's card goes to his WeCom ID (his staff number) ------------------
    request = submit(make_chain([HEAD]))
    task = ApprovalTask.objects.get(request=request, assignee=hank)
    (card,) = wecom_app.cards_to(hank.number)
    assert card["msgtype"] == "textcard"
    assert card["textcard"]["url"].startswith(live_server.url + "/notifications/")

    # 2. he opens it in the WeCom client: signed in through OAuth2, on the task -------------
    wecom_app.client_user = hank.number
    context, phone = wecom_phone(browser)
    try:
        phone.goto(card["textcard"]["url"])
        expect(phone).to_have_url(re.compile(rf"^{live_server.url}/tasks/{task.pk}/(#.*)?$"))
        expect(phone.locator(".site-header .who")).to_have_text(hank.get_full_name())
        shoot(phone, "phone", "task-from-card")

        # 3. he approves with one thumb ----------------------------------------------------
        approve = phone.locator(".decide button[name=action][value=approve]")
        approve.scroll_into_view_if_needed()
        with phone.expect_navigation():
            approve.tap()
        expect(phone.locator(".messages .message.success")).to_be_visible()
    finally:
        context.close()
    request.refresh_from_db()
    assert request.status == "approved"

    # 4. alice's completion card goes to her WeCom ID, and opens on her request ------------------
    (done,) = wecom_app.cards_to("ZhangAiLi")
    finished = Notification.objects.get(recipient=alice, kind="request_approved")
    assert done["textcard"]["url"] == live_server.url + finished.get_absolute_url()
    assert done["touser"] == "ZhangAiLi"
    wecom_app.client_user = "ZhangAiLi"
    context, phone = wecom_phone(browser)
    try:
        phone.goto(done["textcard"]["url"])
        expect(phone).to_have_url(re.compile(rf"^{live_server.url}/requests/{request.pk}/(#.*)?$"))
        expect(phone.locator(".site-header .who")).to_have_text(alice.get_full_name())
        shoot(phone, "phone", "request-from-card")
    finally:
        context.close()


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_login_page_with_the_campus_sign_in_and_the_sessions_box_fit_and_pass_axe(
    transactional_db, make_page, live_server, settings, artifacts_dir, alice, viewport, language
):
    settings.HALL_CAS_SERVER_URL = settings.CAS_SERVER_URL = "http://127.0.0.1:9/cas/"
    shoot = Shooter(artifacts_dir, f"sso-{language}", viewport)
    page, problems = make_page(viewport)
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )

    page.goto(f"{live_server.url}/accounts/login/?next=/requests/")
    campus = page.locator("a.sso-login")
    expect(campus).to_have_attribute("href", "/accounts/cas/login/?next=%2Frequests%2F")
    if language == "zh-hans":
        expect(campus).to_have_text("统一身份认证登录")
    shoot(page, viewport, "login")

    page.locator("#id_username").fill("alice")
    page.locator("#id_password").fill("pw")
    with page.expect_navigation():
        page.locator("form.stacked button[type=submit]").click()
    page.goto(f"{live_server.url}/notifications/settings/")
    expect(page.locator("form[action='/accounts/sign-out-everywhere/'] button")).to_be_visible()
    shoot(page, viewport, "profile-sessions")
    assert problems.items == []

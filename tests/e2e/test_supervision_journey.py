"""A supervised item from its assignment to its closure, in a real browser.

The supervisor of the president's office (president-office-reviewer1, role "supervisor")
records a decision on the meeting's page and makes it a supervision item for the School of
CS in one action; the school's head signs for it and reports progress with evidence; the
deadline passes (the tick runs at a later moment), so the item is urged, put on the month's
public notice and escalated to the leader in charge (president-office-head), who finds it on
the notice; the head reports completion, and the office verifies and closes it.
Screenshots: test-artifacts/e2e/supervision-<viewport>-NN-*.png.

Assertions rely on structure, URLs and data, never on translated UI strings.
"""

import os
from datetime import timedelta

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the dev extras install Playwright
    if os.environ.get("HALL_REQUIRE_E2E") == "1":
        raise
    pytest.skip("Playwright is not installed", allow_module_level=True)

from django.apps import apps

from hall.models import Department, Notification, User
from performance import services
from performance.models import Item
from tests.e2e.helpers import Shooter, log_in
from tests.files import real_pdf

pytestmark = pytest.mark.e2e
TITLE = "落实校长办公会关于实验室安全专项检查的决定"


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_supervision_journey(
    make_page, demo_data, live_server, artifacts_dir, media_root, viewport
):
    apps.get_app_config("performance").seed_demo()
    base = live_server.url
    shoot = Shooter(artifacts_dir, "supervision", viewport)
    school = Department.objects.get(code="school-cs")
    leader = User.objects.get(username="president-office-head")

    # the office assigns the decision
    office, problems = make_page(viewport)
    log_in(office, base, "president-office-reviewer1", "/performance/supervision/")
    shoot(office, viewport, "board")
    # a held meeting with its minutes (the paragraphs); the office records the decision of
    # paragraph 2 on the meeting's page and makes it a supervision item in one action
    from django.utils import timezone

    from performance import meetings
    from performance.models import Decision, MeetingType

    supervisor = User.objects.get(username="president-office-reviewer1")
    start = timezone.now() - timedelta(days=1)
    meeting = meetings.meeting_create(
        user=supervisor,
        kind=MeetingType.objects.get(code="president-office"),
        title="2026年第13次校长办公会",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        chair=leader,
    )
    meetings.minutes_save(
        meeting_id=meeting.pk,
        user=supervisor,
        body=f"会议听取了实验室安全工作汇报。\n{TITLE}：三个工作日内完成全部实验室检查。",
    )
    office.goto(f"{base}{meeting.get_absolute_url()}")
    office.locator("#dec-paragraph").fill("2")
    with office.expect_navigation():
        office.locator("form[action$='/decision/'] button").click()
    decision = Decision.objects.get(meeting=meeting)
    office.locator(f"#sv-leader-{decision.pk}").fill(leader.number or leader.username)
    office.locator(f"#sv-unit-{decision.pk}").select_option(str(school.pk))
    office.locator(f"#sv-days-{decision.pk}").fill("3")
    office.locator(f"#sv-criteria-{decision.pk}").fill("完成全部实验室检查并提交整改清单")
    shoot(office, viewport, "meeting-decision")
    with office.expect_navigation():
        office.locator("form[action$='/supervise/'] button").click()
    decision.refresh_from_db()
    item = decision.item
    assert item.source_ref == f"performance.decision:{decision.pk}"
    office.goto(f"{base}{item.get_absolute_url()}")
    expect(office).to_have_url(f"{base}{item.get_absolute_url()}")

    # the school's head signs for it and reports progress with evidence (on a phone, too)
    head, head_problems = make_page(viewport)
    log_in(head, base, "school-cs-head", item.get_absolute_url())
    shoot(head, viewport, "to-sign")
    with head.expect_navigation():
        head.locator(f"form[action$='/{item.pk}/sign/'] button").click()
    head.locator("#report-text").fill("检查方案已制定，已完成12个实验室的检查。")
    head.locator("#report-evidence").set_input_files(
        files=[{"name": "方案.pdf", "mimeType": "application/pdf", "buffer": real_pdf()}]
    )
    with head.expect_navigation():
        head.locator(f"form[action$='/{item.pk}/report/'] button:not([name])").click()
    item.refresh_from_db()
    assert item.status == Item.Status.IN_PROGRESS
    assert item.reports.get().evidence
    shoot(head, viewport, "reported")

    # the deadline passes: the tick urges, notices and escalates
    later = item.deadline + timedelta(days=7)
    services.supervision_tick(now=later)
    item.refresh_from_db()
    assert item.escalated_at is not None
    assert Notification.objects.filter(recipient=leader, kind="escalation").exists()
    period = services.period_of(later)

    # the leader sees the escalation and the item on the public notice
    boss, boss_problems = make_page(viewport)
    log_in(boss, base, "president-office-head", "/notifications/")
    expect(boss.locator("a[href*='/notifications/']").first).to_be_visible()
    shoot(boss, viewport, "leader-notifications")
    boss.goto(f"{base}/performance/supervision/notice/?period={period}")
    expect(boss.locator(f"table.sup-notice a[href='{item.get_absolute_url()}']")).to_have_count(1)
    shoot(boss, viewport, "notice")
    # (the board's lights follow the real clock; the escalation mark is the tick's)
    boss.goto(f"{base}/performance/supervision/?status=in_progress")
    row = boss.locator(
        "table.sup-board tr", has=boss.locator(f"a[href='{item.get_absolute_url()}']")
    )
    expect(row.locator(".sup-escalated")).to_have_count(1)
    shoot(boss, viewport, "board-escalated")

    # the head reports completion, the office verifies and closes it
    head.goto(f"{base}{item.get_absolute_url()}")
    head.locator("#report-text").fill("全部检查完成，整改清单已提交。")
    with head.expect_navigation():
        head.locator(f"form[action$='/{item.pk}/report/'] button[name=complete]").click()
    office.goto(f"{base}{item.get_absolute_url()}")
    shoot(office, viewport, "to-verify")
    with office.expect_navigation():
        office.locator(f"form[action$='/{item.pk}/close/'] button").click()
    item.refresh_from_db()
    assert item.status == Item.Status.CLOSED
    expect(office.locator(".sup-history li")).to_have_count(item.steps.count())
    shoot(office, viewport, "closed")
    for seen in (problems, head_problems, boss_problems):
        assert seen.items == []

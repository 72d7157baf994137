"""A dispute between two offices from its opening to the supervision board, in a real browser.

The supervision office (president-office-reviewer1) opens a coordination case between the
School of CS and the assets office with the date the positions are due; each party's head
states its position (the school's on the same viewport, the assets office's too); the office
calls a coordination meeting, proposes the solution and sends it to the leader
(president-office-head), who approves the chain's task; the decision becomes a supervision
item led by the first party, on the board. The desktop run reads the hall in Chinese, the
phone run in English. Screenshots: test-artifacts/e2e/coordination-<viewport>-NN-*.png.

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

from django.utils import timezone

from hall.models import Department, User
from performance.models import Coordination, Item
from tests.e2e.helpers import Shooter, log_in
from workflows.models import ApprovalTask

pytestmark = pytest.mark.e2e
TITLE = "实验楼三层用房归属争议"
LANGUAGE = {"desktop": "zh-hans", "phone": "en"}


def _page(make_page, live_server, viewport):
    page, problems = make_page(viewport)
    page.context.add_cookies(
        [{"name": "django_language", "value": LANGUAGE[viewport], "url": live_server.url}]
    )
    return page, problems


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_coordination_journey(make_page, demo_data, live_server, artifacts_dir, viewport):
    from performance.demo import seed_demo_supervision

    seed_demo_supervision()  # the office's supervisor role, meetings and items on the board
    base = live_server.url
    shoot = Shooter(artifacts_dir, "coordination", viewport)
    school = Department.objects.get(code="school-cs")
    assets = Department.objects.get(code="assets")
    leader = User.objects.get(username="president-office-head")
    coordinator = User.objects.get(username="school-cs-head")

    # the office opens the case between the two units, the positions due in a week
    office, problems = _page(make_page, live_server, viewport)
    log_in(office, base, "president-office-reviewer1", "/performance/coordination/")
    form = office.locator("form.coord-open")
    form.locator("input[name=title]").fill(TITLE)
    form.locator("textarea[name=matter]").fill("学院与资产处对实验楼三层东侧用房的使用权存在分歧。")
    form.locator("select[name=parties]").select_option([str(school.pk), str(assets.pk)])
    form.locator("select[name=lead_party]").select_option(str(school.pk))
    # people are named through the people picker; typed by number, as without JavaScript
    form.locator("input[name=coordinator]").fill(coordinator.number or coordinator.username)
    form.locator("input[name=leader]").fill(leader.number or leader.username)
    due = timezone.localdate() + timedelta(days=7)
    form.locator("input[name=positions_due]").fill(due.isoformat())
    shoot(office, viewport, "open")
    with office.expect_navigation():
        form.locator("button[type=submit]").click()
    case = Coordination.objects.get(title=TITLE)
    expect(office).to_have_url(f"{base}{case.get_absolute_url()}")
    assert case.positions_due is not None and case.remind_at is not None

    # the parties' heads state their positions
    heads = {}
    for username, text in [
        ("school-cs-head", "该层用房自2019年起由学院实验中心使用，拟建人工智能实验室已获立项。"),
        ("assets-head", "按公用房管理办法，该层属学校统筹用房，应按定额重新核定后分配。"),
    ]:
        head, head_problems = _page(make_page, live_server, viewport)
        heads[username] = head_problems
        log_in(head, base, username, case.get_absolute_url())
        position = head.locator("form", has=head.locator("input[name=kind][value=position]"))
        position.locator("textarea[name=text]").fill(text)
        with head.expect_navigation():
            position.locator("button[type=submit]").click()
        if username == "assets-head":
            shoot(head, viewport, "positions")
    assert case.notes.filter(kind="position").count() == 2

    # the office calls a meeting, proposes the solution and sends it to the leader
    office.goto(f"{base}{case.get_absolute_url()}")
    meeting = office.locator("form[action$='/meeting/']")
    when = timezone.localtime() + timedelta(days=3)
    meeting.locator("input[name=at]").fill(when.strftime("%Y-%m-%dT10:00"))
    meeting.locator("input[name=place]").fill("行政楼305会议室")
    with office.expect_navigation():
        meeting.locator("button[type=submit]").click()
    case.refresh_from_db()
    assert case.meeting_at is not None and case.meeting_place == "行政楼305会议室"
    propose = office.locator("form[action$='/propose/']")
    propose.locator("textarea[name=text]").fill(
        "东侧4间由学院继续使用并纳入定额核算，西侧2间由资产处统筹，12月底前完成核定。"
    )
    with office.expect_navigation():
        propose.locator("button[type=submit]").click()
    shoot(office, viewport, "proposed")
    with office.expect_navigation():
        office.locator("form[action$='/submit/'] button").click()
    case.refresh_from_db()
    assert case.status == Coordination.Status.SUBMITTED

    # the leader approves the chain's task
    task = ApprovalTask.objects.get(request=case.request, status="pending")
    assert task.assignee_id == leader.pk
    boss, boss_problems = _page(make_page, live_server, viewport)
    log_in(boss, base, "president-office-head", f"/tasks/{task.pk}/")
    shoot(boss, viewport, "leader-task")
    boss.locator("textarea[name=comment]").fill("同意协调方案。")
    with boss.expect_navigation():
        boss.locator("button[name=action][value=approve]").click()
    case.refresh_from_db()
    assert case.status == Coordination.Status.DECIDED
    item = case.item
    assert item.source_ref == f"performance.coordination:{case.pk}"
    # the lead party chosen when opening leads, the other is its co-unit
    assert (item.lead_unit, item.leader) == (school, leader)
    assert list(item.co_units.all()) == [assets]

    # the decision is on the case and the item on the board (the leader's and the office's)
    boss.goto(f"{base}{case.get_absolute_url()}")
    expect(boss.locator(f"a[href='{item.get_absolute_url()}']")).to_have_count(1)
    shoot(boss, viewport, "decided")
    office.goto(f"{base}/performance/supervision/?source=assigned")
    row = office.locator(
        "table.sup-board tr", has=office.locator(f"a[href='{item.get_absolute_url()}']")
    )
    expect(row).to_have_count(1)
    shoot(office, viewport, "board")
    office.goto(f"{base}{item.get_absolute_url()}")
    expect(office.locator(f"a[href='{case.get_absolute_url()}']").first).to_be_visible()
    shoot(office, viewport, "item")
    assert Item.objects.filter(source_ref=f"performance.coordination:{case.pk}").count() == 1
    for seen in (problems, boss_problems, *heads.values()):
        assert seen.items == []

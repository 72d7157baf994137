"""A visitor's journey through the catalogue in a real browser, on a desktop and on a phone.

Search (Chinese, pinyin, initials, English) → facets (area, audience, A–Z, department) → the
guide of "领导干部因私出国（境）申请表" and its process diagram → English and back → log in as
zhangwei, keep the service as a favourite and find it on the home page. On the phone no page may
scroll sideways. A full-page screenshot of each main step goes to test-artifacts/e2e/.

Assertions rely on structure, data (Chinese and English names come from the catalogue rows) and
<html lang>, never on translated UI strings, which may or may not be compiled.
"""

import os
import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest

try:
    from playwright.sync_api import Page, expect
except ImportError:  # pragma: no cover - the dev extras install Playwright
    if os.environ.get("HALL_REQUIRE_E2E") == "1":
        raise
    pytest.skip("Playwright is not installed", allow_module_level=True)

from hall.demo import DEMO_PASSWORD
from hall.models import Area, Department, Favourite, Service, User
from hall.search import letter_of
from tests.e2e.helpers import CheckClock, assert_no_sideways_scroll, check_page

pytestmark = pytest.mark.e2e

ABROAD = "cadre-going-abroad"


# --- helpers --------------------------------------------------------------------------------


def shoot(page: Page, artifacts_dir, viewport: str, step: str) -> None:
    check_page(page, viewport, step)  # every page shot: layout at its width, then axe-core
    page.screenshot(path=str(artifacts_dir / f"{viewport}-{step}.png"), full_page=True)


def result_codes(page: Page) -> list[str]:
    hrefs = page.locator(".results .service-item a.service-name").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    return [re.fullmatch(r"/services/([\w-]+)/", h).group(1) for h in hrefs]


def result_names(page: Page) -> list[str]:
    return [t.strip() for t in page.locator(".results a.service-name").all_inner_texts()]


def results_count(page: Page) -> int:
    """The number in the results heading ("3 services found" / "找到 3 项服务")."""
    text = page.locator("#results-title").inner_text()
    match = re.search(r"\d+", text)
    assert match, f"no count in the results heading: {text!r}"
    return int(match.group())


def meta_column(page: Page, n: int) -> list[str]:
    """The n-th (1-based) span of every result's meta line: 1 department, 2 area."""
    return [
        t.strip()
        for t in page.locator(
            f".results .service-item .service-meta > span:nth-child({n})"
        ).all_inner_texts()
    ]


def query_of(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def search_from_box(page: Page, words: str) -> None:
    box = page.locator("#search-q")
    box.fill(words)
    with page.expect_navigation():
        box.press("Enter")
    expect(page).to_have_url(re.compile(r"/services/\?q="))
    assert query_of(page)["q"] == [words]
    expect(page.locator("#search-q")).to_have_value(words)


def open_facets(page: Page) -> None:
    """On a phone the filters fold away once there are results; a tap on the summary opens them."""
    box = page.locator("details#facets")
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    expect(box).to_have_attribute("open", "")


def submit_facets(page: Page) -> None:
    with page.expect_navigation():
        page.locator(".facets .facet-actions button[type=submit]").click()


def published(**filters) -> list[Service]:
    return list(
        Service.objects.filter(is_published=True, **filters)
        .select_related("area", "department")
        .order_by("sort_key", "code")
    )


# --- the journey ----------------------------------------------------------------------------


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_catalogue_journey(viewport, make_page, demo_data, live_server, artifacts_dir):
    started, checks_before = time.monotonic(), CheckClock.spent
    assert demo_data["services"] == 168
    page, problems = make_page(viewport)
    base = live_server.url
    abroad = Service.objects.get(code=ABROAD)
    steps = list(abroad.steps.order_by("order", "id"))
    assert len(steps) == 3, "the demo chain 'cadre' has three approval steps"

    # 1. Home: Chinese by default, six areas, then search 出国 from the hero box ------------------
    page.goto(base + "/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    areas = list(Area.objects.order_by("order", "code"))
    expect(page.locator(".area-card")).to_have_count(6)
    expect(page.locator(".area-card .area-name")).to_have_text([a.name_zh for a in areas])
    expect(page.locator(".hot-list li a").first).to_be_visible()
    expect(page.locator(".tabs a")).to_have_count(3)
    assert_no_sideways_scroll(page, viewport, "home")
    shoot(page, artifacts_dir, viewport, "01-home")

    search_from_box(page, "出国")
    chinese_hits = result_codes(page)
    assert ABROAD in chinese_hits
    assert results_count(page) == len(chinese_hits) == 3
    expect(page.locator(f'.results a.service-name[href="/services/{ABROAD}/"]')).to_have_text(
        abroad.name_zh
    )
    assert_no_sideways_scroll(page, viewport, "search results")
    shoot(page, artifacts_dir, viewport, "02-search-chuguo-zh")

    # Full pinyin finds exactly what the characters find.
    search_from_box(page, "chuguo")
    assert sorted(result_codes(page)) == sorted(chinese_hits)

    # 2. Pinyin initials and English words -------------------------------------------------
    search_from_box(page, "yscg")  # y(in) s(i) c(hu) g(uo): 因私出国
    assert result_codes(page) == [ABROAD]
    assert results_count(page) == 1
    shoot(page, artifacts_dir, viewport, "03-search-initials")

    search_from_box(page, "ky")  # k(e) y(an): 科研, research
    research_hits = result_codes(page)
    assert {"research-budget-adjustment", "research-funds-claiming"} <= set(research_hits)
    assert results_count(page) >= len(research_hits) >= 10

    search_from_box(page, "going abroad")
    english_hits = result_codes(page)
    assert english_hits[0] == ABROAD

    search_from_box(page, "leave")
    leave_hits = result_codes(page)
    assert {"staff-leave-application", "student-leave", "cadre-going-out-leave"} <= set(leave_hits)
    for service in Service.objects.filter(code__in=leave_hits):
        words = f"{service.name_en} {service.keywords} {service.synonyms}".lower()
        assert "leave" in words, f"{service.code} does not mention leave"
    assert_no_sideways_scroll(page, viewport, "English search")
    shoot(page, artifacts_dir, viewport, "04-search-english")

    # 3. Facets: an area, an audience, a letter, a department -------------------------------
    page.goto(base + "/services/")
    assert results_count(page) == 168
    expect(page.locator(".facets input[name=area]")).to_have_count(7)  # all + six areas
    assert_no_sideways_scroll(page, viewport, "catalogue")

    area = Area.objects.get(code="finance-research")
    open_facets(page)
    page.locator(".facets input[name=area][value=finance-research]").check()
    submit_facets(page)
    assert query_of(page)["area"] == ["finance-research"]
    in_area = published(area=area)
    assert results_count(page) == len(in_area) == 28
    shown = meta_column(page, 2)
    assert len(shown) == 20  # first page of HALL_PAGE_SIZE
    assert set(shown) == {area.name_zh}
    if viewport == "phone":
        # the results come first on a phone: the filters are folded above them
        expect(page.locator("details#facets")).not_to_have_attribute("open", "")
        assert page.locator("#results-title").bounding_box()["y"] < 844
    open_facets(page)
    expect(page.locator(".facets input[name=area][value=finance-research]")).to_be_checked()
    expect(page.locator(".pager")).to_be_visible()
    shoot(page, artifacts_dir, viewport, "05-filter-area")

    open_facets(page)
    page.locator(".facets input[name=audience][value=graduate]").check()
    submit_facets(page)
    assert query_of(page)["audience"] == ["graduate"]
    for_graduates = published(area=area, for_graduates=True)
    assert 0 < len(for_graduates) < len(in_area)
    assert results_count(page) == len(for_graduates)
    assert set(meta_column(page, 2)) == {area.name_zh}
    assert set(result_codes(page)) <= {s.code for s in for_graduates}

    letter = "K"
    with page.expect_navigation():
        page.locator("nav.az a").filter(has_text=re.compile(rf"^\s*{letter}\s*$")).click()
    assert query_of(page)["letter"] == [letter]
    expect(page.locator("nav.az a.current")).to_have_text(letter)
    starting_with_k = published(letter=letter)
    assert results_count(page) == len(starting_with_k) == 14
    names = result_names(page)
    assert names == [s.name_zh for s in starting_with_k]  # A–Z order by pinyin
    assert {letter_of(name) for name in names} == {letter}
    shoot(page, artifacts_dir, viewport, "06-filter-letter")

    research = Department.objects.get(code="research")
    open_facets(page)
    page.locator("#id_department").select_option("research")
    submit_facets(page)
    query = query_of(page)
    assert query["department"] == ["research"]
    assert query["letter"] == [letter], "the facets form keeps the chosen letter"
    expected = published(letter=letter, department=research)
    assert expected, "the demo data has K services of the Research Division"
    assert results_count(page) == len(expected)
    assert result_names(page) == [s.name_zh for s in expected]
    assert set(meta_column(page, 1)) == {research.name_zh}
    expect(page.locator("#id_department")).to_have_value("research")
    assert_no_sideways_scroll(page, viewport, "filtered catalogue")
    shoot(page, artifacts_dir, viewport, "07-filter-department")

    # 4. The guide, reached from a result link ---------------------------------------------
    search_from_box(page, "出国")
    with page.expect_navigation():
        page.locator(f'.results a.service-name[href="/services/{ABROAD}/"]').click()
    guide_url = f"{base}/services/{ABROAD}/"
    expect(page).to_have_url(guide_url)
    expect(page.locator("h1")).to_have_text(abroad.name_zh)
    expect(page.locator(".facts dd").first).to_have_text(abroad.department.name_zh)
    boxes = page.locator("ol.process > li.process-step")
    expect(boxes).to_have_count(len(steps) + 2)
    expect(boxes.first).to_have_class(re.compile(r"\bstart\b"))
    expect(boxes.last).to_have_class(re.compile(r"\bend\b"))
    expect(
        page.locator("ol.process > li.process-step:not(.start):not(.end) .step-name")
    ).to_have_text([s.name_zh for s in steps])
    expect(page.locator(".contacts li").first).to_be_visible()
    expect(page.locator("form[action$='/favourite/']")).to_have_count(0)  # anonymous visitor
    assert_no_sideways_scroll(page, viewport, "guide")
    shoot(page, artifacts_dir, viewport, "08-guide-zh")

    # 5. English via the header button, then back ---------------------------------------------
    with page.expect_navigation():
        page.locator("form.lang-form button[name=language][value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(guide_url)
    expect(page.locator("h1")).to_have_text(abroad.name_en)
    expect(page.locator(".crumbs a").nth(1)).to_have_text(abroad.area.name_en)
    expect(
        page.locator("ol.process > li.process-step:not(.start):not(.end) .step-name")
    ).to_have_text([s.name_en for s in steps])
    expect(page.locator("form.lang-form button[name=language][value=zh-hans]")).to_have_text("中文")
    assert_no_sideways_scroll(page, viewport, "guide in English")
    shoot(page, artifacts_dir, viewport, "09-guide-en")

    with page.expect_navigation():
        page.locator("form.lang-form button[name=language][value=zh-hans]").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page).to_have_url(guide_url)
    expect(page.locator("h1")).to_have_text(abroad.name_zh)
    expect(page.locator("form.lang-form button[name=language][value=en]")).to_be_visible()

    # 6. Log in as zhangwei, keep the service, find it at home -------------------------------
    page.goto(f"{base}/accounts/login/?next=/services/{ABROAD}/")
    assert_no_sideways_scroll(page, viewport, "login")
    shoot(page, artifacts_dir, viewport, "10-login")
    page.locator("#id_username").fill("zhangwei")
    page.locator("#id_password").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("form.stacked button[type=submit]").click()
    expect(page).to_have_url(guide_url)
    zhangwei = User.objects.get(username="zhangwei")
    expect(page.locator(".site-header .who")).to_have_text(zhangwei.get_full_name())

    star = page.locator(f"form[action='/services/{ABROAD}/favourite/'] button[type=submit]")
    expect(star).to_have_attribute("aria-pressed", "false")
    with page.expect_navigation():
        star.click()
    expect(page).to_have_url(guide_url)
    expect(star).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".messages .message")).to_contain_text(abroad.name_zh)
    assert Favourite.objects.filter(user=zhangwei, service=abroad).exists()
    assert_no_sideways_scroll(page, viewport, "guide, logged in")
    shoot(page, artifacts_dir, viewport, "11-favourited")

    with page.expect_navigation():
        page.locator(".site-header a.brand").click()
    expect(page).to_have_url(base + "/")
    favourite = page.locator(".fav-list a")
    expect(favourite).to_have_count(1)
    expect(favourite).to_have_text(abroad.name_zh)
    expect(favourite).to_have_attribute("href", f"/services/{ABROAD}/")
    # The identity tabs open on the logged-in user's own identity (faculty / staff).
    expect(page.locator(".tabs a.current")).to_have_attribute("href", "?for=staff#tabs-title")
    assert_no_sideways_scroll(page, viewport, "home, logged in")
    shoot(page, artifacts_dir, viewport, "12-home-favourites")

    assert problems.items == [], "\n".join(problems.items)
    # Printed, not asserted: a busy machine makes any wall-clock limit a coin toss. The layout
    # and axe checks are not the visitor's wait.
    elapsed = time.monotonic() - started - (CheckClock.spent - checks_before)
    print(f"the {viewport} catalogue journey: {elapsed:.1f} s")

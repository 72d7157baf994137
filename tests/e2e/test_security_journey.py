"""The Content-Security-Policy in a real browser: the hall's script and the admin's still run.

A policy that blocks a script breaks a page silently, so this journey listens for every
violation the browser reports (the `securitypolicyviolation` event, passed on to the console)
while it uses what runs on script: the apply form's urgent box, a confirmation before a
delete, the admin's change list and forms, and import-export's "select all" box.
"""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from archives.models import ChronicleEntry
from hall.models import User
from tests.e2e.helpers import log_in

pytestmark = pytest.mark.e2e

ABROAD = "cadre-going-abroad"
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + e.blockedURI);
});
"""


def watch_policy(page) -> list[str]:
    seen: list[str] = []
    page.context.add_init_script(REPORT_VIOLATIONS)
    page.on(
        "console",
        lambda msg: (
            ("Content Security Policy" in msg.text or "CSP violation" in msg.text)
            and seen.append(msg.text)
        ),
    )
    return seen


def test_nothing_on_the_hall_or_admin_pages_breaks_the_policy(make_page, demo_data, live_server):
    base = live_server.url

    # zhangwei's apply form: the urgent box shows its reason field only once ticked (hall.js)
    page, problems = make_page("desktop")
    violations = watch_policy(page)
    log_in(page, base, "zhangwei", f"/services/{ABROAD}/apply/")
    reason = page.locator(".urgent-reason")
    expect(reason).to_be_hidden()
    page.locator("#id_urgent").check()
    expect(reason).to_be_visible()
    policy = page.request.get(f"{base}/services/{ABROAD}/apply/").headers["content-security-policy"]
    assert re.search(r"script-src [^;]*'nonce-", policy)
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]

    # an archivist deleting a chronicle entry is asked first (data-confirm, hall.js)
    admin, admin_problems = make_page("desktop")
    violations += watch_policy(admin)
    entry = ChronicleEntry.objects.create(
        date=date(2026, 3, 2), text="档案馆搬迁完成", created_by=User.objects.get(username="admin")
    )
    log_in(admin, base, "admin", f"/archives/chronicle/{entry.pk}/")
    asked: list[str] = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    admin.once("dialog", dismiss)
    admin.locator("button[name=delete]").click()
    expect(admin).to_have_url(f"{base}/archives/chronicle/{entry.pk}/")
    assert asked and asked[0], "a confirmation was asked"
    assert ChronicleEntry.objects.filter(pk=entry.pk).exists(), "dismissed: nothing deleted"

    # the Django admin: index, a change list with its filters, a change form, the lockouts,
    # and import-export's dialog with its "select all" box
    for path in (
        "/admin/",
        "/admin/hall/service/",
        "/admin/hall/service/?is_published__exact=1",
        "/admin/hall/user/add/",
        "/admin/axes/accessattempt/",
    ):
        response = admin.goto(f"{base}{path}")
        assert response.status == 200, path
        assert response.headers["content-security-policy"], path
    admin.goto(f"{base}/admin/hall/service/")
    admin.locator("#result_list tbody th a").first.click()
    expect(admin.locator("#content-main form")).to_be_visible()
    admin.goto(f"{base}/admin/hall/service/export/")
    toggle = admin.locator("input.select-toggle")
    if toggle.count():
        boxes = admin.locator(".selectable-field-export-row input[type=checkbox]")
        expect(boxes.first).to_be_checked()
        toggle.first.uncheck()
        expect(boxes.first).not_to_be_checked()

    everything = problems.items + admin_problems.items
    assert violations == [], "\n".join(violations)
    assert everything == [], "\n".join(everything)

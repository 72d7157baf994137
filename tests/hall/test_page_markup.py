"""What the header and the pages issue #9 found broken say in their markup (no browser needed).

The same pages are checked for layout and with axe-core in tests/e2e/test_layout_journey.py.
"""

import re

import pytest
from django.urls import reverse

from hall.models import Notification, Role, ServiceField
from hall.notifications import notify
from tests.chains import HEAD
from workflows import services

LOGIN_LINK = re.compile(r'<a href="(/accounts/login/[^"]*)">')


def header_login_href(client, url: str) -> str:
    html = client.get(url).content.decode()
    header = html.split("</header>")[0]
    return LOGIN_LINK.search(header).group(1).replace("&amp;", "&")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/services/?q=x", "/accounts/login/?next=%2Fservices%2F%3Fq%3Dx"),
        ("/accounts/login/?next=/services/", "/accounts/login/?next=%2Fservices%2F"),
        ("/accounts/login/", "/accounts/login/"),
        ("/accounts/login/?next=/accounts/login/%3Fnext%3D/", "/accounts/login/"),
        ("/accounts/login/?next=https://evil.example/", "/accounts/login/"),
    ],
)
def test_the_login_link_never_points_back_at_the_login_page(client, db, url, expected):
    # given an anonymous visitor on a page
    # when the header is rendered
    href = header_login_href(client, url)
    # then its login link returns to that page, never nesting the login page in "next"
    assert href == expected


@pytest.mark.parametrize(
    ("lang", "label"), [("zh-hans", "消息，3 条未读"), ("en", "Messages, 3 unread")]
)
def test_the_bells_name_contains_its_visible_count(client, alice, lang, label):
    # given three unread messages
    for n in range(3):
        notify(recipients=[alice], kind=Notification.Kind.COMMENT, subject=f"留言{n}", url="/")
    client.force_login(alice)
    client.cookies["django_language"] = lang
    # when any page is opened
    html = client.get(reverse("hall:home")).content.decode()
    # then the bell's accessible name holds the visible "3" as a word of its own
    assert f'class="bell" aria-label="{label}"' in html
    assert '<span class="bell-count">3</span>' in html


def _form(html: str, action: str) -> dict:
    """The fields of the header's form posting to ``action``."""
    form = re.search(rf'<form action="{re.escape(action)}" method="post"[^>]*>(.*?)</form>', html)
    fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(1))
    return {name: value.replace("&amp;", "&") for name, value in fields}


def test_the_headers_forms_switch_the_language_and_log_out_with_csrf(alice):
    from django.test import Client

    # given a person on a page whose address has a query, with CSRF checks on
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    page = "/services/?q=%3C%E6%8A%A5%E9%94%80%3E&area=x"  # q=<报销>, as a browser sends it
    html = client.get(page).content.decode()
    header = html.split("</header>")[0]
    assert f'<span class="who">{alice.get_full_name()}</span>' in header
    assert 'name="next" value="/services/?q=%3C%E6%8A%A5%E9%94%80%3E&amp;area=x"' in header
    # when they switch to English with the header's form
    switch = _form(header, reverse("set_language"))
    assert switch["next"] == page
    answer = client.post(reverse("set_language"), {**switch, "language": "en"})
    # then they are back on that page, in English
    assert answer.status_code == 302 and answer["Location"] == switch["next"]
    english = client.get(page).content.decode().split("</header>")[0]
    assert 'value="zh-hans" lang="zh-hans"' in english and ">Log out</button>" in english
    # and the log out form's token logs them out
    out = client.post(reverse("logout"), _form(english, reverse("logout")))
    assert out.status_code == 302
    assert '<a href="/accounts/login/' in client.get(page).content.decode().split("</header>")[0]


def test_an_archivist_by_role_is_sent_to_the_record_search(client, alice, research_dept):
    # given alice holds the archivist role (she is not staff)
    Role.objects.create(department=research_dept, code="archivist", name_zh="档案员").holders.add(
        alice
    )
    client.force_login(alice)
    html = client.get(reverse("hall:home")).content.decode()
    nav = html.split('class="main-nav"')[1].split("</nav>")[0]
    link = re.search(r'<a href="(/archives/[^"]*)"', nav).group(1)
    # when she follows the header's archives link
    response = client.get(link)
    # then it opens the record search, not the loans
    assert response.status_code == 302
    assert response["Location"] == reverse("archives:record-list")


def test_everyone_else_is_sent_to_their_loans(client, bob):
    client.force_login(bob)
    html = client.get(reverse("hall:home")).content.decode()
    nav = html.split('class="main-nav"')[1].split("</nav>")[0]
    link = re.search(r'<a href="(/archives/[^"]*)"', nav).group(1)
    response = client.get(link)
    assert response.status_code == 302
    assert response["Location"] == reverse("archives:loans")


def test_the_catalogues_title_is_only_text(client, db):
    html = client.get(reverse("hall:service-list")).content.decode()
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert "<" not in title and "hall.js" not in title


def test_draft_rows_say_draft_once_with_the_service_and_the_last_save(client, make_chain, people):
    # given two drafts of two services
    alice = people["alice"]
    first, second = make_chain([HEAD]), make_chain([HEAD])
    drafts = [
        services.request_save_draft(
            service=s, applicant=alice, form_data={}, files={}, urgent=False, urgent_reason=""
        )
        for s in (first, second)
    ]
    client.force_login(alice)
    # when the list of requests is opened
    html = client.get(reverse("workflows:my-requests")).content.decode()
    # then each row names its service, says "draft" once and shows when it was last saved
    rows = html.split('<li class="service-item">')[1:]
    assert len(rows) == 2
    for draft in drafts:
        row = next(r for r in rows if draft.get_absolute_url() in r)
        assert draft.service.name_zh in row
        assert row.count("草稿") == 1
        assert "最后保存于" in row
        assert re.search(
            r'<time datetime="\d{4}-\d\d-\d\dT[^"]+">\d{4}-\d\d-\d\d \d\d:\d\d</time>', row
        )


def test_the_analytics_tables_scroll_in_a_named_focusable_region(client, olivia):
    client.force_login(olivia)
    html = client.get(reverse("workflows:analytics")).content.decode()
    wraps = re.findall(r'<div class="table-wrap"[^>]*>', html)
    assert len(wraps) == 2
    for wrap in wraps:
        assert 'tabindex="0"' in wrap and 'role="region"' in wrap
        labelled = re.search(r'aria-labelledby="([^"]+)"', wrap).group(1)
        assert f'id="{labelled}"' in html


def test_a_date_range_is_a_fieldset_with_a_legend(client, make_chain, people):
    # given a service whose form has a date range
    service = make_chain([HEAD])
    ServiceField.objects.create(
        service=service, order=10, key="span", label_zh="期间", field_type="date_range"
    )
    client.force_login(people["alice"])
    # when its form is opened
    html = client.get(reverse("workflows:apply", args=[service.code])).content.decode()
    # then no label points at nothing, and the two dates sit in a fieldset named by a legend
    assert 'for=""' not in html
    group = re.search(r"<fieldset[^>]*>\s*<legend>(.*?)</legend>(.*?)</fieldset>", html, re.S)
    assert group and "期间" in group.group(1)
    assert 'id="id_span_0"' in group.group(2) and 'id="id_span_1"' in group.group(2)


def test_messages_are_a_list_inside_a_live_region(client, alice, make_service):
    # given a page that answers with a message (keeping a favourite)
    service = make_service()
    client.force_login(alice)
    # when it is shown
    response = client.post(reverse("hall:favourite-toggle", args=[service.code]), follow=True)
    html = response.content.decode()
    # then the live region holds a real list (a <ul role=status> is no list to a screen reader)
    assert re.search(r'<div role="status"><ul class="messages">\s*<li class="message', html)


def test_a_page_rendered_without_a_request_still_has_its_header(db):
    from django.template.loader import render_to_string

    # given a page of base.html rendered with no request (a template a command or mail renders)
    html = render_to_string("404.html")
    # then its header offers the language switch and a login link, and nothing fails
    header = html.split("</header>")[0]
    assert 'name="language" value="en"' in header and 'name="next" value=""' in header

"""The request page and its 10-second live poll: exact query counts whatever the trail's
length, and a poll that costs two queries and no rendering while nothing moved."""

import re

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from tests.chains import HEAD
from workflows import services
from workflows.models import ApprovalTask
from workflows.views import live_keys


def _decide_all_but_the_last(req, people, steps: int) -> None:
    for _ in range(steps - 1):
        task = ApprovalTask.objects.get(request=req, status="pending")
        services.task_decide(task_id=task.pk, user=people["hank"], action="approve")


@pytest.fixture
def in_progress(make_chain, submit, people):
    """A request of ``steps`` steps, each for the applicant's head, decided but the last."""

    def make(steps: int):
        req = submit(make_chain([HEAD] * steps))
        _decide_all_but_the_last(req, people, steps)
        return req

    return make


def _poll(client, req, stamp: str = ""):
    headers = {"HTTP_IF_NONE_MATCH": f'"{stamp}"'} if stamp else {}
    return client.get(reverse("workflows:request-progress", args=[req.pk]), **headers)


@pytest.mark.parametrize("steps", [1, 20], ids=["1-trail-step", "20-trail-steps"])
def test_the_request_page_costs_the_same_queries_for_a_short_and_a_long_trail(
    client, django_assert_num_queries, in_progress, people, steps
):
    # given a request in progress with 1 or 20 steps (and as many trail entries)
    req = in_progress(steps)
    client.force_login(people["alice"])
    stamp = client.get(req.get_absolute_url()).context["live_stamp"]  # fills the caches
    # (session, the bell's count, the service's step history of the likely finish)
    cache.delete_many(live_keys(req, stamp))  # as if it had moved since
    # when the applicant opens it: user, request (+ its latest trail entry), tasks, trail (its
    # form has no file field: no attachments to read)
    with django_assert_num_queries(4):
        response = client.get(req.get_absolute_url())
    # then every step and every decision is on it
    assert response.status_code == 200
    assert len(response.context["progress_rows"]) == steps
    assert len(response.context["trail_rows"]) == steps  # submitted + each decision
    # and seen again before it moves, its progress and history come from the cache: user,
    # request
    with django_assert_num_queries(2):
        again = client.get(req.get_absolute_url())
    assert _live_lists(again) == _live_lists(response)


def _live_lists(response) -> list[str]:
    html = response.content.decode()
    return re.findall(r'<ol class="(?:progress|trail)".*?</ol>', html, re.S)


@pytest.mark.parametrize("steps", [1, 20], ids=["1-trail-step", "20-trail-steps"])
def test_the_poll_while_nothing_moved_is_a_304_after_two_queries(
    client, django_assert_num_queries, in_progress, people, steps
):
    # given the page open with the stamp of what it shows
    req = in_progress(steps)
    client.force_login(people["alice"])
    with time_machine.travel("2026-11-10 09:00 +0800", tick=False):
        page = client.get(req.get_absolute_url())
        stamp = page.context["live_stamp"]
        assert f'data-stamp="{stamp}"' in page.content.decode()
        # when it polls ten seconds later: the person, then the request's stamp (its status,
        # times and latest entry; no joins for its applicant)
        later = time_machine.travel("2026-11-10 09:00:10 +0800", tick=False)
        with later, django_assert_num_queries(2):
            response = _poll(client, req, stamp)
    # then nothing is rendered or sent
    assert response.status_code == 304 and response.content == b""
    assert response["ETag"] == f'"{stamp}"'


@pytest.mark.parametrize("steps", [1, 20], ids=["1-trail-step", "20-trail-steps"])
def test_the_poll_sends_the_live_part_again_once_the_request_moved(
    client, django_assert_num_queries, in_progress, people, steps
):
    # given the page open at a request with 1 or 20 steps
    req = in_progress(steps)
    client.force_login(people["alice"])
    stamp = client.get(req.get_absolute_url()).context["live_stamp"]
    # when the head approves the last step and the page polls
    task = ApprovalTask.objects.get(request=req, status="pending")
    services.task_decide(task_id=task.pk, user=people["hank"], action="approve")
    # user, the request's stamp (moved), request, tasks, trail, archived code, rating, the
    # research fees' transference facts (registered by workflows.research); no file field, so
    # no attachments
    with django_assert_num_queries(8):
        response = _poll(client, req, stamp)
    # then the fresh live part says so, with a new stamp, and stops the polling
    html = response.content.decode()
    assert response.status_code == 200 and response["ETag"] != f'"{stamp}"'
    assert 'data-open="0"' in html and response.context["live_stamp"] in html
    assert len(response.context["trail_rows"]) == steps + 1


def test_a_claim_without_a_save_of_the_request_moves_the_stamp(client, in_progress, people):
    # given the applicant's page open
    req = in_progress(1)
    client.force_login(people["alice"])
    stamp = client.get(req.get_absolute_url()).context["live_stamp"]
    # when the head comments (a trail entry; the request row is not saved)
    services.request_comment(request_id=req.pk, user=people["hank"], comment="已阅，请补充发票")
    response = _poll(client, req, stamp)
    # then the poll brings the comment, and so does the page reloaded (its kept progress and
    # history were kept under the old stamp)
    assert response.status_code == 200 and "已阅，请补充发票" in response.content.decode()
    assert "已阅，请补充发票" in client.get(req.get_absolute_url()).content.decode()


def test_the_countdown_moves_the_stamp_when_its_words_change(client, in_progress, people):
    from datetime import UTC, datetime

    from workflows.selectors import PREDICTION_REFRESH_SECONDS as REFRESH

    # given the page open a few minutes before the step is due, at the start of one of the
    # likely finish's 10-minute periods (so only the countdown can change)
    req = in_progress(1)
    start = (int(req.current_due.timestamp()) - 120) // REFRESH * REFRESH
    with time_machine.travel(datetime.fromtimestamp(start, UTC), tick=False):
        client.force_login(people["alice"])
        stamp = client.get(req.get_absolute_url()).context["live_stamp"]
    # when a minute passes, the "… minutes left" reads differently
    with time_machine.travel(datetime.fromtimestamp(start + 60, UTC), tick=False):
        response = _poll(client, req, stamp)
    # then the poll renders it again
    assert response.status_code == 200


def test_nobody_else_polls_the_request(client, in_progress, people):
    # given a request of alice's
    req = in_progress(1)
    # when an outsider or an anonymous visitor polls it
    client.force_login(people["charlie"])
    outsider = _poll(client, req)
    client.logout()
    anonymous = _poll(client, req)
    # then 404 and the login page
    assert outsider.status_code == 404
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]


def test_the_poll_of_someone_else_than_the_applicant_asks_who_may_see_it(
    client, django_assert_num_queries, in_progress, people
):
    # given the head, who decided a step, and a stranger, each polling with the page's stamp
    req = in_progress(2)
    client.force_login(people["hank"])
    stamp = client.get(req.get_absolute_url()).context["live_stamp"]
    # when the head polls: the person, the request's light stamp, whether the head may see it
    with django_assert_num_queries(3):
        response = _poll(client, req, stamp)
    assert response.status_code == 304
    # a stranger learns nothing, whatever stamp they send
    client.force_login(people["charlie"])
    assert _poll(client, req, stamp).status_code == 404
    assert _poll(client, req).status_code == 404


def _csrf_of(html: str, action: str) -> str:
    form = re.search(rf'<form method="post" action="{re.escape(action)}".*?</form>', html, re.S)
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.group(0)).group(1)


def test_a_kept_live_part_carries_each_browsers_own_csrf_token(in_progress, people):
    """The live part is rendered once per stamp and kept: a second browser of the same person
    gets it with its own CSRF token, and its form posts."""
    from django.test import Client

    req = in_progress(1)
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    for browser in (first, second):
        browser.force_login(people["alice"])
    withdraw = reverse("workflows:request-withdraw", args=[req.pk])
    first_page = first.get(req.get_absolute_url())  # renders and keeps the live part
    seen_again = second.get(req.get_absolute_url())
    assert "progress_rows" not in seen_again.context  # the kept one: not rendered again
    token = _csrf_of(seen_again.content.decode(), withdraw)
    assert token != _csrf_of(first_page.content.decode(), withdraw)
    answer = second.post(withdraw, {"csrfmiddlewaretoken": token, "comment": "不需要了"})
    assert answer.status_code == 302
    req.refresh_from_db()
    assert req.status == "withdrawn"


def test_the_live_part_shows_a_rating_given_since_it_was_kept(client, in_progress, people):
    req = in_progress(1)
    task = ApprovalTask.objects.get(request=req, status="pending")
    services.task_decide(task_id=task.pk, user=people["hank"], action="approve")
    client.force_login(people["alice"])
    before = client.get(req.get_absolute_url()).content.decode()
    assert 'class="rating-form"' in before
    from workflows.models import Rating

    Rating.objects.create(request=req, score=4, comment="")  # not through the request's save
    after = client.get(req.get_absolute_url()).content.decode()
    assert 'class="rating-form"' not in after and "4/5" in after

"""The message that ends a request says how it ended (approved, rejected with the reason,
withdrawn) in the bell, the e-mail and the enterprise-chat webhook alike."""

import json
from contextlib import contextmanager

import pytest
from django.core import mail
from django.urls import reverse

from hall.models import Notification
from tests.chains import HEAD
from workflows import services
from workflows.models import ApprovalTask


@pytest.fixture
def webhook_posts(settings, monkeypatch):
    settings.HALL_WEBHOOK_URL = "http://chat.example.edu/hook"
    posts = []

    class Answer:
        status = 200

    @contextmanager
    def urlopen(request, timeout):
        posts.append((request.get_header("X-hall-delivery"), json.loads(request.data)))
        yield Answer()

    monkeypatch.setattr("hall.notifications.urllib.request.urlopen", urlopen)
    return posts


def finish(outcome, *, make_chain, submit, people):
    """Submits alice's request and ends it; returns who was told and the request."""
    req = submit(make_chain([HEAD], name_zh="出国申请", name_en="Going abroad"))
    task = ApprovalTask.objects.get(request=req, status="pending")
    if outcome == "withdraw":
        services.request_withdraw(request_id=req.pk, user=people["alice"], comment="计划有变")
        return people["hank"], req
    comment = "经费来源不符合规定" if outcome == "reject" else ""
    services.task_decide(task_id=task.pk, user=people["hank"], action=outcome, comment=comment)
    return people["alice"], req


# outcome → (kind, words the reader must find in Chinese, and in English)
OUTCOMES = {
    "approve": ("request_approved", ["已通过：出国申请"], ["Approved: Going abroad"]),
    "reject": (
        "request_rejected",
        ["未通过（已驳回）：出国申请", "理由：经费来源不符合规定"],
        ["Rejected: Going abroad", "Reason: 经费来源不符合规定"],
    ),
    "withdraw": (
        "request_withdrawn",
        ["申请人已撤回：出国申请", "理由：计划有变"],
        ["Withdrawn by the applicant: Going abroad", "Reason: 计划有变"],
    ),
}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("outcome", OUTCOMES)
def test_the_finishing_mail_and_webhook_say_the_outcome_and_the_reason(
    outcome,
    language,
    make_chain,
    submit,
    people,
    webhook_posts,
    django_capture_on_commit_callbacks,
    celery_eager,
):
    # given: the person told reads mail and the enterprise chat, in their language
    for person in (people["alice"], people["hank"]):
        person.email = f"{person.username}@example.edu"
        person.notify_by_webhook, person.language = True, language
        person.save()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        told, req = finish(outcome, make_chain=make_chain, submit=submit, people=people)
    # then
    kind, zh, en = OUTCOMES[outcome]
    words = en if language == "en" else zh
    note = Notification.objects.get(recipient=told, kind=kind)
    [message] = [
        m for m in mail.outbox if m.extra_headers["Message-ID"].startswith(f"<delivery-{note.pk}@")
    ]
    [post] = [p for key, p in webhook_posts if key == f"{note.pk}:webhook"]
    assert message.subject.startswith(words[0])
    mailed = message.subject + message.body + message.alternatives[0][0]
    chatted = post["textcard"]["title"] + post["textcard"]["description"]
    assert all(w in mailed for w in words), mailed
    assert all(w in chatted for w in words), chatted
    assert note.url == req.get_absolute_url()


@pytest.mark.parametrize("outcome", OUTCOMES)
def test_the_message_list_says_the_outcome_and_the_reason(
    client, outcome, make_chain, submit, people
):
    # given
    told, _ = finish(outcome, make_chain=make_chain, submit=submit, people=people)
    # when
    client.force_login(told)
    html = client.get(reverse("hall:notifications")).content.decode()
    # then
    kind, zh, _ = OUTCOMES[outcome]
    label = {
        "request_approved": "申请已通过",
        "request_rejected": "申请未通过（已驳回）",
        "request_withdrawn": "申请已撤回",
    }[kind]
    assert f"{label} · 出国申请" in html
    assert all(w in html for w in zh[1:])
    assert "申请已办结" not in html


def test_a_rejection_no_longer_reads_like_a_finish(make_chain, submit, people):
    told, _ = finish("reject", make_chain=make_chain, submit=submit, people=people)
    note = Notification.objects.get(recipient=told, kind="request_rejected")
    assert note.body == "经费来源不符合规定"
    assert not Notification.objects.filter(kind="request_finished").exists()

"""NPC/CPPCC proposals after acceptance: the co-handling units' opinions with their month and
their reminders (exactly once through the tick), a proposal made complex through the catalogue
chain, and the proposer's satisfaction form (the office's page and the proposer's link), whose
"dissatisfied" reopens the case with 3 months for a new reply."""

import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from hall.models import Notification
from reception import case_services as cs
from reception import proposals
from reception.case_merging import proposal_create, proposal_grade
from reception.models import Case, CaseExtension, CaseOpinion, ProposalFeedback
from workflows import services as engine
from workflows.models import ApprovalTask, SentOnce
from workflows.reminders import app_ticks

from .conftest import at


def proposal(noise, office, **kw):
    values = dict(
        channel=Case.Channel.CPPCC,
        category=noise,
        title="关于增设公交线路的提案",
        content="建议增设通往新校区的公交线路。",
        term=14,
        session=3,
        proposal_number="0456",
        first_proposer="陈委员",
        contact_phone="13700002222",
        received_by=office,
    )
    values.update(kw)
    return proposal_create(**values)


@pytest.fixture
def catalogue(areas):
    """The internal service is made in the first area."""
    return areas


@pytest.fixture
def handled(office, roads, parks, noise):
    """Accepted on 2026-12-10 (3 months: 2027-03-10; co-handlers: 2027-01-10), dispatched to
    roads with parks co-handling."""
    with time_machine.travel(at("2026-12-10", "10:00"), tick=False):
        case = cs.case_accept(case=proposal(noise, office), by=office)
        return cs.case_dispatch(case=case, by=office, lead_unit=roads, co_units=[parks])


def tick(day, hm):
    with time_machine.travel(at(day, hm), tick=False):
        sent = app_ticks()
    return {k.removeprefix("proposals."): v for k, v in sent.items() if k.startswith("proposals.")}


# --- 会办意见 -------------------------------------------------------------------------------


def test_a_co_unit_owes_its_opinion_within_a_month_of_acceptance(handled, parks):
    opinion = CaseOpinion.objects.get(case=handled)
    assert opinion.unit == parks
    assert timezone.localtime(opinion.due_at) == at("2027-01-10", "17:30")


def test_a_co_units_opinion_is_reminded_once_before_and_once_at_its_deadline(handled, ron, pat):
    # nothing before the reminder's day
    assert tick("2027-01-05", "09:00") == {"opinion_due": 0, "opinion_overdue": 0}
    # the working day before the deadline (Sunday 10 Jan → Friday 8 Jan), twice: once
    assert tick("2027-01-08", "09:00")["opinion_due"] == 1
    assert tick("2027-01-08", "10:00")["opinion_due"] == 0
    assert Notification.objects.filter(recipient=pat, kind="reminder").count() == 1
    assert Notification.objects.filter(recipient=ron, kind="reminder").count() == 0
    # at the deadline the co-unit and the lead unit are told, once
    assert tick("2027-01-11", "09:00")["opinion_overdue"] == 1
    assert tick("2027-01-12", "09:00")["opinion_overdue"] == 0
    assert Notification.objects.filter(recipient=ron, kind="overdue").count() == 1
    assert SentOnce.objects.filter(kind__startswith="proposals.").count() == 2


def test_an_opinion_given_is_not_reminded(handled, pat):
    with time_machine.travel(at("2026-12-20", "10:00"), tick=False):
        proposals.opinion_give(case=handled, by=pat, text="园林处同意在沿线补种行道树。")
    assert tick("2027-01-08", "09:00")["opinion_due"] == 0
    assert tick("2027-01-11", "09:00")["opinion_overdue"] == 0
    assert "opinion" in handled.events.values_list("action", flat=True)


@pytest.mark.parametrize(
    ("who", "text", "message"),
    [
        ("ron", "意见", "Only a co-handling unit's staff"),
        ("charlie", "意见", "Only a co-handling unit's staff"),
        ("pat", "  ", "Write your unit's opinion"),
    ],
    ids=["the-lead-unit", "an-outsider", "empty"],
)
def test_opinion_refusals_change_nothing(handled, ron, pat, charlie_user, who, text, message):
    people = {"ron": ron, "pat": pat, "charlie": charlie_user}
    with pytest.raises(cs.CaseError, match=message):
        proposals.opinion_give(case=handled, by=people[who], text=text)
    assert CaseOpinion.objects.get(case=handled).given_at is None


def test_an_opinion_is_given_once(handled, pat):
    proposals.opinion_give(case=handled, by=pat, text="同意。")
    with pytest.raises(cs.CaseError, match="already given"):
        proposals.opinion_give(case=handled, by=pat, text="再次")
    assert CaseOpinion.objects.get(case=handled).text == "同意。"


def test_the_co_unit_gives_its_opinion_on_the_case_page(client, handled, pat, ron):
    client.force_login(pat)
    page = client.get(handled.get_absolute_url()).content.decode()
    assert "Give the opinion" in page
    response = client.post(
        reverse("reception:case-opinion", args=[handled.pk]), {"opinion": "同意。"}, follow=True
    )
    assert "Your unit&#x27;s opinion is given" in response.content.decode()
    # refused the second time: the message, nothing changed
    response = client.post(
        reverse("reception:case-opinion", args=[handled.pk]), {"opinion": "再次"}, follow=True
    )
    assert "already given" in response.content.decode()
    assert CaseOpinion.objects.get(case=handled).text == "同意。"
    client.force_login(ron)
    page = client.get(handled.get_absolute_url()).content.decode()
    assert "同意。" in page and "Give the opinion" not in page


# --- a complex proposal -------------------------------------------------------------------


def _decide(office, extension, action):
    task = ApprovalTask.objects.get(request=extension.request, status="pending")
    engine.task_decide(task_id=task.pk, user=office, action=action, comment="同意")


def test_a_proposal_made_complex_gets_six_months_once_approved(
    handled, office, ron, pat, catalogue
):
    with time_machine.travel(at("2027-01-04", "10:00"), tick=False):
        with pytest.raises(cs.CaseError, match="lead unit's staff"):
            proposals.complex_request(case_id=handled.pk, user=pat, reason="x")
        assert CaseExtension.objects.count() == 0
        extension = proposals.complex_request(
            case_id=handled.pk, user=ron, reason="涉及多部门和财政资金"
        )
        assert extension.makes_complex
        assert extension.request.service.code == proposals.COMPLEX_SERVICE
        handled.refresh_from_db()
        assert timezone.localtime(handled.due_at) == at("2027-03-10", "17:30")
        with pytest.raises(cs.CaseError, match="already waiting"):
            proposals.complex_request(case_id=handled.pk, user=ron, reason="再次")
        _decide(office, extension, "approve")
    handled.refresh_from_db()
    assert timezone.localtime(handled.due_at) == at("2027-06-10", "17:30")
    assert handled.proposal.is_complex
    assert "made_complex" in handled.events.values_list("action", flat=True)
    with pytest.raises(cs.CaseError, match="already complex"):
        proposals.complex_request(case_id=handled.pk, user=ron, reason="x")


def test_a_refused_complex_request_keeps_three_months(handled, office, ron, catalogue):
    with time_machine.travel(at("2027-01-04", "10:00"), tick=False):
        extension = proposals.complex_request(case_id=handled.pk, user=ron, reason="复杂")
        _decide(office, extension, "reject")
    handled.refresh_from_db()
    assert timezone.localtime(handled.due_at) == at("2027-03-10", "17:30")
    assert not handled.proposal.is_complex


def test_an_ordinary_case_cannot_be_made_complex(office, ron, roads, noise, catalogue):
    from .conftest import new_case

    case = cs.case_dispatch(
        case=cs.case_accept(case=new_case(noise), by=office), by=office, lead_unit=roads
    )
    with pytest.raises(cs.CaseError, match="Only a suggestion or proposal"):
        proposals.complex_request(case_id=case.pk, user=ron, reason="x")


def test_the_lead_unit_asks_for_complex_on_the_page(client, handled, ron, catalogue):
    client.force_login(ron)
    assert "Ask to count it as complex" in client.get(handled.get_absolute_url()).content.decode()
    response = client.post(
        reverse("reception:case-complex", args=[handled.pk]), {"reason": "涉及多部门"}, follow=True
    )
    assert "once approved" in response.content.decode()
    assert CaseExtension.objects.filter(case=handled, makes_complex=True).count() == 1


# --- the proposer's satisfaction form -------------------------------------------------------


def _closed(case, office, ron):
    case = cs.case_sign(case=case, by=ron)
    case = cs.case_reply(case=case, by=ron, reply="已开通 K12 路。")
    proposal_grade(case=case, by=ron, grade="A")
    return cs.case_close(case=case, by=office)


ANSWERS = {"contact": "satisfied", "attitude": "satisfied", "result": "satisfied"}


def test_the_proposer_answers_through_the_link_without_signing_in(client, handled, office, ron):
    with time_machine.travel(at("2027-01-20", "10:00"), tick=False):
        case = _closed(handled, office, ron)
    feedback = ProposalFeedback.objects.get(case=case)
    url = reverse("reception:proposal-feedback-public", args=[feedback.token])
    page = client.get(url).content.decode()
    assert "已开通 K12 路。" in page and "13700002222" not in page
    response = client.post(url, {**ANSWERS, "opinion": "很好"}, follow=True)
    assert "the answers are recorded" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Case.Status.DONE and case.satisfaction == "satisfied"
    feedback.refresh_from_db()
    assert feedback.answered_at is not None and feedback.recorded_by is None
    # a second answer through the same link changes nothing
    client.post(url, {**ANSWERS, "result": "dissatisfied"})
    case.refresh_from_db()
    assert case.status == Case.Status.DONE


def test_the_link_offers_no_form_once_the_case_is_called_back_otherwise(
    client, handled, office, ron
):
    # given a closed proposal the office called back by phone
    case = _closed(handled, office, ron)
    feedback = ProposalFeedback.objects.get(case=case)
    cs.case_callback(case=case, by=office, satisfaction="satisfied", note="电话回访")
    # then the proposer's link says so instead of a form that would be refused
    page = client.get(reverse("reception:proposal-feedback-public", args=[feedback.token]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "This form no longer waits for an answer." in text and 'name="result"' not in text


def test_the_form_labels_its_questions_without_a_colon(client, handled, office, ron):
    case = _closed(handled, office, ron)
    feedback = ProposalFeedback.objects.get(case=case)
    text = client.get(
        reverse("reception:proposal-feedback-public", args=[feedback.token])
    ).content.decode()
    assert "<legend>" in text and ":</label>" not in text and ":</legend>" not in text


def test_a_dissatisfied_proposer_gets_a_new_reply_within_three_months(client, handled, office, ron):
    with time_machine.travel(at("2027-01-20", "10:00"), tick=False):
        case = _closed(handled, office, ron)
    url = reverse("reception:proposal-feedback", args=[case.pk])
    with time_machine.travel(at("2027-01-25", "10:00"), tick=False):
        # signed in on the day (the idle sign-out would end a session a month old)
        client.force_login(office)
        response = client.post(url, {**ANSWERS, "result": "dissatisfied"}, follow=True)
    assert "the answers are recorded" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Case.Status.SIGNED and case.reopened == 1
    assert timezone.localtime(case.due_at) == at("2027-04-25", "17:30")
    assert ProposalFeedback.objects.get(case=case).recorded_by == office
    # the clock restarted: its reminders apply to the new deadline
    with time_machine.travel(at("2027-04-23", "09:00"), tick=False):
        assert app_ticks()["cases.approaching"] == 1
    # the next reply gets a form of its own
    with time_machine.travel(at("2027-03-01", "10:00"), tick=False):
        case = cs.case_reply(case=case, by=ron, reply="已增加班次。")
        case = cs.case_close(case=case, by=office)
    assert ProposalFeedback.objects.filter(case=case).count() == 2


def test_feedback_refusals_change_nothing(client, handled, office, ron, pat):
    # not closed yet: no form waits
    client.force_login(office)
    assert client.get(reverse("reception:proposal-feedback", args=[handled.pk])).status_code == 404
    case = _closed(handled, office, ron)
    feedback = ProposalFeedback.objects.get(case=case)
    with pytest.raises(cs.CaseError, match="Only the office"):
        proposals.feedback_record(feedback=feedback, by=pat, **ANSWERS)
    with pytest.raises(cs.CaseError, match="each of the three"):
        proposals.feedback_record(feedback=feedback, by=office, **{**ANSWERS, "result": "x"})
    response = client.post(
        reverse("reception:proposal-feedback", args=[case.pk]), {"contact": "satisfied"}
    )
    assert response.status_code == 200
    feedback.refresh_from_db()
    case.refresh_from_db()
    assert feedback.answered_at is None and case.status == Case.Status.CLOSED


@pytest.mark.parametrize(
    ("who", "status"),
    [("office", 200), ("ron", 404), ("pat", 404), ("charlie", 404), ("anonymous", 302)],
)
def test_the_offices_feedback_page_by_persona(
    client, handled, office, ron, pat, charlie_user, who, status
):
    case = _closed(handled, office, ron)
    people = {"office": office, "ron": ron, "pat": pat, "charlie": charlie_user}
    if who in people:
        client.force_login(people[who])
    response = client.get(reverse("reception:proposal-feedback", args=[case.pk]))
    assert response.status_code == status


def test_an_unknown_feedback_token_is_404(client, db):
    url = reverse(
        "reception:proposal-feedback-public", args=["00000000-0000-0000-0000-000000000000"]
    )
    assert client.get(url).status_code == 404


def test_the_case_page_names_the_co_units_apart_and_the_opinion_without_a_colon(
    client, settings, handled, office, pat
):
    proposals.opinion_give(case=handled, by=pat, text="同意主办单位意见")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    client.force_login(office)
    page = client.get(handled.get_absolute_url()).content.decode()
    assert "<dt>协办单位</dt><dd>园林处</dd>" in page and "协办单位:" not in page
    # the opinions' list: the unit · the day · the opinion
    assert re.search(r"<strong>园林处</strong> · \d{4}-\d{2}-\d{2} · 同意主办单位意见", page)

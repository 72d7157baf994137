"""Part 2 of the people's voices through the pages: merging from the likely duplicates, asking
for more time, grading a proposal's reply, a 信访 case's written notices (URL × persona), the
NPC/CPPCC desk, and the public form's 姓名."""

import pytest
import time_machine
from django.urls import reverse

from reception import case_services as cs
from reception.case_merging import proposal_create
from reception.models import Case, CaseExtension, CaseNotice

from .conftest import at, new_case


@pytest.fixture
def petition(office, roads, parks, noise):
    with time_machine.travel(at("2026-12-07", "09:00"), tick=False):
        case = cs.case_accept(case=new_case(noise, channel="petition"), by=office)
        return cs.case_dispatch(case=case, by=office, lead_unit=roads, co_units=[parks])


@pytest.mark.parametrize(
    ("who", "status"),
    [("office", 200), ("ron", 200), ("pat", 200), ("charlie", 404), ("anonymous", 302)],
)
def test_a_written_notice_by_persona(client, petition, office, ron, pat, charlie_user, who, status):
    notice = CaseNotice.objects.get(case=petition, kind="accepted")
    people = {"office": office, "ron": ron, "pat": pat, "charlie": charlie_user}
    if who in people:
        client.force_login(people[who])
    response = client.get(reverse("reception:case-notice", args=[petition.pk, notice.pk]))
    assert response.status_code == status
    if status == 200:
        assert "王小明" in response.content.decode()


def test_an_anonymous_petitions_notice_is_hidden_from_the_units(client, office, ron, roads, noise):
    case = new_case(noise, channel="petition", anonymous=True, contact_phone="")
    case = cs.case_dispatch(case=cs.case_accept(case=case, by=office), by=office, lead_unit=roads)
    notice = CaseNotice.objects.get(case=case)
    client.force_login(ron)
    url = reverse("reception:case-notice", args=[case.pk, notice.pk])
    assert client.get(url).status_code == 404
    assert url not in client.get(case.get_absolute_url()).content.decode()
    client.force_login(office)
    assert client.get(url).status_code == 200


def test_the_office_merges_a_likely_duplicate_from_the_case_page(client, office, ron, noise):
    main, second = new_case(noise), new_case(noise, contact_name="李四", contact_phone="1370")
    client.force_login(office)
    page = client.get(second.get_absolute_url()).content.decode()
    assert "Likely duplicates" in page and main.number in page
    # a unit's staff is refused (they do not even see an unassigned case)
    client.force_login(ron)
    assert (
        client.post(
            reverse("reception:case-merge", args=[second.pk]), {"into": main.pk}
        ).status_code
        == 404
    )
    client.force_login(office)
    response = client.post(
        reverse("reception:case-merge", args=[second.pk]), {"into": main.pk}, follow=True
    )
    second.refresh_from_db()
    assert second.status == Case.Status.MERGED and second.merged_into == main
    body = response.content.decode()
    assert "Co-complainants" in body and "李四" in body
    # a bad target is a message and changes nothing
    third = new_case(noise)
    response = client.post(
        reverse("reception:case-merge", args=[third.pk]), {"into": "x"}, follow=True
    )
    assert "Choose the case to merge into" in response.content.decode()
    assert Case.objects.get(pk=third.pk).status == Case.Status.NEW


def test_the_lead_unit_asks_for_more_time_on_the_case_page(client, areas, petition, ron, pat):
    url = reverse("reception:case-extend", args=[petition.pk])
    client.force_login(pat)  # a co-unit may not
    response = client.post(url, {"new_deadline": "2027-02-20", "reason": "x"}, follow=True)
    assert "Only the lead unit" in response.content.decode()
    client.force_login(ron)
    assert "Ask for more time" in client.get(petition.get_absolute_url()).content.decode()
    response = client.post(url, {"new_deadline": "not a date", "reason": "x"}, follow=True)
    assert "Give the new deadline" in response.content.decode()
    response = client.post(url, {"new_deadline": "2027-02-20", "reason": "情况复杂"}, follow=True)
    assert "the deadline moves once approved" in response.content.decode()
    assert CaseExtension.objects.get(case=petition).status == "pending"
    assert "Ask for more time" not in response.content.decode()


def test_the_desk_for_proposals_and_grading_the_reply(client, office, ron, roads, noise):
    url = reverse("reception:proposal-new")
    client.force_login(ron)
    assert client.get(url).status_code == 404
    client.force_login(office)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "channel": "cppcc",
            "term": 13,
            "session": 2,
            "proposal_number": "0456",
            "first_proposer": "张委员",
            "co_signers": "李委员",
            "category": noise.pk,
            "title": "关于增设公交线路的提案",
            "content": "建议增设公交线路。",
            "contact_phone": "13600001111",
        },
        follow=True,
    )
    case = Case.objects.get(channel="cppcc")
    assert "CPPCC proposal" in response.content.decode() and "张委员" in response.content.decode()
    case = cs.case_accept(case=case, by=office)
    case = cs.case_sign(case=cs.case_dispatch(case=case, by=office, lead_unit=roads), by=ron)
    client.force_login(ron)
    response = client.post(
        reverse("reception:case-grade", args=[case.pk]), {"grade": "A"}, follow=True
    )
    assert "The grade is recorded" in response.content.decode()
    case.proposal.refresh_from_db()
    assert case.proposal.grade == "A"


@pytest.mark.parametrize(
    ("who", "status"), [("office", 200), ("ron", 404), ("charlie", 404), ("anonymous", 302)]
)
def test_the_proposal_desk_by_persona(client, office, ron, charlie_user, who, status):
    people = {"office": office, "ron": ron, "charlie": charlie_user}
    if who in people:
        client.force_login(people[who])
    assert client.get(reverse("reception:proposal-new")).status_code == status


@pytest.mark.parametrize("url", ["case-merge", "case-extend", "case-grade"])
def test_the_posts_need_a_login_and_a_visible_case(client, petition, charlie_user, url):
    target = reverse(f"reception:{url}", args=[petition.pk])
    assert client.post(target).status_code == 302
    client.force_login(charlie_user)
    assert client.post(target).status_code == 404
    assert client.get(target).status_code in (404, 405)


def test_the_public_forms_name_reads_xingming_in_chinese(client, settings, noise):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page = client.get(reverse("reception:message")).content.decode()
    assert "姓名" in page and "名称" not in page


def test_a_proposal_needs_its_proposer(office, noise):
    with pytest.raises(cs.CaseError, match="first proposer"):
        proposal_create(
            channel="npc",
            category=noise,
            title="t",
            content="c",
            term=1,
            session=1,
            proposal_number="1",
            first_proposer=" ",
            contact_phone="1",
        )
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    "model", ["caseproposal", "caseextension", "casenotice", "casecomplainant", "case"]
)
def test_the_admin_lists_and_pages_of_part_2_open(client, olivia, petition, model):
    from reception.models import CaseComplainant

    CaseComplainant.objects.create(
        case=petition, from_case=new_case(petition.category), name="李四"
    )
    client.force_login(olivia)
    assert client.get(f"/admin/reception/{model}/").status_code == 200
    if model == "case":
        assert client.get(f"/admin/reception/case/{petition.pk}/change/").status_code == 200
    if model == "casenotice":
        notice = CaseNotice.objects.filter(case=petition).first()
        assert client.get(f"/admin/reception/casenotice/{notice.pk}/change/").status_code == 200


def test_the_office_decides_the_extension_in_its_inbox_with_the_case_linked(
    client, areas, petition, office, ron
):
    from datetime import timedelta

    from reception import case_clock
    from workflows.models import ApprovalTask

    cs.case_sign(case=petition, by=ron)
    due = petition.due_at
    extension = case_clock.extension_request(
        case_id=petition.pk, user=ron, new_day=(due + timedelta(days=10)).date(), reason="情况复杂"
    )
    task = ApprovalTask.objects.get(request=extension.request, status="pending")
    client.force_login(office)
    page = client.get(reverse("workflows:task-detail", args=[task.pk])).content.decode()
    assert f'<a href="{petition.get_absolute_url()}">{petition.number}</a>' in page
    assert "情况复杂" in page
    # the case page says an extension waits, and offers no second one
    client.force_login(ron)
    page = client.get(petition.get_absolute_url()).content.decode()
    assert "Waiting for approval" in page and "Ask for more time" not in page


def test_the_office_lists_the_overdue_cases(client, office, roads, noise):
    with time_machine.travel(at("2026-11-02", "09:00"), tick=False):
        late = cs.case_accept(case=new_case(noise, title="逾期的工单", kind="urgent"), by=office)
    fresh = cs.case_accept(case=new_case(noise, title="未到期的工单", kind="complaint"), by=office)
    client.force_login(office)
    page = client.get(reverse("reception:cases"), {"overdue": "1"}).content.decode()
    assert late.number in page and fresh.number not in page
    assert 'class="overdue"' in page
    page = client.get(reverse("reception:cases"), {"overdue": "maybe"}).content.decode()
    assert late.number in page and fresh.number in page and "was left out" in page

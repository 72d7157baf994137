"""The people's voices through the pages: who sees a case (URL × persona), the contact masked
on every page but the handling staff's, the public form and look-up, constant query counts."""

import pytest
from django.urls import reverse

from reception import case_selectors as selectors
from reception import case_services as cs
from reception.models import Case

from .conftest import new_case

PHONE = "13812345678"
MASKED = "138****5678"


@pytest.fixture
def dispatched(office, roads, parks, noise):
    case = cs.case_accept(case=new_case(noise), by=office)
    return cs.case_dispatch(case=case, by=office, lead_unit=roads, co_units=[parks])


@pytest.mark.parametrize(
    ("who", "status", "phone"),
    [
        ("office", 200, PHONE),
        ("ron", 200, PHONE),  # the lead unit
        ("pat", 200, PHONE),  # a co-unit handles it too
        ("charlie", 404, None),
        ("anonymous", 302, None),
    ],
)
def test_a_case_page_by_persona(
    client, dispatched, office, ron, pat, charlie_user, who, status, phone
):
    people = {"office": office, "ron": ron, "pat": pat, "charlie": charlie_user}
    if who in people:
        client.force_login(people[who])
    response = client.get(dispatched.get_absolute_url())
    assert response.status_code == status
    if phone:
        assert phone in response.content.decode()


def test_an_anonymous_case_hides_the_person_from_the_units(client, office, ron, roads, noise):
    case = new_case(noise, anonymous=True)
    case = cs.case_dispatch(case=cs.case_accept(case=case, by=office), by=office, lead_unit=roads)
    client.force_login(ron)
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Anonymous" in page
    assert PHONE not in page
    assert MASKED not in page
    assert "王小明" not in page
    client.force_login(office)
    assert PHONE in client.get(case.get_absolute_url()).content.decode()


def test_the_loop_through_the_pages(client, office, ron, roads, noise):
    case = new_case(noise)
    act = reverse("reception:case-act", args=[case.pk])
    client.force_login(office)
    client.post(act, {"action": "accept"})
    client.post(act, {"action": "dispatch", "lead_unit": roads.pk})
    client.force_login(ron)
    client.post(act, {"action": "sign"})
    # A refusal is a message, nothing changes.
    response = client.post(act, {"action": "reply", "text": " "}, follow=True)
    assert "Write the reply" in response.content.decode()
    client.post(act, {"action": "reply", "text": "已处理"})
    client.force_login(office)
    client.post(act, {"action": "close"})
    client.post(act, {"action": "callback", "satisfaction": "dissatisfied"})
    case.refresh_from_db()
    assert case.status == Case.Status.SIGNED and case.reopened == 1


def test_a_citizen_leaves_an_anonymous_message_and_looks_it_up(client, office, roads, ron, noise):
    response = client.post(
        reverse("reception:message"),
        {
            "kind": "complaint",
            "category": noise.pk,
            "title": "路灯不亮",
            "content": "学院路路灯一周未亮。",
            "contact_phone": PHONE,
            "anonymous": "on",
        },
    )
    assert response.status_code == 200
    case = Case.objects.get()
    assert case.channel == "online" and case.anonymous and case.source_address == "127.0.0.1"
    assert case.number in response.content.decode()
    lookup = reverse("reception:lookup")
    wrong = client.get(lookup, {"number": case.number, "code": "000000x"}).content.decode()
    assert "No case has this number" in wrong
    case = cs.case_dispatch(case=cs.case_accept(case=case, by=office), by=office, lead_unit=roads)
    case = cs.case_reply(case=cs.case_sign(case=case, by=ron), by=ron, reply="已修复，谢谢。")
    cs.case_close(case=case, by=office)
    page = client.get(lookup, {"number": case.number, "code": case.verification_code})
    text = page.content.decode()
    assert "已修复，谢谢。" in text and "Closed" in text
    assert PHONE not in text and MASKED not in text and "127.0.0.1" not in text


def test_the_operator_desk_is_for_the_office(client, office, ron, noise):
    client.force_login(ron)
    assert client.get(reverse("reception:case-new")).status_code == 404
    client.force_login(office)
    response = client.post(
        reverse("reception:case-new"),
        {
            "channel": "phone",
            "kind": "enquiry",
            "category": noise.pk,
            "title": "咨询",
            "content": "问办事时间",
            "contact_name": "李四",
            "contact_phone": PHONE,
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and case.received_by == office


@pytest.mark.parametrize("n", [1, 50])
def test_the_lists_cost_the_same_queries_for_1_and_50(
    client,
    office,
    ron,
    roads,
    noise,
    django_assert_num_queries,
    n,
):
    for _ in range(n):
        cs.case_dispatch(
            case=cs.case_accept(case=new_case(noise), by=office), by=office, lead_unit=roads
        )
    # a unit counts its lead and its co-unit cases apart: one query more than the office
    for user, queries in ((office, 6), (ron, 7)):
        client.force_login(user)
        with django_assert_num_queries(queries):
            response = client.get(reverse("reception:cases"))
        assert response.content.decode().count('href="/reception/cases/') >= n


def test_the_pages_in_chinese(client, settings, dispatched, office):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    client.force_login(office)
    page = client.get(dispatched.get_absolute_url()).content.decode()
    assert "已派单" in page and "办理过程" in page
    assert "工单查询" in client.get(reverse("reception:lookup")).content.decode()
    message_form = client.get(reverse("reception:message")).content.decode()
    assert "网上留言" in message_form
    # The category list starts with a prompt, not a bare "---------".
    assert '<option value="" selected>请选择类别</option>' in message_form
    assert "---------" not in message_form


def test_the_demo_cases_load_once_in_every_state(db):
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    states = set(Case.objects.values_list("status", flat=True))
    assert {"new", "not_accepted", "dispatched", "returned", "signed", "replied", "done"} <= states
    assert Case.objects.filter(reopened=1).exists()
    count = Case.objects.count()
    call_command("seed_demo", verbosity=0)
    # 8 in the loop's states, and part 2's: overdue, a merged pair, 信访, NPC and CPPCC
    assert Case.objects.count() == count == 14
    assert Case.objects.filter(status="merged", merged_into__isnull=False).count() == 1
    assert Case.objects.filter(events__action="escalated").count() == 1
    assert set(
        Case.objects.filter(channel="petition", notices__isnull=False).values_list(
            "notices__kind", flat=True
        )
    ) == {"accepted", "extended", "reply"}
    assert set(Case.objects.exclude(proposal=None).values_list("proposal__grade", flat=True)) == {
        "A",
        "B",
    }


def test_the_timeline_names_each_step_in_the_reader_language(client, settings, dispatched, office):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    client.force_login(office)
    page = client.get(dispatched.get_absolute_url()).content.decode()
    assert "· 已受理" in page and "· dispatched" not in page


def test_the_case_list_labels_each_cell_for_a_phone(client, dispatched, office):
    # given a case on the office's list
    client.force_login(office)
    # when the office opens the list
    page = client.get(reverse("reception:cases")).content.decode()
    # then every cell of the row says its column (the header row is hidden at <= 640 px)
    row = page.split(dispatched.number)[0].rsplit("<tr>", 1)[1] + page.split(dispatched.number)[1]
    row = row.split("</tr>")[0]
    for label in ("Case number", "Subject", "Lead unit", "Due", "Status"):
        assert f'data-label="{label}"' in row
    assert "<td>" not in row


def test_a_units_count_adds_its_lead_and_co_unit_cases(client, office, ron, roads, parks, noise):
    from reception.case_views import CasePaginator

    for lead, co in ((roads, []), (roads, []), (parks, [roads]), (parks, [])):
        cs.case_dispatch(
            case=cs.case_accept(case=new_case(noise), by=office),
            by=office,
            lead_unit=lead,
            co_units=co,
        )
    cs.case_sign(case=Case.objects.filter(lead_unit=roads).first(), by=ron)
    for status, expected in (("", 3), ("signed", 1), ("dispatched", 2)):
        rows = selectors.case_rows(ron, status)
        parts = selectors.count_parts(ron, status, office=False)
        paginator = CasePaginator(rows, 50, parts=parts)
        assert paginator.count == rows.count() == expected
        assert CasePaginator(rows, 50, parts=parts, cap=2).capped is (expected > 2)


def test_the_timeline_reads_in_the_readers_language(client, office, ron, roads, noise):
    """The channel and the callback's satisfaction on the timeline follow the reader's
    language, whatever language the office worked in when it wrote them."""
    from django.utils import translation

    with translation.override("zh-hans"):
        case = new_case(noise, channel="online")
        case = cs.case_dispatch(
            case=cs.case_accept(case=case, by=office), by=office, lead_unit=roads
        )
        case = cs.case_sign(case=case, by=ron)
        case = cs.case_reply(case=case, by=ron, reply="已处理")
        case = cs.case_close(case=case, by=office)
        cs.case_callback(case=case, by=office, satisfaction="dissatisfied", note="电话回访")
    client.force_login(office)
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Online message" in page
    assert "Dissatisfied 电话回访" in page
    assert "网上留言" not in page
    assert "不满意" not in page
    client.cookies["django_language"] = "zh-hans"
    page = client.get(case.get_absolute_url()).content.decode()
    assert "网上留言" in page
    assert "不满意 电话回访" in page


@pytest.mark.parametrize(
    ("action", "note", "shown"),
    [
        ("created", "网上留言", "Online message"),  # written before, as a Chinese label
        ("created", "online", "Online message"),
        ("callback", "Basically satisfied phoned", "Basically satisfied phoned"),
        ("callback", "满意 代表满意", "Satisfied 代表满意"),
        ("graded", "A类：已解决或采纳", "A: solved or adopted"),
        ("notice", "受理告知书", "Notice of acceptance"),
        ("replied", "online", "online"),  # a reply is the unit's own words
    ],
)
def test_a_timeline_note_is_read_back_to_its_label(action, note, shown):
    assert selectors.event_note(action, note) == shown

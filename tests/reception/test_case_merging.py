"""Likely duplicates (same phone or e-mail, or the same category and a similar text within N
days) and merging (并件): the merged case closes as merged, its person joins as a co-complainant
and gets the reply."""

import pytest
import time_machine

from reception import case_services as cs
from reception.case_merging import case_merge, likely_duplicates, similarity
from reception.models import Case, CaseCategory, CaseComplainant, CaseNotice

from .conftest import at, new_case

S = Case.Status


@pytest.fixture
def roads_cat(db):
    return CaseCategory.objects.create(code="roads-cat", name_zh="道路", name_en="Roads")


def test_similarity_is_high_for_the_same_matter_and_low_for_another():
    assert similarity("东门路灯不亮", "东门的路灯不亮了") >= 0.6
    assert similarity("东门路灯不亮", "食堂菜价上涨") < 0.3
    assert similarity("", "东门路灯不亮") == 0.0


def test_duplicates_are_the_same_phone_or_a_similar_text_of_the_same_category_within_n_days(
    settings, noise, roads_cat
):
    settings.RECEPTION_DUPLICATE_DAYS = 10
    with time_machine.travel(at("2026-11-01", "09:00"), tick=False):
        too_old = new_case(noise, contact_phone="13800000001")
    with time_machine.travel(at("2026-12-01", "09:00"), tick=False):
        # (new_case's phone is 13812345678 unless given)
        same_phone = new_case(roads_cat, title="道路积水", content="下雨后积水。")
        similar = new_case(
            noise, title="夜间施工噪音扰民", content="工地每晚施工到凌晨。", contact_phone="1"
        )
        other_text = new_case(
            noise, title="广场舞音乐太响", content="晚上九点后还在放音乐。", contact_phone="2"
        )
        other_cat = new_case(roads_cat, title="夜间施工噪音", contact_phone="13900000000")
    with time_machine.travel(at("2026-12-07", "09:00"), tick=False):
        case = new_case(noise)
    # when
    found = {d.case.pk: d for d in likely_duplicates(case)}
    # then
    assert set(found) == {same_phone.pk, similar.pk}
    assert found[same_phone.pk].same_contact and not found[similar.pk].same_contact
    assert found[similar.pk].score >= 0.6
    assert too_old.pk not in found and other_text.pk not in found and other_cat.pk not in found


@time_machine.travel(at("2026-12-07", "09:00"), tick=False)
def test_merging_closes_the_case_and_its_person_gets_the_reply(office, ron, roads, noise):
    # given: a petition and a second letter on the same matter from another person
    main = new_case(noise, channel="petition", contact_name="王小明")
    second = new_case(noise, channel="petition", contact_name="李四", contact_phone="13700002222")
    assert second.pk in [d.case.pk for d in likely_duplicates(main)]
    # when
    merged = case_merge(case=second, into=main, by=office)
    # then
    assert merged.status == S.MERGED and merged.merged_into == main and merged.remind_at is None
    person = CaseComplainant.objects.get(case=main)
    assert (person.name, person.phone, person.from_case) == ("李四", "13700002222", second)
    assert main.events.filter(action="merged_from", note__contains=second.number).exists()
    assert second.events.filter(action="merged_into", note__contains=main.number).exists()
    assert second.pk not in [d.case.pk for d in likely_duplicates(main)]
    # the loop goes on on the main case; the reply reaches both people
    main = cs.case_accept(case=main, by=office)
    main = cs.case_sign(case=cs.case_dispatch(case=main, by=office, lead_unit=roads), by=ron)
    main = cs.case_close(case=cs.case_reply(case=main, by=ron, reply="已停工整改。"), by=office)
    person.refresh_from_db()
    assert person.replied_at is not None
    assert set(
        CaseNotice.objects.filter(case=main, kind="reply").values_list("addressee", flat=True)
    ) == {"王小明", "李四"}


@time_machine.travel(at("2026-12-07", "09:00"), tick=False)
def test_merging_is_refused_with_its_reason_and_changes_nothing(office, ron, noise):
    a, b, c = new_case(noise), new_case(noise), new_case(noise)
    case_merge(case=b, into=a, by=office)
    for case, into, by, message in [
        (a, a, office, "into itself"),
        (c, a, ron, "Only the office"),
        (b, c, office, "cannot be merged"),
        (c, b, office, "merge into an open case"),
    ]:
        before = (Case.objects.get(pk=case.pk).status, CaseComplainant.objects.count())
        with pytest.raises(cs.CaseError, match=message):
            case_merge(case=case, into=into, by=by)
        assert (Case.objects.get(pk=case.pk).status, CaseComplainant.objects.count()) == before


@time_machine.travel(at("2026-12-07", "09:00"), tick=False)
def test_a_case_merged_into_a_merged_case_moves_with_its_people(office, noise):
    a, b, c = new_case(noise), new_case(noise), new_case(noise, contact_name="赵六")
    case_merge(case=c, into=b, by=office)
    case_merge(case=b, into=a, by=office)
    c.refresh_from_db()
    assert c.merged_into == a
    assert CaseComplainant.objects.filter(case=a).count() == 2


@time_machine.travel(at("2026-12-07", "09:00"), tick=False)
def test_the_public_look_up_of_a_merged_case_shows_the_reply_of_the_case_it_joined(
    client, office, ron, roads, noise
):
    main, second = new_case(noise), new_case(noise)
    case_merge(case=second, into=main, by=office)
    main = cs.case_accept(case=main, by=office)
    main = cs.case_sign(case=cs.case_dispatch(case=main, by=office, lead_unit=roads), by=ron)
    cs.case_close(case=cs.case_reply(case=main, by=ron, reply="已停工整改。"), by=office)
    page = client.get(
        "/reception/lookup/", {"number": second.number, "code": second.verification_code}
    )
    body = page.content.decode()
    assert main.number in body and "已停工整改。" in body
    assert "13812345678" not in body and "王小明" not in body

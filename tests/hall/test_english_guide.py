"""The guide reads in the reader's language: English texts beside the Chinese ones, a visible
note where an admin wrote only one, and bilingual names rendered in the reader's language."""

import re

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from hall.demo import seed_demo
from hall.models import Department, ServiceContact

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
GUIDE_SECTIONS = ("range-title", "materials-title", "procedure-title", "faq-title")


def section(html: str, title_id: str) -> str:
    """The HTML of the guide's <section> labelled by ``title_id``."""
    match = re.search(rf'<section aria-labelledby="{title_id}">(.*?)</section>', html, flags=re.S)
    assert match, f"no section {title_id}"
    return match.group(1)


def fees(html: str) -> str:
    match = re.search(r"<dt>Fees</dt><dd>(.*?)</dd>", html, flags=re.S)
    assert match, "no fees"
    return match.group(1)


def read_in_english(client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


# Hand-written English (online, in person) and English built from the name (online, in person).
DEMO_CODES = (
    "cadre-going-abroad",
    "student-id-reissue",
    "party-branch-election",
    "rail-discount-card",
)


def test_the_english_guide_of_a_demo_service_has_no_chinese_in_its_texts(db, client):
    # given the demo catalogue, read in English
    seed_demo()
    read_in_english(client)

    for code in DEMO_CODES:
        # when the guide page opens
        html = client.get(reverse("hall:service-detail", args=[code])).content.decode()

        # then who may apply, materials, procedure, FAQ and fees are English, with no note
        assert '<html lang="en">' in html
        for title_id in GUIDE_SECTIONS:
            text = section(html, title_id)
            assert not CJK.search(text), f"{code} {title_id}: {CJK.findall(text)}"
            assert "fallback-note" not in text
        assert not CJK.search(fees(html)), code


def test_the_chinese_guide_of_a_demo_service_stays_chinese(db, client):
    # given the demo catalogue, read in Chinese (the default)
    seed_demo()

    # when
    html = client.get(reverse("hall:service-detail", args=["cadre-going-abroad"])).content.decode()

    # then the Chinese texts are shown, and none of the English ones
    assert "因私出入境证件复印件" in section(html, "materials-title")
    assert "exit-entry" not in html
    assert "fallback-note" not in html


def test_a_guide_text_left_empty_in_english_shows_the_chinese_marked_as_such(client, make_service):
    # given a service whose admin wrote the materials and fees only in Chinese
    service = make_service(
        materials="发票原件",
        materials_en="",
        procedure="线上提交",
        procedure_en="Submit online.",
        fees="免费",
        fees_en="",
    )
    read_in_english(client)

    # when the English guide opens
    html = client.get(service.get_absolute_url()).content.decode()

    # then the Chinese materials show, marked as the other language; the English procedure does not
    materials = section(html, "materials-title")
    assert "发票原件" in materials
    assert 'class="fallback-note"' in materials and "Chinese only" in materials
    assert 'lang="zh-hans"' in materials
    procedure = section(html, "procedure-title")
    assert "Submit online." in procedure and "fallback-note" not in procedure
    assert "免费" in fees(html) and "Chinese only" in fees(html)


def test_a_guide_text_written_only_in_english_is_marked_on_the_chinese_page(client, make_service):
    # given a service whose admin wrote the FAQ only in English
    service = make_service(faq="", faq_en="Q: Is it free?\nA: Yes.")

    # when the Chinese guide opens
    html = client.get(service.get_absolute_url()).content.decode()

    # then the English FAQ shows, marked "仅有英文"
    faq = section(html, "faq-title")
    assert "Is it free?" in faq and 'lang="en"' in faq and "仅有英文" in faq


def test_the_guide_model_picks_the_readers_language_and_marks_the_other(make_service):
    # given
    service = make_service(materials="身份证", materials_en="", applicant_range="", faq_en="FAQ")

    # when / then
    with translation.override("en"):
        assert service.guide["materials"] == ("身份证", "zh-hans")
        assert service.guide["materials"].note == "Available in Chinese only"
        assert service.guide["faq"] == ("FAQ", "")
        assert service.guide["applicant_range"] == ("", "")
    with translation.override("zh-hans"):
        assert service.guide["materials"] == ("身份证", "")
        assert service.guide["faq"] == ("FAQ", "en")


def test_contacts_office_and_hours_follow_the_readers_language(client, make_service):
    # given
    service = make_service()
    ServiceContact.objects.create(
        service=service,
        name="陈老师",
        office="行政楼201",
        office_en="Admin Building 201",
        hours="工作日",
        hours_en="",
    )
    read_in_english(client)

    # when
    html = section(client.get(service.get_absolute_url()).content.decode(), "contacts-title")

    # then the English office shows; the hours, written only in Chinese, fall back to it
    assert "Admin Building 201" in html and "行政楼201" not in html
    assert "工作日" in html


def test_a_department_reads_in_the_readers_language_wherever_it_is_shown(db):
    # given
    department = Department.objects.create(code="finance", name_zh="财务处", name_en="Finance")

    # when / then: str() is what form choices and the admin show
    with translation.override("en"):
        assert str(department) == "Finance"
    with translation.override("zh-hans"):
        assert str(department) == "财务处"

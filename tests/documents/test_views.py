"""The pages of outgoing documents: who may see what, the register's filters and its queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from documents import services
from documents.models import Outgoing
from tests.documents.conftest import decide, sign_off

PERSONAS = ["alice", "sam", "bob", "charlie", "rhea", "otto", "anonymous"]


def _login(client, office, persona):
    if persona != "anonymous":
        client.force_login(office[persona])


def _urls(document):
    return [
        reverse("documents:detail", args=[document.pk]),
        reverse("documents:compare", args=[document.pk]),
    ]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("alice", 200),  # the drafter
        ("sam", 200),  # a colleague on the staff of the drafting department
        ("bob", 404),  # an undergraduate of the drafting department
        ("charlie", 404),  # another department
        ("rhea", 200),  # the office's registrar
        ("otto", 200),  # the approver the document waits on
        ("anonymous", 302),
    ],
)
def test_a_document_in_review_answers_the_department_the_chain_and_the_office(
    client, office, draft, persona, expected
):
    # given
    document = draft()
    services.document_submit(document_id=document.pk, user=office["alice"])
    document.refresh_from_db()
    decide(document, office["hank"])
    _login(client, office, persona)
    # when / then
    for url in _urls(document):
        response = client.get(url)
        assert response.status_code == expected, url
        if expected == 302:
            assert response["Location"].startswith(reverse("login"))
    listed = client.get(reverse("documents:register"))
    if persona == "anonymous":
        assert listed.status_code == 302
    else:
        assert (document.title in listed.content.decode()) is (expected == 200)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("alice", 200),
        ("sam", 200),
        ("bob", 404),
        ("charlie", 404),
        ("rhea", 200),
        ("otto", 404),
    ],
)
def test_a_draft_answers_only_the_drafting_departments_staff_and_the_office(
    client, office, draft, persona, expected
):
    document = draft()
    _login(client, office, persona)
    for url in _urls(document):
        assert client.get(url).status_code == expected, url


@pytest.mark.parametrize(
    ("security", "charlie_sees"), [("", 200), ("internal", 200), ("confidential", 404)]
)
def test_an_issued_document_is_read_by_all_unless_classified(
    client, office, draft, security, charlie_sees
):
    # given
    document = sign_off(draft(security=security, security_period="1年"), office)
    services.document_register(document_id=document.pk, user=office["rhea"])
    client.force_login(office["charlie"])
    # when / then
    assert client.get(document.get_absolute_url()).status_code == charlie_sees


def test_a_named_reader_reads_a_classified_document(client, office, draft):
    # given
    document = sign_off(draft(security="secret", security_period="10年"), office)
    services.document_register(document_id=document.pk, user=office["rhea"])
    client.force_login(office["charlie"])
    assert client.get(document.get_absolute_url()).status_code == 404
    # when
    services.reader_grant(document_id=document.pk, user=office["rhea"], readers=[office["charlie"]])
    # then
    assert client.get(document.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("alice", 200),  # the drafter
        ("sam", 404),  # the drafting department's staff: not for a classified document
        ("bob", 404),  # its undergraduate
        ("charlie", 404),  # another department
        ("rhea", 200),  # the office
        ("otto", 200),  # in the chain
        ("hank", 200),  # in the chain (核稿)
    ],
)
def test_a_classified_document_answers_only_the_drafter_the_office_the_chain_and_readers(
    client, office, draft, persona, expected
):
    # given: a 秘密 document, registered
    document = sign_off(draft(security="confidential", security_period="5年"), office)
    services.document_register(document_id=document.pk, user=office["rhea"])
    client.force_login(office[persona])
    # when / then: the page, its comparison and its PDF
    for url in [*_urls(document), reverse("documents:pdf", args=[document.pk])]:
        assert client.get(url).status_code == expected, url
    listed = client.get(reverse("documents:register")).content.decode()
    assert (document.title in listed) is (expected == 200)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("alice", 200), ("sam", 200), ("bob", 404), ("charlie", 404), ("rhea", 200)],
)
def test_a_voided_document_answers_only_those_inside(client, office, draft, persona, expected):
    # given
    document = sign_off(draft(), office)
    services.document_register(document_id=document.pk, user=office["rhea"])
    services.document_void(document_id=document.pk, user=office["rhea"], reason="文号有误")
    client.force_login(office[persona])
    # when / then
    assert client.get(document.get_absolute_url()).status_code == expected


def test_a_student_reads_registered_documents_but_never_drafts(client, office, draft):
    # given: a registered open document and a draft of bob's school
    issued = sign_off(draft(title="公开通知"), office)
    services.document_register(document_id=issued.pk, user=office["rhea"])
    draft(title="未发草稿")
    client.force_login(office["bob"])
    # when
    listed = client.get(reverse("documents:register")).content.decode()
    # then: the register shows the issued one only, and no 拟稿 button
    assert "公开通知" in listed and "未发草稿" not in listed
    assert reverse("documents:create") not in listed
    assert client.get(issued.get_absolute_url()).status_code == 200
    assert client.get(reverse("documents:create")).status_code == 403
    data = {"doc_type": "notice", "authority": office["authority"].pk, "title": "学生拟稿"}
    assert client.post(reverse("documents:create"), data).status_code == 403
    with pytest.raises(services.DocumentError):
        services.document_save(user=office["bob"], data={"title": "学生拟稿"})
    assert not Outgoing.objects.filter(title="学生拟稿").exists()
    # and the staff keep their button
    client.force_login(office["sam"])
    assert reverse("documents:create") in client.get(reverse("documents:register")).content.decode()


@pytest.mark.parametrize("persona", ["alice", "sam", "rhea", "otto", "hank"])
def test_the_chain_is_a_link_only_for_those_who_may_open_its_request(
    client, office, draft, persona
):
    # given: a document waiting on 审核 (otto), checked by hank
    document = draft()
    services.document_submit(document_id=document.pk, user=office["alice"])
    document.refresh_from_db()
    decide(document, office["hank"])
    request_url = document.request.get_absolute_url()
    client.force_login(office[persona])
    # when
    page = client.get(document.get_absolute_url()).content.decode()
    # then: a link exactly when the request page opens, and the progress in words for all
    opens = client.get(request_url).status_code == 200
    assert (f'href="{request_url}"' in page) is opens
    assert document.request.number in page
    assert "step 2 of 3" in page
    expected_links = {"alice": True, "sam": False, "rhea": False, "otto": True, "hank": True}
    assert opens is expected_links[persona]


def test_a_reader_of_an_issued_document_sees_the_chain_as_words(client, office, draft):
    # given
    document = sign_off(draft(), office)
    services.document_register(document_id=document.pk, user=office["rhea"])
    client.force_login(office["charlie"])
    # when
    page = client.get(document.get_absolute_url()).content.decode()
    # then
    assert document.request.get_absolute_url() not in page
    assert document.request.number in page and "Approved" in page


def _many(office, draft, n):
    for i in range(n):
        draft(title=f"通知{i}", doc_type=["notice", "letter", "report"][i % 3])


def _register_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("documents:register"))
    assert response.status_code == 200
    return len(queries)


def test_the_register_costs_the_same_queries_at_1_and_50_rows(client, office, draft):
    # given
    client.force_login(office["alice"])
    _many(office, draft, 1)
    client.get(reverse("documents:register"))  # sessions, content types and caches warm
    one = _register_queries(client)
    _many(office, draft, 49)
    # when
    fifty = _register_queries(client)
    # then
    assert Outgoing.objects.count() == 50
    assert one == fifty == 4  # the session and the bell come from the cache


@pytest.mark.parametrize(
    "query",
    [
        "year=abc",
        "status=nonsense",
        "authority=99999",
        "authority=x",
        "doc_type=<script>",
        "q=" + "长" * 300,
        "page=-1",
        "year=99999999999999999999",
    ],
)
def test_bad_filters_give_a_message_never_an_error(client, office, draft, query):
    draft()
    client.force_login(office["alice"])
    response = client.get(reverse("documents:register") + "?" + query)
    assert response.status_code == 200
    # the hall's query reader names the parameter it left out (a bad page, too)
    assert "was left out" in response.content.decode()


def test_the_filters_find_by_type_status_year_authority_and_words(client, office, draft):
    # given
    letter = draft(title="关于商请支持的函", doc_type="letter")
    notice = sign_off(draft(title="关于放假的通知"), office)
    notice = services.document_register(document_id=notice.pk, user=office["rhea"])
    client.force_login(office["rhea"])
    url = reverse("documents:register")

    def titles(query):
        return [row[2] for row in client.get(f"{url}?{query}").context["table"]]

    # when / then
    assert titles("doc_type=letter") == [letter.title]
    assert titles("status=registered") == [notice.title]
    assert titles(f"year={notice.year}") == [notice.title]
    assert titles(f"q={notice.number}") == [notice.title]
    assert titles("q=商请") == [letter.title]
    assert set(titles(f"authority={office['authority'].pk}")) == {letter.title, notice.title}


def test_the_comparison_marks_changes_and_escapes_the_text(client, office, draft):
    # given
    document = draft(body="一、总体要求\n<script>alert(1)</script>")
    services.document_submit(document_id=document.pk, user=office["alice"])
    document.refresh_from_db()
    decide(document, office["hank"], action="return", comment="请修改")
    services.document_save(
        user=office["alice"],
        document_id=document.pk,
        data={"body": "一、总体目标\n<script>alert(1)</script>\n二、<b>新增</b>"},
    )
    client.force_login(office["alice"])
    # when
    response = client.get(reverse("documents:compare", args=[document.pk]) + "?a=1&b=0")
    # then
    html = response.content.decode()
    assert "<del>要求</del>" in html
    assert "<ins>目标</ins>" in html
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<ins>二、&lt;b&gt;新增&lt;/b&gt;</ins>" in html
    bad = client.get(reverse("documents:compare", args=[document.pk]) + "?a=9&b=x")
    assert bad.status_code == 200


def test_the_office_registers_and_voids_from_the_page(client, office, draft):
    # given
    document = sign_off(draft(), office)
    client.force_login(office["rhea"])
    page = client.get(document.get_absolute_url()).content.decode()
    assert reverse("documents:register-number", args=[document.pk]) in page
    # when
    client.post(reverse("documents:register-number", args=[document.pk]))
    void_url = reverse("documents:void", args=[document.pk])
    refused = client.post(void_url, {"reason": ""}, follow=True)
    # then
    document.refresh_from_db()
    assert document.status == Outgoing.Status.REGISTERED
    assert "reason" in refused.content.decode()
    client.post(reverse("documents:void", args=[document.pk]), {"reason": "文号有误"})
    document.refresh_from_db()
    assert document.status == Outgoing.Status.VOID
    assert document.number in client.get(reverse("documents:register")).content.decode()


def test_the_drafter_writes_and_sends_a_draft_from_the_pages(client, office):
    # given
    client.force_login(office["alice"])
    data = {
        "doc_type": "notice",
        "authority": office["authority"].pk,
        "title": "关于开展安全检查的通知",
        "to_departments": [office["finance"].pk],
        "body": "一、检查范围",
        "security": "",
        "urgency": "urgent",
    }
    # when
    response = client.post(reverse("documents:create"), data)
    document = Outgoing.objects.get()
    client.post(reverse("documents:submit", args=[document.pk]))
    # then
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.status == Outgoing.Status.IN_REVIEW
    assert document.request.urgent


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_pages_answer_in_both_languages(client, office, draft, language):
    document = draft()
    client.force_login(office["alice"])
    client.cookies["django_language"] = language
    for url in (
        reverse("documents:register"),
        reverse("documents:create"),
        reverse("documents:edit", args=[document.pk]),
        document.get_absolute_url(),
        reverse("documents:compare", args=[document.pk]),
    ):
        assert client.get(url, HTTP_ACCEPT_LANGUAGE=language).status_code == 200, url


def test_a_refusal_reads_in_chinese_for_a_chinese_reader(client, office, draft, settings):
    draft()
    client.force_login(office["alice"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    response = client.get(reverse("documents:register") + "?year=abc")
    assert "已忽略“年度”" in response.content.decode()


def test_a_nul_byte_in_the_submit_comment_is_refused_and_nothing_changes(client, office, draft):
    # given
    document = draft()
    client.force_login(office["alice"])
    # when
    response = client.post(
        reverse("documents:submit", args=[document.pk]), {"comment": "请审核\x00"}, follow=True
    )
    # then
    assert response.status_code == 200
    assert "Null characters are not allowed" in response.content.decode()
    document.refresh_from_db()
    assert document.status == Outgoing.Status.DRAFT and document.request is None


@pytest.mark.parametrize("lang, sep", [("en", ", "), ("zh-hans", "、")])
def test_the_addressees_are_listed_in_the_readers_language(client, office, draft, lang, sep):
    # given: a draft to two departments and an outside body
    document = draft(to_departments=[office["finance"], office["research"]], to_others="省教育厅")
    client.force_login(office["alice"])
    client.cookies["django_language"] = lang
    # when
    body = client.get(reverse("documents:detail", args=[document.pk])).content.decode()
    # then
    finance, research = (
        (d.name_en or d.name_zh) if lang == "en" else d.name_zh
        for d in (office["finance"], office["research"])
    )
    assert f"{finance}{sep}{research}{sep}省教育厅" in body


def test_the_drafting_page_lists_open_on_what_to_choose(client, office):
    # given
    client.force_login(office["alice"])
    client.cookies["django_language"] = "en"
    # when
    body = client.get(reverse("documents:create")).content.decode()
    # then
    assert "Choose a document type" in body and "Choose an issuing authority" in body
    assert "---------" not in body

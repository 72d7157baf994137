"""The registers' search at scale: the character-pairs index only narrows (the results are
exactly LIKE's, with and without it), and the pager counts at most its cap."""

import pytest
from django.db import connection
from django.db.models import Q
from django.urls import reverse

from documents import selectors
from documents.models import Incoming, Outgoing
from hall.lists import CappedPaginator

TITLES = [
    "关于做好2026年学生资助工作的通知",
    "关于资产清查的报告",
    "关于加强校园安全管理的意见",
    "校园安全检查情况通报",
    "关于Campus Wi-Fi升级的函",
    "关于助学金发放的请示",
]
QUERIES = [
    "资助",  # two characters: pairs only
    "资",  # one character: no pair, LIKE alone
    "校园安全",
    "安全管理",
    "园安",  # inside a word
    "campus wi",  # Latin, other case, a space
    "wi-fi",
    "〔2026〕",  # a reference number's part
    "校办发〔2026〕2号",  # a whole one
    "发〔2026〕1",
    "通知|",
    "不存在的词",
]


@pytest.fixture
def documents(office, draft):
    made = []
    for i, title in enumerate(TITLES):
        made.append(draft(title=title))
        if i % 2 == 0:
            Outgoing.objects.filter(pk=made[-1].pk).update(
                status=Outgoing.Status.REGISTERED,
                year=2026,
                seq=i // 2 + 1,
                number=f"校办发〔2026〕{i // 2 + 1}号",
            )
    return made


def _found(user, q, narrow):
    rows = selectors.register(user, q="")
    rows = selectors.narrowed(rows, "documents_outgoing", q, narrow=narrow)
    from django.db.models import Q

    return sorted(
        rows.filter(Q(title__icontains=q) | Q(number__icontains=q)).values_list("pk", flat=True)
    )


@pytest.mark.parametrize("q", QUERIES)
def test_the_pairs_index_finds_exactly_what_like_finds(office, documents, q):
    # given: the office sees every document
    user = office["rhea"]
    # when
    with_index, without = _found(user, q, True), _found(user, q, False)
    # then
    assert with_index == without
    if q in ("资助", "校园安全", "校办发〔2026〕2号"):
        assert with_index  # the cases that must find something do


def test_a_whole_reference_number_finds_its_document_by_the_number_alone(
    office, documents, django_assert_num_queries
):
    # given: 校办发〔2026〕2号 registered; 党校办发〔2026〕2号, whose number holds it, too
    Outgoing.objects.filter(pk=documents[1].pk).update(
        status=Outgoing.Status.REGISTERED, year=2026, seq=9, number="党校办发〔2026〕2号"
    )
    user = office["rhea"]
    # when
    found = list(selectors.register(user, q=" 校办发〔2026〕2号 ").values_list("pk", flat=True))
    sql = str(selectors.register(user, q="校办发〔2026〕2号").query)
    # then: that one document, through its number's equality, not a LIKE or the pairs
    assert found == [documents[2].pk]
    assert "LIKE" not in sql.upper() and "search_bigrams" not in sql
    # and a part of a number still searches as before
    part = selectors.register(user, q="办发〔2026〕2号").values_list("pk", flat=True)
    assert sorted(part) == sorted([documents[1].pk, documents[2].pk])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the pairs index is Postgres's")
def test_the_pairs_column_is_kept_by_postgres(office, documents):
    # given
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM documents_outgoing WHERE search_bigrams @@ "
            "phraseto_tsquery('simple', '资助')"
        )
        (n,) = cur.fetchone()
    # then
    assert n == 1


def test_the_incoming_search_is_the_same_with_the_index(office, documents):
    # given
    department = office["office"]
    for i, title in enumerate(TITLES):
        Incoming.objects.create(
            department=department,
            source=Incoming.Source.FILE,
            sender=["省教育厅", "市人民政府办公厅"][i % 2],
            title=title,
            status=Incoming.Status.REGISTERED,
            received_at="2026-12-01T09:00:00+08:00",
        )
    rows = Incoming.objects.all()
    for q in ["资助", "教育厅", "校园安全", "人民政府", "x"]:
        like = Q(title__icontains=q) | Q(sender__icontains=q)
        narrowed = selectors.narrowed(rows, "documents_incoming", q).filter(like)
        assert sorted(narrowed.values_list("pk", flat=True)) == sorted(
            rows.filter(like).values_list("pk", flat=True)
        ), q


def test_the_capped_pager_counts_no_further_than_its_cap(office, documents):
    # given
    rows = Outgoing.objects.order_by("pk")
    # when
    small, big = CappedPaginator(rows, 2, cap=100), CappedPaginator(rows, 2, cap=3)
    # then
    assert (small.count, small.capped, small.num_pages) == (6, False, 3)
    assert (big.count, big.capped, big.num_pages) == (3, True, 2)


def test_the_register_says_more_than_when_capped(client, office, documents, monkeypatch):
    # given: a cap of 2 and a page size of 1
    import documents.views as views

    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    monkeypatch.setattr(views, "REGISTER_CAP", 2)
    client.force_login(office["rhea"])
    # when
    body = client.get(reverse("documents:register")).content.decode()
    # then
    assert "Page 1 of more than 2" in body


def test_the_capped_count_reads_its_rows_unsorted(office, documents):
    # given: the register's newest-first rows
    rows = selectors.register(office["rhea"], q="")
    from django.test.utils import CaptureQueriesContext

    # when
    with CaptureQueriesContext(connection) as queries:
        assert CappedPaginator(rows, 2, cap=3).count == 3
    # then: a count over a LIMIT, not over a sort of every match
    (count,) = [q["sql"] for q in queries.captured_queries]
    assert "COUNT(" in count.upper() and "LIMIT 4" in count.upper()
    assert "ORDER BY" not in count.upper()


def test_a_search_counts_no_further_than_the_search_cap(client, office, documents, monkeypatch):
    # given: page size 1, a search cap of 2, the register's cap of 100
    import documents.views as views

    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    monkeypatch.setattr(views, "SEARCH_CAP", 2)
    monkeypatch.setattr(views, "REGISTER_CAP", 100)
    client.force_login(office["rhea"])
    # when: "关于" is in five titles
    searched = client.get(reverse("documents:register"), {"q": "关于"}).content.decode()
    listed = client.get(reverse("documents:register")).content.decode()
    # then: the newest of them first, and the search says "more than"; the register counts all
    assert "Page 1 of more than 2" in searched and "关于助学金发放的请示" in searched
    assert "Page 1 of 6" in listed


def test_the_pager_reads_a_capped_list_the_walked_way_and_a_short_one_as_it_is(office, documents):
    # given: the same rows, read two ways (here: in two orders, to tell which was read)
    rows = Outgoing.objects.order_by("pk")
    walked = Outgoing.objects.order_by("-pk")
    # when
    short = CappedPaginator(rows, 2, cap=100, walked=walked).page(1)
    capped = CappedPaginator(rows, 2, cap=3, walked=walked).page(1)
    # then
    assert [d.pk for d in short] == [d.pk for d in rows[:2]]
    assert [d.pk for d in capped] == [d.pk for d in walked[:2]]


@pytest.mark.parametrize("cap, walks", [(2, True), (100, False)])
def test_a_common_words_page_walks_the_date_index_a_rare_ones_uses_the_pairs(
    client, office, documents, monkeypatch, cap, walks
):
    # given: "关于" is in five titles; pages of 2; a search cap of 2 (a common word) or 100
    from django.test.utils import CaptureQueriesContext

    import documents.views as views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    monkeypatch.setattr(views, "SEARCH_CAP", cap)
    client.force_login(office["rhea"])
    # when
    with CaptureQueriesContext(connection) as queries:
        body = client.get(reverse("documents:register"), {"q": "关于"}).content.decode()
    # then: the same two newest, newest first, either way
    newest = [t for t in reversed(TITLES) if "关于" in t][:2]
    assert body.index(newest[0]) < body.index(newest[1])
    (page,) = [
        q["sql"]
        for q in queries.captured_queries
        if "documents_outgoing" in q["sql"] and "ORDER BY" in q["sql"].upper()
    ]
    if connection.vendor == "postgresql":
        assert ("search_bigrams" in page) is not walks


def test_the_incoming_search_walks_when_capped(client, office, documents, monkeypatch):
    # given: six incoming documents of one department; a search cap of 2
    import documents.views as views

    department = office["office"]
    for i, title in enumerate(TITLES):
        Incoming.objects.create(
            department=department,
            source=Incoming.Source.FILE,
            sender="省教育厅",
            title=title,
            status=Incoming.Status.REGISTERED,
            received_at=f"2026-12-0{i + 1}T09:00:00+08:00",
        )
    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    monkeypatch.setattr(views, "SEARCH_CAP", 2)
    client.force_login(office["rhea"])
    # when
    body = client.get(reverse("documents:incoming"), {"q": "关于"}).content.decode()
    # then: the newest only, and "more than"
    newest = [t for t in reversed(TITLES) if "关于" in t]
    assert newest[0] in body and newest[1] not in body
    assert "Page 1 of more than 2" in body

"""Two-character Chinese words in the catalogue search through the character-pairs index
(hall/migrations/0013_service_bigram_index.py): the index only narrows, LIKE decides."""

import pytest
from django.db import connection

from hall.selectors import CatalogueFilter, catalogue, parse_query
from tests.real_parts import require


def found(query: str, *, narrow: bool) -> list[str]:
    q, terms = parse_query(query)
    flt = CatalogueFilter(query=q, terms=terms)
    return [s.code for s in catalogue(flt, narrow=narrow)]


@pytest.fixture
def claims(make_service):
    make_service(
        code="receipt-claim",
        name_zh="科研经费报销（纵向项目）",
        name_en="Receipt Claim",
        keywords="报销, 差旅费, reimbursement",
        synonyms="发票, invoice",
        popularity=3,
    )
    make_service(
        code="travel-claim",
        name_zh="差旅报销",
        name_en="Travel expense claim",
        keywords="出差, 2026年度",
        popularity=2,
    )
    # 报 and 销 sit in two different terms: "…申报 | 销…" — a pair across a separator, which
    # the index offers and LIKE refuses.
    make_service(
        code="across",
        name_zh="项目申报",
        name_en="Project application",
        keywords="销假",
        popularity=1,
    )
    make_service(code="hidden", name_zh="未发布报销事项", is_published=False)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("报", ["receipt-claim", "travel-claim", "across"], id="one-character"),
        pytest.param("报销", ["receipt-claim", "travel-claim"], id="two-characters"),
        pytest.param("差旅费", ["receipt-claim"], id="three-characters"),
        pytest.param("科研经费报销", ["receipt-claim"], id="six-characters"),
        pytest.param("报销 发票", ["receipt-claim"], id="two-words"),
        pytest.param("申报销", [], id="pairs-only-across-two-terms"),
        pytest.param("报销 invoice", ["receipt-claim"], id="chinese-and-english-words"),
        pytest.param("2026年度", ["travel-claim"], id="digits-and-chinese-in-one-word"),
        pytest.param("差旅 chuchai", ["travel-claim"], id="chinese-and-pinyin"),
        pytest.param("报销（", ["receipt-claim"], id="full-width-punctuation-by-like-alone"),
        pytest.param("留学", [], id="nothing"),
    ],
)
def test_results_are_the_same_with_and_without_the_pairs_index(claims, query, expected):
    # given published services with Chinese names and keywords (and one hidden)
    # when searching with the index narrowing and without it
    with_index = found(query, narrow=True)
    without = found(query, narrow=False)
    # then both find exactly the services whose text holds every word, best first
    assert with_index == without == expected


@pytest.mark.parametrize(
    ("query", "pairs"),
    [
        pytest.param("报销", ["报销"], id="two-characters"),
        pytest.param("差旅费", ["差旅 旅费"], id="three-characters-in-order"),
        pytest.param("报销 invoice", ["报销"], id="the-chinese-word-only"),
        pytest.param("2026年度", ["20 02 26 6年 年度"], id="digits-with-chinese"),
        pytest.param("报", [], id="one-character-by-like"),
        pytest.param("baoxiao", [], id="latin-by-trigrams"),
        pytest.param("报销（", [], id="punctuation-by-like"),
    ],
)
def test_a_chinese_word_asks_the_pairs_index_on_postgres(query, pairs):
    require(connection.vendor == "postgresql", "the pairs index is Postgres only")
    # given a search (the query shape: on the benchmark's 10k services EXPLAIN ANALYZE shows
    # a bitmap scan of service_search_bigram_idx for 报销, 52 ms -> 0.8 ms; a test's tables
    # are too small and never vacuumed for the planner to choose it stably)
    q, terms = parse_query(query)
    # when the catalogue builds its query
    sql, params = catalogue(CatalogueFilter(query=q, terms=terms)).query.sql_with_params()
    # then each Chinese word's pairs, in order, narrow the rows, and LIKE still decides
    assert sql.count("search_bigrams @@ phraseto_tsquery('simple', %s)") == len(pairs)
    assert [p for p in params if p in pairs] == pairs
    assert "LIKE" in sql

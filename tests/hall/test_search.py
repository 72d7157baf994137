import pytest

from hall.search import letter_of, normalize, search_text_of
from hall.selectors import CatalogueFilter, catalogue, parse_query


def find(query: str, **facets) -> list[str]:
    q, terms = parse_query(query)
    return [s.code for s in catalogue(CatalogueFilter(query=q, terms=terms, **facets))]


@pytest.fixture
def catalogue_rows(make_service, areas, school):
    abroad = make_service(
        code="cadre-going-abroad",
        name_zh="领导干部因私出国（境）申请表",
        name_en="Leaders and Cadres Personal Going Abroad (out of border) Application Form",
        keywords="出国, 出境, abroad",
        synonyms="护照, 因私出境, passport",
        for_staff=True,
    )
    claim = make_service(
        code="research-receipt-claim",
        name_zh="科研经费报销（纵向项目）",
        name_en="Receipt Claim (vertical research project)",
        keywords="报销, reimbursement",
        synonyms="发票, invoice",
        area=areas[0],
    )
    transcript = make_service(
        code="transcript",
        name_zh="成绩单打印",
        name_en="Transcript printing",
        keywords="成绩, grades",
        synonyms="",
        area=areas[1],
        department=school,
        for_staff=False,
        for_undergraduates=True,
        for_graduates=True,
    )
    hidden = make_service(code="draft", name_zh="未发布出国事项", is_published=False)
    return {"abroad": abroad, "claim": claim, "transcript": transcript, "hidden": hidden}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("出国", ["cadre-going-abroad"], id="chinese-word"),
        pytest.param("科研 报销", ["research-receipt-claim"], id="two-chinese-words"),
        pytest.param("Receipt claim", ["research-receipt-claim"], id="english-words-any-case"),
        pytest.param("ABROAD", ["cadre-going-abroad"], id="english-keyword-upper-case"),
        pytest.param("chuguo", ["cadre-going-abroad"], id="full-pinyin"),
        pytest.param("chu guo", ["cadre-going-abroad"], id="full-pinyin-with-space"),
        pytest.param("ldgbys", ["cadre-going-abroad"], id="pinyin-initials-of-name-start"),
        pytest.param("kyjfbx", ["research-receipt-claim"], id="pinyin-initials-of-name"),
        pytest.param("护照", ["cadre-going-abroad"], id="chinese-synonym"),
        pytest.param("invoice", ["research-receipt-claim"], id="english-synonym"),
        pytest.param("ｃｈｕｇｕｏ", ["cadre-going-abroad"], id="full-width-letters"),
        pytest.param("chengji", ["transcript"], id="pinyin-of-keyword"),
        pytest.param("留学基金", [], id="nothing"),
        pytest.param("50%_", [], id="like-wildcards-are-literal"),
    ],
)
def test_search_finds_by_every_kind_of_word(catalogue_rows, query, expected):
    assert find(query) == expected


def test_search_never_shows_unpublished_services(catalogue_rows):
    assert "draft" not in find("出国")
    assert "draft" not in find("")


def test_name_matches_rank_before_keyword_matches(make_service, catalogue_rows):
    make_service(code="keyword-only", name_zh="护照办理", keywords="出国", popularity=999)
    make_service(code="name-hit", name_zh="教职工出国审批", popularity=1)
    results = find("出国")
    assert results.index("name-hit") < results.index("keyword-only")


@pytest.mark.parametrize(
    ("facet", "expected"),
    [
        pytest.param("area", {"transcript"}, id="area"),
        pytest.param("department", {"transcript"}, id="department"),
        pytest.param("audience", {"transcript"}, id="audience"),
        pytest.param("letter", {"transcript"}, id="letter"),
    ],
)
def test_each_facet_narrows_the_catalogue(catalogue_rows, areas, school, facet, expected):
    value = {"area": areas[1], "department": school, "audience": "undergraduate", "letter": "C"}
    assert set(find("", **{facet: value[facet]})) == expected


def test_facets_combine_with_search(catalogue_rows, areas):
    assert find("报销", area=areas[0]) == ["research-receipt-claim"]
    assert find("报销", area=areas[1]) == []


@pytest.mark.parametrize(
    ("name", "letter"),
    [
        ("成绩单打印", "C"),
        ("科研经费报销", "K"),
        ("领导干部出国", "L"),
        ("Zoom account", "Z"),
        ("2025年度总结", "#"),
        ("", "#"),
    ],
)
def test_a_to_z_letter_is_the_pinyin_initial(name, letter):
    assert letter_of(name) == letter


def test_letter_is_set_and_kept_current_on_save(make_service):
    service = make_service(name_zh="成绩单打印")
    assert service.letter == "C"
    service.name_zh = "学籍证明"
    service.save(update_fields=["name_zh"])
    service.refresh_from_db()
    assert service.letter == "X"
    assert "xjzm" in service.search_text


def test_search_text_holds_pinyin_of_every_chinese_term():
    text = search_text_of("c", "出国申请", "Going abroad", "护照, passport", "出境")
    assert {"chuguoshenqing", "cgsq", "huzhao", "hz", "chujing", "passport"} <= set(
        text.split(" | ")
    )


def test_normalize_folds_width_case_and_spaces():
    assert normalize("  ＡＢ　 c  ") == "ab c"

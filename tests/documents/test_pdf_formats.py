"""The letter (信函) and minutes (纪要) formats of GB/T 9704-2012, read back from the PDF."""

import os
import re
import subprocess

import pikepdf
import pytest

from documents import pdf as red_header
from documents import services
from tests.documents.conftest import sign_off
from tests.documents.test_pdf import MM, NUMBER_PATTERN, PX, _pages_text, _words

RED = (0.87, 0.0, 0.0)


def _red_rules(path, page=0):
    """The red filled rectangles of a page, (x, top, width, height) in points from the top left."""
    with pikepdf.open(path) as pdf:
        rules, colour = [], None
        for operands, op in pikepdf.parse_content_stream(pdf.pages[page]):
            name = str(op)
            if name == "rg":
                colour = tuple(round(float(v), 2) for v in operands)
            elif name == "re" and colour == RED:
                x, y, w, h = (float(v) * PX for v in operands)
                rules.append((round(x, 2), round(y, 2), round(w, 2), round(h, 2)))
    return sorted(set(rules), key=lambda r: r[1])  # WeasyPrint draws a box's path twice


def _run(path, word, page=0):
    """The baseline and size (points) of the text run a pdftotext word starts."""
    with pikepdf.open(path) as pdf:
        size, x, baseline = 0.0, 0.0, 0.0
        for operands, op in pikepdf.parse_content_stream(pdf.pages[page]):
            name = str(op)
            if name == "Tf":
                size = float(operands[1]) * PX
            elif name == "Tm":
                x, baseline = float(operands[4]) * PX, float(operands[5]) * PX
            elif name in ("Tj", "TJ") and word[1] <= baseline <= word[3] and abs(x - word[0]) <= 2:
                return baseline, size
    raise AssertionError(f"no text run for {word}")


def _em_top(path, word, page=0):
    """The top of a word's em box: its baseline less 0.88 of its size (the ideographic em box
    of the Noto CJK fonts rises 880/1000 above the baseline)."""
    baseline, size = _run(path, word, page)
    return baseline - 0.88 * size


def _issued(office, draft, **extra):
    document = sign_off(draft(**extra), office)
    return services.document_register(document_id=document.pk, user=office["rhea"])


def _render(document, tmp_path, name, **kwargs):
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(red_header.render(document, **kwargs)[0])
    keep = os.environ.get("HALL_KEEP_PDF")  # a folder: keep the PDF and a PNG to look at
    if keep:
        (tmp := os.path.join(keep, name)) and path.rename(f"{tmp}.pdf")
        subprocess.run(["pdftoppm", "-png", "-r", "60", f"{tmp}.pdf", tmp], check=True)
        return f"{tmp}.pdf"
    return path


def _pdf_a(path):
    with pikepdf.open(path) as pdf:
        width, height = (float(v) for v in pdf.pages[0].mediabox[2:])
        with pdf.open_metadata() as meta:
            part = meta.get("pdfaid:part")
        return (round(width), round(height)), part, "/OutputIntents" in pdf.Root


@pytest.fixture
def letter(office, draft):
    return _issued(
        office,
        draft,
        doc_type="letter",
        title="关于商请支持2026年招生宣传工作的函",
        body="省教育考试院：\n为做好2026年本科招生宣传工作，现商请贵院给予支持。\n特此函告。",
        copy_departments=[office["finance"]],
    )


def test_a_letter_has_the_full_name_the_double_rules_and_the_number_at_the_right(letter, tmp_path):
    # when
    path = _render(letter, tmp_path, "letter")
    # then: A4 and PDF/A-2
    assert _pdf_a(path) == ((595, 842), "2", True)
    words = _words(path)
    texts = [w[4] for w in words]
    # the authority's full name (no 文件) at the top, its top edge 30 mm from the page's top
    mark = next(w for w in words if w[4] == "校长办公室" and w[1] < 37 * MM)
    assert "校长办公室文件" not in "".join(texts)
    assert abs(_em_top(path, mark) - 30 * MM) <= MM, _em_top(path, mark) / MM
    # two double rules, each 170 mm long and centred on the page: thick above thin at the top,
    # 4 mm below the mark; thin above thick at the bottom, 20 mm above the page's lower edge
    rules = sorted(_red_rules(path), key=lambda r: r[1])
    assert len(rules) == 4, rules
    for x, _top, width, _h in rules:
        assert abs(width - 170 * MM) <= MM and abs(x - 20 * MM) <= MM
    (_, t1, _, h1), (_, t2, _, h2), (_, t3, _, h3), (_, t4, _, h4) = rules
    assert h1 > h2 and h3 < h4  # thick above thin, then thin above thick
    mark_bottom = _em_top(path, mark) + 30  # the 30 pt mark's em box
    assert abs(t1 - mark_bottom - 4 * MM) <= MM, (t1 - mark_bottom) / MM
    assert abs((t4 + h4) - (297 - 20) * MM) <= MM
    # the number at the block's right edge, 7/8 of a 3号 character (14 pt) below the rule
    number = next(w for w in words if NUMBER_PATTERN.match(w[4]))
    assert number[4] == letter.number
    assert abs(number[2] - (28 + 156) * MM) <= MM
    rule_bottom = t2 + h2
    gap = _em_top(path, number) - rule_bottom
    assert abs(gap - 14) <= MM, gap / MM
    # the body inside the block; no page number on the first page
    for x0, y0, x1, y1, text in words:
        if y0 < 37 * MM:
            continue  # the mark above the block, as the standard puts it
        assert x0 >= 28 * MM - MM and x1 <= (28 + 156) * MM + MM, text
        assert y1 <= (37 + 225) * MM + MM, text
    assert "—" not in "".join(texts)
    # the colophon has the copies but no printing office, date or rules
    page_text = "".join(_pages_text(path))
    assert "抄送：" in page_text and "印发" not in page_text


def test_a_letters_copy_number_and_security_sit_at_the_left_below_the_rule(office, draft, tmp_path):
    # given: a classified letter, copy 7 of a print run
    document = _issued(
        office,
        draft,
        doc_type="letter",
        security="confidential",
        security_period="6个月",
        urgency="urgent",
    )
    # when
    path = _render(document, tmp_path, "letter-copy", copy=7)
    # then: 000007 on the first line at the block's left, the level below it; the number right
    words = _words(path)
    copy = next(w for w in words if w[4] == "000007")
    level = next(w for w in words if w[4].startswith("秘密"))
    number = next(w for w in words if w[4] == document.number)
    assert abs(copy[0] - 28 * MM) <= MM
    assert abs(level[0] - 28 * MM) <= MM and level[1] > copy[3]
    urgency = next(w for w in words if w[4] == "加急")
    assert abs(urgency[0] - 28 * MM) <= MM and urgency[1] > level[3]
    assert abs(_em_top(path, copy) - _em_top(path, number)) <= MM  # the same first line
    assert "秘密★6个月" in _pages_text(path)[0]


def test_a_long_letter_numbers_its_later_pages_only(office, draft, tmp_path):
    body = "\n".join(f"{n}. 第{n}项商请事项。" for n in range(1, 40))
    path = _render(_issued(office, draft, doc_type="letter", body=body), tmp_path, "letter2")
    pages = _pages_text(path)
    assert len(pages) >= 2
    assert "—1—" not in pages[0] and "—2—" in pages[1]


@pytest.fixture
def minutes(office, draft):
    return _issued(
        office,
        draft,
        doc_type="minutes",
        title="校长办公会议纪要",
        minutes_issue=5,
        body="2026年3月4日，校长办公会议研究了以下事项：\n一、关于寒假工作安排\n会议同意。",
        present="李校长、韩院长、欧拓、芮华、张爱丽、孙默、某某某、某某、某某某某、某某某",
        attending="财务处负责人",
        absent="王副校长",
    )


def test_minutes_have_the_red_mark_the_issue_number_and_the_attendees(minutes, tmp_path):
    # when
    path = _render(minutes, tmp_path, "minutes")
    # then
    assert _pdf_a(path) == ((595, 842), "2", True)
    words = _words(path)
    mark = next(w for w in words if w[4] == "校长办公会议纪要")
    # the mark's top edge 35 mm below the block's top, centred
    assert abs(_em_top(path, mark) - (37 + 35) * MM) <= MM, _em_top(path, mark) / MM
    assert abs((mark[0] + mark[2]) / 2 - (28 + 78) * MM) <= MM, (mark[0] + mark[2]) / 2 / MM
    issue = next(w for w in words if w[4] == "第5期")
    assert issue[1] > mark[3]
    # the red rule as wide as the block, 4 mm (±1) below the header's last baseline
    ((x, top, width, _h),) = _red_rules(path)
    assert abs(width - 156 * MM) <= MM and abs(x - 28 * MM) <= MM
    date_line = next(w for w in words if w[4].endswith("日") and w[1] > issue[3])
    baseline, _size = _run(path, date_line)
    assert abs(top - baseline - 4 * MM) <= MM, (top - baseline) / MM
    # the attendees: 出席 / 请假 / 列席 two characters in, in 黑体, wrapped under the first name
    text = _pages_text(path)[0]
    assert text.index("出席：") < text.index("请假：") < text.index("列席：")
    labels = {w[4][:3]: w for w in words if w[4][:3] in ("出席：", "请假：", "列席：")}
    for word in labels.values():
        assert abs(word[0] - (28 * MM + 2 * 16)) <= MM
    # no signature, date of writing or seal at the end: the authority appears only in the header
    assert text.count("校长办公室") == 1
    # the body inside the block
    for x0, y0, x1, y1, t in words:
        if y0 > (37 + 225) * MM and set(t) <= set("—0123456789 "):
            continue
        assert x0 >= 28 * MM - MM and x1 <= (28 + 156) * MM + MM, t
        assert y0 >= 37 * MM - MM and y1 <= (37 + 225) * MM + MM, t


def test_the_attendees_labels_are_in_heiti(minutes, tmp_path):
    path = _render(minutes, tmp_path, "minutes-fonts")
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    assert re.search(r"Noto-?Sans-?CJK", out)  # the 黑体 of the labels
    assert re.search(r"Noto-?Serif-?CJK", out)


def _page_words(path, page):
    """The words of one page (from 1) with their boxes, in points from the top left."""
    out = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pattern = r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<'
    return [(*map(float, m[:4]), m[4]) for m in re.findall(pattern, out)]


@pytest.mark.parametrize("lines", [3, 40], ids=["one-page", "two-pages"])
def test_a_letters_colophon_sits_at_the_foot_of_the_block_on_the_last_page(
    office, draft, tmp_path, lines
):
    # given: a letter of one page, and one running onto a second page
    body = "\n".join(f"{n}. 第{n}项商请事项。" for n in range(1, lines + 1))
    document = _issued(
        office, draft, doc_type="letter", body=body, copy_departments=[office["finance"]]
    )
    # when
    path = _render(document, tmp_path, f"letter-colophon-{lines}")
    # then: 抄送 on the last page only, its line's foot within 3 mm of the block's bottom
    pages = _pages_text(path)
    last = len(pages) - 1
    assert "抄送" in pages[last] and all("抄送" not in p for p in pages[:last])
    colophon = next(w for w in _page_words(path, last + 1) if w[4].startswith("抄送"))
    block_bottom = (37 + 225) * MM
    assert colophon[3] <= block_bottom + MM, colophon[3] / MM
    assert block_bottom - colophon[3] <= 3 * MM, (block_bottom - colophon[3]) / MM
    # and it comes after the signature, below everything else of the block on that page
    others = [
        w
        for w in _page_words(path, last + 1)
        if not w[4].startswith("抄送") and w[3] <= block_bottom + MM
    ]
    assert all(w[3] < colophon[1] for w in others)

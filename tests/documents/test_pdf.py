"""The red-header PDF: A4, PDF/A-2b with embedded fonts, the number and the page numbers."""

import re
import subprocess
from datetime import UTC, datetime

import pikepdf
import pytest
import time_machine
from django.urls import reverse

from documents import services
from tests.documents.conftest import sign_off

NUMBER_PATTERN = re.compile(r"^.+〔\d{4}〕[1-9]\d*号$")


@pytest.fixture
def issued(office, draft):
    document = sign_off(draft(security="confidential", security_period="1年"), office)
    return services.document_register(document_id=document.pk, user=office["rhea"])


def test_the_red_header_pdf_is_an_a4_pdf_a_with_the_number_and_page_numbers(
    client, office, issued, tmp_path
):
    # given
    client.force_login(office["alice"])
    # when
    response = client.get(reverse("documents:pdf", args=[issued.pk]))
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "doc.pdf"
    path.write_bytes(response.content)
    with pikepdf.open(path) as pdf:
        width, height = (float(v) for v in pdf.pages[0].mediabox[2:])
        assert (round(width), round(height)) == (595, 842)  # A4 in points
        with pdf.open_metadata() as meta:
            assert meta.get("pdfaid:part") == "2"
        assert "/OutputIntents" in pdf.Root
        for page in pdf.pages:
            for font in page.Resources.get("/Font", {}).values():
                descriptor = font.get("/FontDescriptor") or font.DescendantFonts[0].FontDescriptor
                assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert issued.number in text
    assert "—1—" in text.replace(" ", "")
    assert "秘密★1年" in text


def test_the_pdf_answers_only_readers_of_a_registered_document(client, office, draft, issued):
    client.force_login(office["charlie"])
    assert client.get(reverse("documents:pdf", args=[issued.pk])).status_code == 404
    unregistered = draft()
    client.force_login(office["alice"])
    assert client.get(reverse("documents:pdf", args=[unregistered.pk])).status_code == 404


MM = 72 / 25.4  # points per millimetre
PX = 0.75  # WeasyPrint draws in CSS pixels, 0.75 pt each


def _words(path):
    """Each word on page 1 with its box in points from the top left (pdftotext -bbox)."""
    out = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", str(path), "-"],
        capture_output=True,
        text=True,
    ).stdout
    pattern = r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<'
    return [(*map(float, m[:4]), m[4]) for m in re.findall(pattern, out)]


def _drawing(path):
    """The text baselines (Tm) and the red rectangles on page 1, in points from the top."""
    with pikepdf.open(path) as pdf:
        baselines, red, colour = [], [], None
        for operands, op in pikepdf.parse_content_stream(pdf.pages[0]):
            name = str(op)
            if name == "rg":
                colour = tuple(round(float(v), 2) for v in operands)
            elif name == "Tm":
                baselines.append(float(operands[5]) * PX)
            elif name == "re" and colour == (0.87, 0.0, 0.0) and float(operands[3]) > 0:
                x, y, w, h = (float(v) * PX for v in operands)
                red.append((x, y, w, h))
    return baselines, red


def test_the_pdf_geometry_follows_gb_t_9704(client, office, issued, tmp_path):
    # given
    client.force_login(office["alice"])
    path = tmp_path / "doc.pdf"
    path.write_bytes(client.get(reverse("documents:pdf", args=[issued.pk])).content)
    words = _words(path)
    baselines, red = _drawing(path)
    # then: the text inside the 156 × 225 mm block from 28 mm left and 37 mm top, within 1 mm
    stamp = []
    for x0, y0, x1, y1, text in words:
        if y0 > (37 + 225) * MM and set(text) <= set("—0123456789 "):
            continue  # the page number — n — sits below the block
        if y1 < 37 * MM:
            stamp.append(text)  # the reader's stamp of a classified copy sits above it
            continue
        assert x0 >= 28 * MM - MM and x1 <= (28 + 156) * MM + MM, text
        assert y0 >= 37 * MM - MM and y1 <= (37 + 225) * MM + MM, text
    assert any("张爱丽" in t for t in stamp), stamp  # and nothing else above the block
    allowed = ("张爱丽", "下载", "·", "不得外传")
    assert all(t.startswith(allowed) or t[:1].isdigit() for t in stamp), stamp
    # the red rule: as wide as the block, 4 mm (±1) below the reference number's baseline
    number = next(w for w in words if w[4] == issued.number)
    baseline = next(b for b in baselines if number[1] <= b <= number[3])
    (x, top, width, _h), *_ = red
    assert abs(width - 156 * MM) <= MM
    assert abs(x - 28 * MM) <= MM
    assert abs((top - baseline) - 4 * MM) <= MM


def test_page_numbers_alternate_right_and_left(client, office, draft, tmp_path):
    # given: a body of two pages
    body = "\n".join(f"{n}. 第{n}项工作要求。" for n in range(1, 40))
    document = sign_off(draft(body=body), office)
    document = services.document_register(document_id=document.pk, user=office["rhea"])
    client.force_login(office["alice"])
    path = tmp_path / "doc.pdf"
    path.write_bytes(client.get(reverse("documents:pdf", args=[document.pk])).content)
    assert NUMBER_PATTERN.match(document.number)
    # when
    sides = []
    for page in (1, 2):
        out = subprocess.run(
            ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-"],
            capture_output=True,
            text=True,
        ).stdout
        dashes = re.findall(r'xMin="([\d.]+)"[^>]*>—<', out)
        sides.append("right" if float(dashes[-1]) > 595 / 2 else "left")
    # then
    assert sides == ["right", "left"]


def _pages_text(path) -> list[str]:
    with pikepdf.open(path) as pdf:
        count = len(pdf.pages)
    return [
        subprocess.run(
            ["pdftotext", "-f", str(n), "-l", str(n), str(path), "-"],
            capture_output=True,
            text=True,
        ).stdout.replace(" ", "")
        for n in range(1, count + 1)
    ]


@pytest.mark.parametrize(("security", "stamped"), [("confidential", True), ("", False)])
def test_a_classified_pdf_carries_the_readers_name_and_time_on_every_page(
    client, office, draft, tmp_path, security, stamped
):
    # given: a two-page document, registered
    body = "\n".join(f"{n}. 第{n}项工作要求。" for n in range(1, 40))
    document = sign_off(draft(body=body, security=security, security_period="1年"), office)
    document = services.document_register(document_id=document.pk, user=office["rhea"])
    client.force_login(office["otto"])
    path = tmp_path / "doc.pdf"
    # when: otto downloads it at a known time
    with time_machine.travel(datetime(2026, 3, 4, 9, 30, tzinfo=UTC), tick=False):
        path.write_bytes(client.get(reverse("documents:pdf", args=[document.pk])).content)
    # then: his name, number and the time (Asia/Shanghai) on each page, or on none
    pages = _pages_text(path)
    assert len(pages) >= 2
    for text in pages:
        assert ("欧拓（T401）2026-03-0417:30" in text) is stamped, text
    # and the copy that goes to the archives names no reader
    from documents import pdf as red_header

    archived = tmp_path / "archived.pdf"
    archived.write_bytes(red_header.render(document)[0])
    assert all("欧拓" not in text for text in _pages_text(archived))


def test_the_stamp_cannot_break_out_of_its_css_string():
    from documents.pdf import css_string

    literal = css_string('x"; } </style><p>y')
    assert '"' not in literal[1:-1] and "<" not in literal and "}" not in literal

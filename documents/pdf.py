"""The red-header PDF of an issued document (GB/T 9704-2012 layout), rendered by WeasyPrint.

A first cut: A4, the text block 156 × 225 mm from a 37 mm top and a 28 mm binding margin, the body
in 3号 (16 pt) FangSong at 22 lines of 28 characters, the red authority mark and the red rule 4 mm
below the reference number, the title in 2号, page numbers ``— n —`` in 4号 on alternate sides.
Without a FangSong font installed the Noto CJK serif is used (``FONT_NOTE`` says so).
"""

import re
import subprocess

from django.template.loader import render_to_string
from django.utils import timezone

from documents.models import Outgoing

FANGSONG = ("FangSong", "FangSong_GB2312", "仿宋", "仿宋_GB2312", "STFangsong")
FALLBACK = "Noto Serif CJK SC"


def body_font() -> str:
    """The first FangSong-style font fontconfig really has, else the Noto CJK serif."""
    for name in FANGSONG:
        try:
            found = subprocess.run(
                ["fc-match", "-f", "%{family}", name], capture_output=True, text=True, timeout=5
            ).stdout
        except (OSError, subprocess.SubprocessError):
            break
        if any(n.lower() in found.lower() for n in FANGSONG):
            return name
    return FALLBACK


SECURITY_MARK = {"internal": "内部", "confidential": "秘密", "secret": "机密"}
URGENCY_MARK = {"extra": "特急", "urgent": "加急"}
# Heading levels: 一、 in 黑体, （一） in 楷体 (here a bold serif), 1. and （1） as the body.
LEVEL_1 = re.compile(r"^[一二三四五六七八九十]+、")
LEVEL_2 = re.compile(r"^（[一二三四五六七八九十]+）")


def heading_class(line: str) -> str:
    if LEVEL_1.match(line):
        return "h1"
    if LEVEL_2.match(line):
        return "h2"
    return ""


def chinese_date(day) -> str:
    # GB/T 9704-2012 §7.3.5.3: the date in Arabic numerals, year in full, no leading zeros.
    return f"{day.year}年{day.month}月{day.day}日"


def css_string(text: str) -> str:
    """A CSS string literal whose every non-alphanumeric character is a hex escape, so no
    name can close the string or the style element."""
    return '"' + "".join(c if c.isalnum() else f"\\{ord(c):06x}" for c in text) + '"'


def reader_stamp(reader, at) -> str:
    """What a classified PDF carries on every page: who downloaded it, and when."""
    name = reader.get_full_name() or reader.get_username()
    number = f"（{reader.number}）" if getattr(reader, "number", "") else ""
    return f"{name}{number} {timezone.localtime(at):%Y-%m-%d %H:%M} 下载 · 不得外传"


LINE_MM = 10.227  # one line of the 22-line block
TEMPLATES = {
    "letter": "documents/pdf/letter.html",  # GB/T 9704-2012 §10.1 信函格式
    "minutes": "documents/pdf/minutes.html",  # §10.3 纪要格式
}


def copy_number(k: int) -> str:
    """份号 (§7.2.1): six Arabic digits."""
    return f"{k:06d}"


def minutes_parts(document: Outgoing) -> dict:
    """The minutes' mark, its issue line and the people at the meeting (§10.3)."""
    title = document.title.strip()
    # A title that is itself "XXXX纪要" is the mark; otherwise the authority's minutes.
    mark = title if title.endswith("纪要") else f"{document.authority.name_zh}纪要"
    issue = document.minutes_issue or document.seq
    people = [
        (label, "、".join(n.strip() for n in re.split(r"[、，,\n]+", names) if n.strip()))
        for label, names in (
            ("出席", document.present),
            ("请假", document.absent),
            ("列席", document.attending),
        )
        if names.strip()
    ]
    return {
        "minutes_mark": mark,
        "minutes_title": "" if mark == title else title,
        "minutes_issue": f"第{issue}期" if issue else "",
        "people": people,
    }


def render(
    document: Outgoing, *, reader=None, at=None, copy: int | None = None
) -> tuple[bytes, str]:
    """The PDF and its body font, in the format of its type: the standard one, the letter
    (函) or the minutes (纪要). A 秘密/机密 document rendered for a reader carries the reader's
    name and the time on every page (the archived copy is rendered for no one); a copy of a
    print run carries its 份号 in the first line at the top left."""
    import base64

    import weasyprint

    from documents.seals import applied_seal_image

    font = body_font()
    # The seal's impression only once its custodian recorded the use on this document.
    image = applied_seal_image(document)
    seal_image = f"data:image/png;base64,{base64.b64encode(image).decode()}" if image else ""
    issued = timezone.localdate(document.registered_at) if document.registered_at else None
    paragraphs = [
        (heading_class(line.strip()), line.strip())
        for line in document.body.splitlines()
        if line.strip()
    ]
    marks = sum(1 for x in (copy, document.security, document.urgency) if x)
    extra = minutes_parts(document) if document.doc_type == "minutes" else {}
    html = render_to_string(
        TEMPLATES.get(document.doc_type, "documents/outgoing_pdf.html"),
        {
            **extra,
            "copy_no": copy_number(copy) if copy else "",
            # The letter's lower double rule: 20 mm above the bottom edge, from the block's top.
            "bottom_rule_top": f"{297 - 20 - 37 - 1.95:.2f}",
            "bottom_thick_top": f"{297 - 20 - 37 - 1.0:.2f}",
            "minutes_top": f"{max(0.0, 35 - LINE_MM * marks):.3f}",
            "d": document,
            "font": font,
            "paragraphs": paragraphs,
            "to_names": "、".join(
                [x.name_zh for x in document.to_departments.all()]
                + ([document.to_others] if document.to_others else [])
            ),
            "copy_names": "、".join(
                [x.name_zh for x in document.copy_departments.all()]
                + ([document.copy_others] if document.copy_others else [])
            ),
            "date": chinese_date(issued) if issued else "",
            "security": SECURITY_MARK.get(document.security, ""),
            "urgency": URGENCY_MARK.get(document.urgency, ""),
            "seal_image": seal_image,
            "stamp": (
                css_string(reader_stamp(reader, at or timezone.now()))
                if reader is not None and document.is_classified
                else ""
            ),
        },
    )
    pdf = weasyprint.HTML(string=html).write_pdf(pdf_variant="pdf/a-2b")
    return pdf, font


def render_text(*, kind: str, title: str, body: str, signature: str = "", day=None) -> bytes:
    """A drafted text (专报, 讲话稿, 工作报告, 调研报告) or an information issue as a PDF/A-2b in
    the documents' body font and page layout: its kind, the title, the body with its heading
    levels, and who issues it on which day."""
    import weasyprint

    paragraphs = [(heading_class(line.strip()), line.strip()) for line in body.splitlines()]
    html = render_to_string(
        "documents/pdf/text.html",
        {
            "font": body_font(),
            "kind": kind,
            "title": title,
            "paragraphs": [p for p in paragraphs if p[1]],
            "signature": signature,
            "date": chinese_date(day) if day else "",
        },
    )
    return weasyprint.HTML(string=html).write_pdf(pdf_variant="pdf/a-2b")


def page_count(content: bytes) -> int:
    """The number of pages of a rendered PDF (the archives record it with the file)."""
    import io

    import pikepdf

    with pikepdf.open(io.BytesIO(content)) as pdf:
        return len(pdf.pages)

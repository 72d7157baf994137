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


def render(document: Outgoing, *, reader=None, at=None) -> tuple[bytes, str]:
    """The PDF and its body font. A 秘密/机密 document rendered for a reader carries the
    reader's name and the time on every page (the archived copy is rendered for no one)."""
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
    html = render_to_string(
        "documents/outgoing_pdf.html",
        {
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

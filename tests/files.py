"""Real files for upload tests, made in memory: a one-page PDF, Office packages, a zip bomb."""

import io
import zipfile


def real_pdf() -> bytes:
    import pikepdf

    buffer = io.BytesIO()
    with pikepdf.new() as pdf:
        pdf.add_blank_page(page_size=(595, 842))
        pdf.save(buffer)
    return buffer.getvalue()


def office_package(part: str, members: dict[str, bytes] | None = None) -> bytes:
    """A minimal Office Open XML zip: [Content_Types].xml and a member under ``part``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b'<?xml version="1.0"?><Types/>')
        archive.writestr(f"{part}document.xml", b"<document/>")
        for name, data in (members or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def zip_bomb_xlsx(expanded_mb: int = 120) -> bytes:
    """An .xlsx whose one sheet is a run of zeros: about 4 KB per MB it expands to (past the
    100 MB limit by default). Written in 1 MB chunks, so making it costs no memory either."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", b'<?xml version="1.0"?><Types/>')
        chunk = b"0" * (1024 * 1024)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for _ in range(expanded_mb):
                sheet.write(chunk)
    return buffer.getvalue()

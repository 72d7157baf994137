"""The one checker every upload goes through: the apply form's attachments, the admin's
catalogue import, and (wired by the archives) the accession and the Excel import.

A file is accepted only when it is what its extension says: its first bytes match, a PDF
really opens (pikepdf, i.e. qpdf) and has pages, an Office file is a zip with the members of
its kind, an image decodes its header. Zip-based files are measured from their central
directory before anything unpacks them: the sum of the members' uncompressed sizes and the
ratio to the compressed size are bounded, so a 300 KB workbook that expands to 300 MB is
refused without a byte of it being inflated. (Python's zipfile never returns more than a
member's declared size, so the declared sizes are the real bound.)
"""

import warnings
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The file's first bytes must match its extension: a renamed executable is not a PDF.
SIGNATURES = {
    "pdf": [b"%PDF-"],
    "png": [b"\x89PNG\r\n\x1a\n"],
    "jpg": [b"\xff\xd8\xff"],
    "jpeg": [b"\xff\xd8\xff"],
    "docx": [b"PK\x03\x04"],
    "xlsx": [b"PK\x03\x04"],
    "pptx": [b"PK\x03\x04"],
    "zip": [b"PK\x03\x04"],
    "doc": [b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"],
    "xls": [b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"],
}
# The folder an Office Open XML package of each kind keeps its document in.
OFFICE_PARTS = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
MAX_EXPANDED_BYTES = getattr(settings, "HALL_MAX_EXPANDED_MB", 100) * 1024 * 1024
# Real workbooks and documents compress 3–30 times; a run of zeros compresses 1,000 times.
MAX_RATIO = getattr(settings, "HALL_MAX_EXPANSION_RATIO", 100)
MAX_MEMBERS = 10_000


def extension_of(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _refuse(message, name: str, **params) -> ValidationError:
    return ValidationError(message, params={"name": name, **params})


def check_upload(upload, *, max_bytes: int, types=None) -> None:
    """Raises ValidationError (in the active language) unless the upload is a real file of
    one of ``types`` (default: all of SIGNATURES) no larger than ``max_bytes``."""
    name = upload.name or ""
    types = sorted(types or SIGNATURES)
    extension = extension_of(name)
    if extension not in types:
        raise _refuse(
            _("“%(name)s”: only %(types)s files are accepted."), name, types=", ".join(types)
        )
    if upload.size > max_bytes:
        raise _refuse(_("“%(name)s” is larger than %(mb)d MB."), name, mb=max_bytes // 1048576)
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(sig) for sig in SIGNATURES[extension]):
        raise _refuse(_("“%(name)s” is not really a .%(ext)s file."), name, ext=extension)
    try:
        if extension == "pdf":
            _check_pdf(upload, name)
        elif extension in OFFICE_PARTS or extension == "zip":
            check_zip(upload, name=name, part=OFFICE_PARTS.get(extension))
        elif extension in {"png", "jpg", "jpeg"}:
            _check_image(upload, name, extension)
    finally:
        upload.seek(0)


def check_spreadsheet(upload) -> None:
    """The guard to call before any workbook is opened (openpyxl, django-import-export): the
    upload must be an .xlsx package whose members expand to a bounded size."""
    check_zip(upload, name=upload.name or "", part=OFFICE_PARTS["xlsx"])


def check_zip(upload, *, name: str, part: str | None = None) -> None:
    """A zip (or an Office package when ``part`` is given) that opens, has the members of its
    kind and does not expand past the limits; read from the central directory only."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _refuse(_("“%(name)s” is damaged: it cannot be opened."), name) from None
    finally:
        upload.seek(0)
    names = {member.filename for member in members}
    if part and ("[Content_Types].xml" not in names or not any(n.startswith(part) for n in names)):
        raise _refuse(_("“%(name)s” is damaged: it cannot be opened."), name)
    expanded = sum(member.file_size for member in members)
    packed = sum(member.compress_size for member in members)
    if (
        len(members) > MAX_MEMBERS
        or expanded > MAX_EXPANDED_BYTES
        or expanded > MAX_RATIO * max(packed, 1024)
    ):
        raise _refuse(
            _("“%(name)s” unpacks to %(mb)d MB, more than the hall opens."),
            name,
            mb=expanded // 1048576,
        )


def _check_pdf(upload, name: str) -> None:
    import pikepdf

    try:
        with pikepdf.open(upload) as pdf:
            pages = len(pdf.pages)
    except pikepdf.PasswordError:
        raise _refuse(
            _("“%(name)s” is locked with a password; please upload it without one."), name
        ) from None
    except Exception:  # noqa: BLE001 - qpdf raises several kinds for a file that is no PDF
        raise _refuse(_("“%(name)s” is damaged: it cannot be opened."), name) from None
    if pages == 0:
        raise _refuse(_("“%(name)s” is damaged: it cannot be opened."), name)


def _check_image(upload, name: str, extension: str) -> None:
    from PIL import Image

    expected = "PNG" if extension == "png" else "JPEG"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                kind = image.format
                image.verify()
    except Exception:  # noqa: BLE001 - any undecodable image gets the same answer
        raise _refuse(_("“%(name)s” is damaged: it cannot be opened."), name) from None
    if kind != expected:
        raise _refuse(_("“%(name)s” is not really a .%(ext)s file."), name, ext=extension)

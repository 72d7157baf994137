"""The hall's one upload checker: files are what their names say, and archives are measured
before anything unpacks them."""

import io
import zipfile
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from hall import uploads
from hall.models import Service
from tests.files import office_package, real_pdf, zip_bomb_xlsx

MB = 1024 * 1024
FAKE_PDF = b"%PDF-1.7\n<html><body><script>alert(1)</script></body></html>\n"


def check(name: str, data: bytes) -> None:
    uploads.check_upload(SimpleUploadedFile(name, data), max_bytes=10 * MB)


def refusal(name: str, data: bytes, language: str = "en") -> str:
    with translation.override(language):
        with pytest.raises(ValidationError) as refused:
            check(name, data)
        return " ".join(refused.value.messages)


def png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return buffer.getvalue()


def test_a_real_pdf_is_accepted():
    check("letter.pdf", real_pdf())


def test_a_pdf_header_followed_by_html_is_refused_in_the_users_language():
    assert "damaged" in refusal("letter.pdf", FAKE_PDF)
    assert "已损坏" in refusal("letter.pdf", FAKE_PDF, "zh-hans")


def test_real_office_files_are_accepted():
    for name, part in (("a.docx", "word/"), ("b.xlsx", "xl/"), ("c.pptx", "ppt/")):
        check(name, office_package(part))


def test_a_broken_docx_is_refused():
    # given: a zip's first bytes, then nothing a zip reader can use
    broken = b"PK\x03\x04" + b"\x00" * 200
    # then
    assert "damaged" in refusal("report.docx", broken)


def test_a_zip_that_is_not_a_word_document_is_refused_as_docx():
    assert "damaged" in refusal("report.docx", office_package("xl/"))


def test_a_spreadsheet_that_unpacks_past_the_limit_is_refused_without_unpacking_it():
    # given: an .xlsx of a few hundred KB whose one sheet expands to 120 MB of zeros
    bomb = zip_bomb_xlsx()
    assert len(bomb) < 1 * MB
    # when / then: refused from the central directory; no member is ever read
    with (
        mock.patch.object(zipfile.ZipFile, "open", side_effect=AssertionError("inflated")),
        translation.override("zh-hans"),
        pytest.raises(ValidationError) as refused,
    ):
        uploads.check_spreadsheet(SimpleUploadedFile("catalogue.xlsx", bomb))
    with translation.override("zh-hans"):
        assert "解压后" in " ".join(refused.value.messages)


def test_a_small_file_that_expands_a_thousand_times_is_refused():
    # given: 20 MB of zeros, under the size limit but far past any real workbook's ratio
    assert "unpacks" in refusal("sheet.xlsx", zip_bomb_xlsx(expanded_mb=20))


def test_images_must_decode():
    check("photo.png", png())
    assert "damaged" in refusal("photo.png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 10)


def test_the_catalogue_import_refuses_a_zip_bomb_before_opening_the_workbook(
    client, olivia, make_service
):
    # given
    make_service(code="keep-me", name_zh="原样")
    client.force_login(olivia)
    client.post(reverse("set_language"), {"language": "en"})
    formats = client.get(reverse("admin:hall_service_import")).context["form"]
    xlsx = next(value for value, label in formats.fields["format"].choices if "xlsx" in label)
    upload = SimpleUploadedFile("catalogue.xlsx", zip_bomb_xlsx())
    # when
    with mock.patch("openpyxl.load_workbook") as load_workbook:
        response = client.post(
            reverse("admin:hall_service_import"),
            {"resource": "0", "format": xlsx, "import_file": upload},
        )
    # then: a message on the form, the workbook never opened, the catalogue unchanged
    assert response.status_code == 200
    assert "more than the hall opens" in response.content.decode()
    load_workbook.assert_not_called()
    assert list(Service.objects.values_list("code", flat=True)) == ["keep-me"]

"""The archivists' accession checks files as the apply form does: type, first bytes, and that
the file really opens; the batch import checks the workbook before opening it."""

import zipfile
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from archives.models import Record
from tests.archives.conftest import package, real_pdf


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _accession(client, upload):
    return client.post(
        reverse("archives:accession"),
        {
            "title": "1985年建校三十周年纪念册",
            "date": "1985-10-01",
            "retention": "Y",
            "pages": 1,
            "security": "public",
            "files": [upload],
        },
    )


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("page.html", b"<html><script>alert(1)</script></html>", "文件"),
        ("tool.exe", b"MZ\x90\x00", "文件"),
        ("scan.pdf", b"%PDF-1.4\n<html><script>alert(1)</script></html>", "scan.pdf"),
        ("scan.pdf", b"<html>not a pdf</html>", "scan.pdf"),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "photo.png"),
        ("letter.docx", _zip({"hello.txt": b"hi"}), "letter.docx"),
    ],
    ids=["html", "exe", "pdf-head-then-html", "pdf-name-html-body", "broken-png", "zip-as-docx"],
)
def test_the_accession_refuses_a_file_that_is_not_what_it_says(
    client, fonds, archivist, media, name, content, message
):
    # given
    client.force_login(archivist)
    # when
    response = _accession(client, SimpleUploadedFile(name, content))
    # then: the form again, the reason in the user's language (Chinese by default), no record
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Record.objects.exists()
    assert not list(media.rglob("*.*"))


def test_the_accession_takes_a_real_pdf(client, fonds, archivist, media):
    # given
    client.force_login(archivist)
    # when
    response = _accession(client, SimpleUploadedFile("scan.pdf", real_pdf()))
    # then
    record = Record.objects.get()
    assert response.status_code == 302 and response.url == record.get_absolute_url()
    assert record.files.get().name == "scan.pdf"


def test_the_import_refuses_a_zip_that_is_no_workbook_before_opening_it(
    client, fonds, archivist, media
):
    # given
    client.force_login(archivist)
    fake = _zip({"hello.txt": b"hi"})
    # when
    response = client.post(
        reverse("archives:import"), {"file": SimpleUploadedFile("records.xlsx", fake)}
    )
    # then
    assert response.status_code == 200
    assert "records.xlsx" in response.content.decode()
    assert not Record.objects.exists()


def test_the_import_service_measures_a_workbook_before_opening_it(fonds, archivist):
    # given: a small file that would unpack past the limit, handed to the service directly
    from unittest import mock

    from archives import services
    from tests.files import zip_bomb_xlsx

    upload = SimpleUploadedFile("catalogue.xlsx", zip_bomb_xlsx())
    before = Record.objects.count()
    # when
    with (
        mock.patch("openpyxl.load_workbook") as opened,
        pytest.raises(services.ArchiveError),
    ):
        services.records_import(user=archivist, upload=upload)
    # then
    opened.assert_not_called()
    assert Record.objects.count() == before


def test_the_statistics_workbook_names_departments_in_the_readers_language(
    client, fonds, archivist, school, media
):
    # given: a record of the school, filed by an English-speaking archivist
    from io import BytesIO

    from openpyxl import load_workbook

    from archives import services

    services.record_file(package=package(1, department=school.pk))
    client.force_login(archivist)
    client.cookies["django_language"] = "en"
    # when
    response = client.get(reverse("archives:statistics"), {"format": "xlsx"})
    # then
    body = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = load_workbook(BytesIO(body)).active
    values = {cell for row in sheet.iter_rows(values_only=True) for cell in row if cell}
    assert school.name_en in values and school.name_zh not in values

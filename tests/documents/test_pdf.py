"""The red-header PDF: A4, PDF/A-2b with embedded fonts, the number and the page numbers."""

import subprocess

import pikepdf
import pytest
from django.urls import reverse

from documents import services
from tests.documents.conftest import sign_off


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

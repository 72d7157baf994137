"""The approvers' task page shows the document under review as people know it: its reference
number (or that it has none yet), its title and its type, in the reader's language."""

import importlib

import pytest
from django.apps import apps as django_apps

from documents import services
from tests.documents.conftest import sign_off
from workflows.models import ApprovalTask, ServiceRequest


def _task_page(client, document, user, language):
    task = ApprovalTask.objects.filter(request_id=document.request_id).order_by("pk").first()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client.get(task.get_absolute_url())


def test_the_task_page_shows_not_yet_numbered_title_and_type_in_english(client, office, draft):
    # given a notice sent into its chain by a drafter reading Chinese
    document = draft()
    services.document_submit(document_id=document.pk, user=office["alice"])
    document.refresh_from_db()
    # when its first approver opens the task in English
    page = _task_page(client, document, office["hank"], "en").content.decode()
    # then the document's row is its number (none yet), linking to it, not its id
    assert "Reference number" in page
    assert "Not yet numbered" in page
    assert f'href="/documents/{document.pk}/"' in page
    assert f"<dd>{document.pk}</dd>" not in page
    assert "公文编号" not in page
    assert "Notice (通知)" in page
    assert document.title in page
    assert "President&#x27;s Office" in page


def test_the_task_page_shows_the_number_once_registered_in_chinese(client, office, draft):
    document = sign_off(draft(), office)
    document = services.document_register(document_id=document.pk, user=office["rhea"])
    page = _task_page(client, document, office["hank"], "zh-hans").content.decode()
    assert "发文字号" in page
    assert document.number in page
    assert "校长办公室" in page


def test_the_migration_relabels_the_snapshot_of_running_requests(office, draft):
    # given a request written with the old label in its form snapshot
    document = draft()
    services.document_submit(document_id=document.pk, user=office["alice"])
    document.refresh_from_db()
    request = ServiceRequest.objects.get(pk=document.request_id)
    fields = request.service_fields
    for spec in fields:
        if spec["key"] == "document":
            spec["label_zh"], spec["label_en"] = "公文编号", "Document"
    ServiceRequest.objects.filter(pk=request.pk).update(service_fields=fields)
    # when the data migration runs
    migration = importlib.import_module("documents.migrations.0011_reference_number_on_task_page")
    migration.relabel(django_apps, None)
    # then the snapshot carries the new label
    request.refresh_from_db()
    spec = next(s for s in request.service_fields if s["key"] == "document")
    assert (spec["label_zh"], spec["label_en"]) == ("发文字号", "Reference number")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_request_page_shows_the_same_rows(client, office, draft, language):
    document = draft()
    services.document_submit(document_id=document.pk, user=office["alice"])
    document.refresh_from_db()
    client.force_login(office["alice"])
    client.cookies["django_language"] = language
    page = client.get(document.request.get_absolute_url()).content.decode()
    assert ("Not yet numbered" if language == "en" else "尚未编号") in page

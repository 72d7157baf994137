from celery import shared_task

from documents import services


@shared_task(acks_late=True)
def file_document(document_id: int) -> str:
    """Files an issued document in the archives; running it twice leaves one record."""
    record = services.document_file(document_id=document_id)
    return record.code if record else ""


@shared_task(acks_late=True)
def file_drafting(task_id: int) -> str:
    """Files an approved drafting task's text in the archives; twice leaves one record."""
    from documents import drafting

    record = drafting.task_file(task_id=task_id)
    return record.code if record else ""


@shared_task(acks_late=True)
def file_incoming(incoming_id: int) -> str:
    """Files a done incoming document in the archives; twice leaves one record."""
    from documents import incoming_filing

    record = incoming_filing.incoming_file(incoming_id=incoming_id)
    return record.code if record else ""


@shared_task(acks_late=True)
def file_info_issue(issue_id: int) -> str:
    """Files a sent information issue in the archives; twice leaves one record."""
    from documents import info

    record = info.issue_file(issue_id=issue_id)
    return record.code if record else ""

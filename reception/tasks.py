from celery import shared_task


@shared_task(acks_late=True)
def file_visit(visit_id: int) -> str:
    """Files a settled visit in the archives; twice leaves one record."""
    from reception.visit_plans import visit_file

    record = visit_file(visit_id=visit_id)
    return record.code if record else ""

from celery import shared_task

from performance import evaluation


@shared_task(acks_late=True)
def file_evaluation(evaluation_id: int) -> str:
    """Files an evaluation's approved results in the archives; twice leaves one record."""
    record = evaluation.evaluation_file(evaluation_id=evaluation_id)
    return record.code if record else ""


@shared_task(acks_late=True)
def file_minutes(minutes_id: int) -> str:
    """Files issued minutes in the archives; twice leaves one record."""
    from performance.minutes_pdf import minutes_file

    record = minutes_file(minutes_id=minutes_id)
    return record.code if record else ""

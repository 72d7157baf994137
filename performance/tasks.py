from celery import shared_task

from performance import evaluation


@shared_task(acks_late=True)
def file_evaluation(evaluation_id: int) -> str:
    """Files an evaluation's approved results in the archives; twice leaves one record."""
    record = evaluation.evaluation_file(evaluation_id=evaluation_id)
    return record.code if record else ""

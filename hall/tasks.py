from celery import shared_task

from hall import notifications


@shared_task(acks_late=True)
def send_delivery(key: str) -> str:
    """Sends one outbox row; a redelivered or duplicate task finds it sent and does nothing."""
    return notifications.delivery_send(key=key)


@shared_task
def sweep_deliveries() -> int:
    return notifications.deliveries_sweep()


@shared_task
def popularity_fold() -> int:
    from hall.services import popularity_fold as fold

    return fold()

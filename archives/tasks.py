from celery import shared_task

from archives import services


@shared_task
def fixity_check() -> dict:
    return services.fixity_check()


@shared_task
def loans_expire() -> int:
    return services.loans_expire()


@shared_task
def loans_remind() -> int:
    return services.loans_remind()


@shared_task
def office_remind() -> dict:
    """Daily: certificate expiry and statistics report deadline reminders, each sent once."""
    return services.office_remind()

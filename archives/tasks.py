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

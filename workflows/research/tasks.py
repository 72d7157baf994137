from celery import shared_task

from workflows.research import services


@shared_task(name="workflows.research.tasks.pull")
def pull() -> int:
    """The scheduled HTTP pull; does nothing while no RESEARCH_API_URL is set."""
    return sum(run.ok for run in services.mirror_pull())


@shared_task(name="workflows.research.tasks.transfers_tick")
def transfers_tick() -> dict:
    """Writes the outbox rows of newly approved requests and sends what is due."""
    from workflows.research import transfers

    return transfers.transfers_tick()

from celery import shared_task

from workflows import services


@shared_task(acks_late=True)
def render_request_pdf(request_id: int) -> str:
    """Renders the approved request's PDF; running it twice leaves one PDF."""
    return services.request_render_pdf(request_id=request_id)


@shared_task
def reminders_tick() -> dict:
    from workflows.reminders import app_ticks
    from workflows.reminders import reminders_tick as tick

    return {**tick(), **app_ticks()}


@shared_task
def pdf_orphans_sweep() -> int:
    from workflows.reminders import pdf_orphans_sweep as sweep

    return len(sweep())

"""Background tasks of the reports app (Django's tasks interface, django-tasks)."""

from django_tasks import task

from . import services


@task()
def render_report(render_id: int) -> str:
    """Render one queued PDF: an issued report or a draft (``ReportRender``)."""
    return services.run_render(render_id=render_id)

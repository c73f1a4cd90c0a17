"""Background tasks of the notifications app (Django's tasks interface, django-tasks)."""

from django_tasks import task

from . import services


@task()
def send_notification_emails(notification_ids: list[int]) -> int:
    """Mail the given notifications (each at most once; failures are logged)."""
    return services.send_emails(notification_ids=notification_ids)

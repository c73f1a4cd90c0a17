"""What the reports app does when the assessment workflow moves."""

from django.dispatch import receiver

from assessments.signals import assessment_approved

from . import services


@receiver(assessment_approved)
def queue_issuing_on_approval(sender, *, assessment, by, **kwargs):
    services.queue_issuing(assessment=assessment, by=by)

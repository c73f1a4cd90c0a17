"""What the reports app does when the assessment workflow moves."""

from django.dispatch import receiver

from assessments.signals import assessment_approved

from . import services, signing


@receiver(assessment_approved)
def queue_issuing_on_approval(sender, *, assessment, by, **kwargs):
    # Inside the approval transaction: without a signing certificate the approval is
    # refused with the reason (SigningNotConfigured is a WorkflowError), as before.
    signing.signing_signer()
    services.queue_issuing(assessment=assessment, by=by)

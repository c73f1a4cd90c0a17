"""The narrative an organization writes per OECD HAIP reporting item, kept with its
assessment.

The narrative is a document of its own, not part of the assessed answers: officers may
edit it at any time, also after approval (the answers stay frozen), and every change
is recorded in its history. An item is referred to by its identifier ("1.a") rather
than by a foreign key, so that reloading the reporting items never deletes text.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from assessments.models import Assessment


class HaipNarrative(models.Model):
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="haip_narratives"
    )
    item = models.CharField(_("reporting item"), max_length=8)
    text = models.TextField(
        _("narrative"),
        blank=True,
        help_text=_("Empty: the export uses the text generated from the answers."),
    )
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("HAIP report narrative")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "item"], name="unique_haip_narrative"),
        ]

    def __str__(self):
        return f"{self.assessment_id} {self.item}"

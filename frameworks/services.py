"""Writes of the HAIP report draft: an officer's narrative for one reporting item."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from assessments.models import Assessment, Membership
from assessments.services import lock_assessment

from .models import HaipNarrative


class NarrativeError(Exception):
    """The narrative was not saved; the message says why."""


class StaleNarrative(NarrativeError):
    """Someone saved the item's narrative since the form was opened."""


def save_narrative(
    *, assessment: Assessment, item: str, text: str, version: int, by
) -> HaipNarrative:
    """Save the narrative of ``item`` if ``version`` is still the stored one.

    Officers only (re-checked under the assessment's row lock). Allowed in every
    status: the narrative is the organization's own text about the answers, which
    stay frozen once approved. An empty text returns the item to the generated text.
    """
    limit = settings.HAIP_NARRATIVE_MAX_CHARS
    if len(text) > limit:
        raise NarrativeError(
            _("The narrative has %(count)s characters; at most %(limit)s are allowed.")
            % {"count": f"{len(text):,}", "limit": f"{limit:,}"}
        )
    with transaction.atomic():
        lock_assessment(assessment, by=by, role=Membership.Role.OFFICER)
        narrative = (
            HaipNarrative.objects.select_for_update()
            .filter(assessment=assessment, item=item)
            .first()
        )
        stored = narrative.version if narrative is not None else 0
        if stored != version:
            raise StaleNarrative(
                _(
                    "Someone else saved this item's narrative since you opened it; "
                    "nothing was saved. Their text is shown below."
                )
            )
        if narrative is None:
            narrative = HaipNarrative(assessment=assessment, item=item, version=0)
        if narrative.pk is not None and narrative.text == text:
            return narrative
        narrative.text = text
        narrative.version += 1
        narrative.updated_by = by
        narrative.save()
        return narrative

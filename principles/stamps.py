"""Stamp the catalogue changed: receivers on every model ``live_catalogue`` reads.

Saves and deletes through the ORM (the admin, ``load_framework``, ``loaddata``, the
shell) send these signals. Bulk writes (``QuerySet.update``, ``bulk_create``) and
data migrations (historical models) send none: code that writes the catalogue
that way calls ``stamp_catalogue_changed`` itself (a data migration writes a new
token into ``CatalogueStamp``); anything else shows after ``CATALOGUE_KEEP_SECONDS``.
"""

from __future__ import annotations

import uuid

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from .models import (
    CatalogueStamp,
    CrosswalkMapping,
    HaipItem,
    HaipSection,
    LifecycleRole,
    Principle,
    Question,
    QuestionWeight,
    TargetFramework,
    TargetRequirement,
)

# What the live catalogue reads, and the crosswalks the questionnaire shows with it
# (pages kept by ``assessments.page_cache`` are keyed on the stamp).
STAMPED_MODELS = (
    Principle,
    LifecycleRole,
    Question,
    QuestionWeight,
    HaipSection,
    HaipItem,
    TargetFramework,
    TargetRequirement,
    CrosswalkMapping,
)


def stamp_catalogue_changed() -> None:
    """A new token: every process builds the live catalogue again on its next use.

    One UPDATE per change (``load_framework`` saves hundreds of rows in a run); the
    row is created only where migration 0007 did not (a flushed test database)."""
    token = uuid.uuid4().hex
    if not CatalogueStamp.objects.filter(pk=1).update(token=token, changed_at=timezone.now()):
        CatalogueStamp.objects.create(pk=1, token=token)


def _changed(sender, action="post", **kwargs):
    # Fixtures loaded with loaddata (raw saves) change the catalogue too; a
    # many-to-many change is stamped once, after it is made.
    if not action.startswith("pre_"):
        stamp_catalogue_changed()


def connect() -> None:
    for model in STAMPED_MODELS:
        post_save.connect(_changed, sender=model, dispatch_uid=f"stamp-save-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"stamp-delete-{model.__name__}")
    for field in HaipItem._meta.many_to_many:
        m2m_changed.connect(
            _changed, sender=field.remote_field.through, dispatch_uid=f"stamp-m2m-{field.name}"
        )

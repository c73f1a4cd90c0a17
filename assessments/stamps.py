"""Stamp an assessment changed: a new ``Assessment.change_token``.

Pages kept by ``page_cache`` are kept under the token they were built from, so a
new token makes every kept page of the assessment unreachable. Saves and deletes
through the ORM of everything a page shows (answers, evidence, comments,
assignments, review events, opinions, kept uploads, declared roles, the
organization, its people and their names) send the signals received here; bulk
writes (``QuerySet.update``, ``bulk_create``) send none, so the services that use
them call ``stamp_assessment_changed`` themselves.

Inside a transaction the stamp is written once per assessment (a page save touches
ten answers and their evidence), in that transaction: the new token commits with the
change, never before it. It is written again after a rollback of the savepoint it was
written in, and after this connection read a page's key (``page_cache`` counts the
reads): a page built inside the transaction, after the first stamp, must not be kept
under the token that a later change in the same transaction would otherwise keep.
"""

from __future__ import annotations

from functools import partial

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from .models import (
    Answer,
    Assessment,
    Assignment,
    AuditOpinion,
    Comment,
    Evidence,
    Membership,
    Organization,
    PendingUpload,
    ReviewEvent,
    new_change_token,
)


def _marker() -> None:
    """An ``on_commit`` callback that does nothing: it marks a stamp as written."""


# How many page keys this connection (this thread) has read: ``page_cache`` adds one.
PAGE_READS = "hiroshima_page_reads"


def page_read(connection) -> None:
    setattr(connection, PAGE_READS, getattr(connection, PAGE_READS, 0) + 1)


def _stamp(key, queryset) -> None:
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        # The callbacks of this transaction (Django drops those of a savepoint
        # rolled back, with the stamp written in it).
        key = (key, getattr(connection, PAGE_READS, 0))
        if any(getattr(entry[1], "stamp_key", None) == key for entry in connection.run_on_commit):
            return
        marker = partial(_marker)
        marker.stamp_key = key
        transaction.on_commit(marker)
    queryset.update(change_token=new_change_token())


def stamp_assessment_changed(assessment_id: int | None) -> None:
    """A new change token for one assessment (one UPDATE per transaction)."""
    if assessment_id is not None:
        _stamp(("assessment", assessment_id), Assessment.objects.filter(pk=assessment_id))


def stamp_organization_changed(organization_id: int | None) -> None:
    """A new change token for every assessment of an organization (its name, its
    people: pages show them)."""
    if organization_id is not None:
        _stamp(
            ("organization", organization_id),
            Assessment.objects.filter(organization_id=organization_id),
        )


def _assessment_of_answer(instance) -> int | None:
    field = type(instance)._meta.get_field("answer")
    if field.is_cached(instance):
        return instance.answer.assessment_id
    return (
        Answer.objects.filter(pk=instance.answer_id).values_list("assessment_id", flat=True).first()
    )


def _direct(sender, instance, **kwargs) -> None:
    stamp_assessment_changed(instance.assessment_id)


def _through_answer(sender, instance, **kwargs) -> None:
    stamp_assessment_changed(_assessment_of_answer(instance))


def _roles_changed(sender, instance, action, **kwargs) -> None:
    if action.startswith("post_") and isinstance(instance, Assessment):
        stamp_assessment_changed(instance.pk)


def _stamped_before(raw: bool) -> bool:
    """Whether a save is stamped by its ``pre_save`` receiver: inside a transaction (the
    admin's forms), the assessments' rows are stamped before the row itself is written.

    That is the order of every writer of an assessment: it updates the assessment's row
    twice in its transaction (the stamp, then its save), so PostgreSQL checks that row's
    keys on the organization's and the users' rows again when it commits. A new name
    (a unique column) locks such a row against these checks until its own transaction
    ends: stamping after it, waiting for a writer that waits for it, deadlocks. Outside
    a transaction the row is written (and committed) first, then stamped."""
    return not raw and transaction.get_connection().in_atomic_block


def _stamp_saves(model, stamp, *, ignore=lambda update_fields: False) -> None:
    """Stamp with ``stamp(pk)`` when an existing ``model`` row is saved: before it is
    written inside a transaction, after it outside one (``_stamped_before``). A new
    row names nothing yet; ``ignore(update_fields)`` skips saves no page shows."""

    def saving(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
        if not instance._state.adding and not ignore(update_fields) and _stamped_before(raw):
            stamp(instance.pk)

    def saved(sender, instance, created=False, raw=False, update_fields=None, **kwargs):
        if not created and not ignore(update_fields) and not _stamped_before(raw):
            stamp(instance.pk)

    uid = f"change-{model._meta.label_lower}"
    pre_save.connect(saving, sender=model, weak=False, dispatch_uid=f"{uid}-before")
    post_save.connect(saved, sender=model, weak=False, dispatch_uid=f"{uid}-after")


def _organization_roles_changed(sender, instance, action, **kwargs) -> None:
    if action.startswith("post_") and isinstance(instance, Organization):
        stamp_organization_changed(instance.pk)


def _membership_changed(sender, instance, **kwargs) -> None:
    stamp_organization_changed(instance.organization_id)


def _only_signing_in(update_fields) -> bool:
    # A sign-in saves ``last_login`` only: nothing a page shows.
    return update_fields is not None and set(update_fields) <= {"last_login"}


def _stamp_user(user_id) -> None:
    """Every assessment of the user's organizations, and those that name them without
    their being a member any more: who answered, accepted or reviewed an answer, who
    commented or resolved, who reviewed the assessment, who is assigned. One UPDATE:
    two users saved at once lock the rows they share in the same order."""
    answers = Answer.objects.filter(
        Q(updated_by_id=user_id) | Q(na_accepted_by_id=user_id) | Q(reviewed_by_id=user_id)
    )
    comments = Comment.objects.filter(Q(author_id=user_id) | Q(resolved_by_id=user_id))
    organizations = Membership.objects.filter(user_id=user_id).values("organization_id")
    _stamp(
        ("user", user_id),
        Assessment.objects.filter(
            Q(organization_id__in=organizations)
            | Q(pk__in=answers.values("assessment_id"))
            | Q(pk__in=comments.values("answer__assessment_id"))
            | Q(pk__in=ReviewEvent.objects.filter(by_id=user_id).values("assessment_id"))
            | Q(pk__in=Assignment.objects.filter(assignee_id=user_id).values("assessment_id"))
        ),
    )


def connect() -> None:
    for model in (Answer, Assignment, ReviewEvent, AuditOpinion, PendingUpload):
        post_save.connect(_direct, sender=model, dispatch_uid=f"change-save-{model.__name__}")
        post_delete.connect(_direct, sender=model, dispatch_uid=f"change-delete-{model.__name__}")
    for model in (Evidence, Comment):
        post_save.connect(
            _through_answer, sender=model, dispatch_uid=f"change-save-{model.__name__}"
        )
        post_delete.connect(
            _through_answer, sender=model, dispatch_uid=f"change-delete-{model.__name__}"
        )
    m2m_changed.connect(
        _roles_changed, sender=Assessment.roles.through, dispatch_uid="change-assessment-roles"
    )
    _stamp_saves(Organization, stamp_organization_changed)
    m2m_changed.connect(
        _organization_roles_changed,
        sender=Organization.roles.through,
        dispatch_uid="change-org-roles",
    )
    post_save.connect(_membership_changed, sender=Membership, dispatch_uid="change-member-save")
    post_delete.connect(_membership_changed, sender=Membership, dispatch_uid="change-member-del")
    _stamp_saves(get_user_model(), _stamp_user, ignore=_only_signing_in)

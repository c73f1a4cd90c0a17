"""Writes and reads for assignments: who answers which principle or question, by when.

A module of its own beside ``services`` (same rules: keyword-only, row lock first,
state re-checked on the fresh row), so that the workflow module stays readable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from principles.catalogue import live_catalogue

from .models import Answer, Assessment, Assignment, Membership
from .services import WorkflowError, catalogue_for, role_codes
from .signals import work_assigned

# Who may assign work: the organization's officers, and its owners once that role
# exists (Membership.Role.OWNER, "owner", from the members work). Who may be given it:
# officers only, since they are the ones who answer (owners manage people).
ASSIGNING_ROLES = ("officer", "owner")
ANSWERING_ROLES = ("officer",)


def _role_of(*, user_id: int, organization_id: int) -> str | None:
    return (
        Membership.objects.filter(user_id=user_id, organization_id=organization_id)
        .values_list("role", flat=True)
        .first()
    )


def can_assign(assessment: Assessment) -> bool:
    """Whether the user ``assessment`` was loaded for (``member_role``) may assign."""
    return getattr(assessment, "member_role", None) in ASSIGNING_ROLES


def assignable_members(organization_id: int):
    """The users work can be assigned to in an organization, by username."""
    return (
        get_user_model()
        .objects.filter(
            memberships__organization_id=organization_id,
            memberships__role__in=ANSWERING_ROLES,
            is_active=True,
        )
        .order_by("username")
    )


def _lock_for_assigning(assessment: Assessment, *, by) -> Assessment:
    fresh = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if _role_of(user_id=by.pk, organization_id=fresh.organization_id) not in ASSIGNING_ROLES:
        raise PermissionDenied(_("Only the organization's officers can assign work."))
    if not fresh.is_draft:
        raise WorkflowError(_("Work can be assigned only while the assessment is a draft."))
    return fresh


def _check_target(assessment: Assessment, *, numeral: str, question_code: str) -> None:
    if bool(numeral) == bool(question_code):
        raise WorkflowError(_("Choose either a principle or a single question."))
    catalogue = catalogue_for(assessment)
    if numeral and catalogue.principle(numeral) is None:
        raise WorkflowError(_("There is no principle %(numeral)s.") % {"numeral": numeral})
    if question_code and question_code not in {q.code for q in catalogue.questions()}:
        raise WorkflowError(_("There is no question %(code)s.") % {"code": question_code})


def _check_due(due_date: date | None) -> None:
    if due_date is not None and due_date < timezone.localdate():
        raise WorkflowError(_("The due date cannot be in the past."))


def assign_work(
    *,
    assessment: Assessment,
    assignee,
    by,
    numeral: str = "",
    question_code: str = "",
    due_date: date | None = None,
) -> Assignment:
    """Give a principle (``numeral``) or one question (``question_code``) to ``assignee``.

    Assigning a target that is already assigned reassigns it (and takes the new due
    date). Sends ``work_assigned`` when the assignee or the due date changed.
    """
    numeral, question_code = numeral.strip(), question_code.strip()
    _check_due(due_date)
    with transaction.atomic():
        fresh = _lock_for_assigning(assessment, by=by)
        _check_target(fresh, numeral=numeral, question_code=question_code)
        role = _role_of(user_id=assignee.pk, organization_id=fresh.organization_id)
        if role not in ANSWERING_ROLES or not assignee.is_active:
            raise WorkflowError(
                _("%(name)s is not an officer of this organization.")
                % {"name": assignee.get_username()}
            )
        assignment = (
            Assignment.objects.filter(
                assessment=fresh, numeral=numeral, question_code=question_code
            )
            .select_for_update()
            .first()
        )
        if assignment is None:
            assignment = Assignment(assessment=fresh, numeral=numeral, question_code=question_code)
        elif assignment.assignee_id == assignee.pk and assignment.due_date == due_date:
            return assignment
        assignment.assignee = assignee
        assignment.due_date = due_date
        assignment.assigned_by = by
        assignment.assigned_at = timezone.now()
        assignment.save()
        work_assigned.send(sender=Assignment, assignment=assignment, by=by)
    return assignment


def unassign_work(*, assessment: Assessment, assignment_id: int, by) -> None:
    with transaction.atomic():
        fresh = _lock_for_assigning(assessment, by=by)
        deleted, _rows = Assignment.objects.filter(pk=assignment_id, assessment=fresh).delete()
        if not deleted:
            raise WorkflowError(_("This assignment was removed already."))


def set_due_date(*, assessment: Assessment, due_date: date | None, by) -> None:
    """The assessment's own due date (None clears it)."""
    _check_due(due_date)
    with transaction.atomic():
        fresh = _lock_for_assigning(assessment, by=by)
        fresh.due_date = due_date
        fresh.save(update_fields=["due_date", "updated_at"])


# --- reads --------------------------------------------------------------------


def assignments_by_target(assessment: Assessment) -> dict[str, Assignment]:
    """The assessment's assignments keyed by principle numeral or question code (one query)."""
    found = {}
    for a in Assignment.objects.filter(assessment=assessment).select_related("assignee"):
        a.assessment = assessment  # for the due date, without a query per row
        found[a.target] = a
    return found


def assignee_for(by_target: dict[str, Assignment], code: str) -> Assignment | None:
    """Who answers question ``code``: its own assignment, else its principle's."""
    return by_target.get(code) or by_target.get(code.split(".")[0])


@dataclass
class WorkItem:
    assignment: Assignment
    due: date | None
    answered: int
    total: int

    @property
    def overdue(self) -> bool:
        return self.due is not None and self.due < timezone.localdate()

    @property
    def done(self) -> bool:
        return self.total > 0 and self.answered >= self.total


def work_for(user) -> list[WorkItem]:
    """What is assigned to ``user`` in drafts of organizations they belong to, overdue
    first, then by due date (none last), with progress; a fixed number of queries."""
    assignments = (
        Assignment.objects.open()
        .filter(
            assignee=user,
            assessment__organization__memberships__user=user,
            assessment__organization__memberships__role__in=ANSWERING_ROLES,
        )
        .select_related("assessment__organization")
        .prefetch_related("assessment__roles")
    )
    items = with_progress(list(assignments))
    items.sort(
        key=lambda item: (
            not item.overdue,
            item.due is None,
            item.due or date.max,
            item.assignment.assessment.title,
            item.assignment.target,
        )
    )
    return items


def with_progress(assignments: list[Assignment]) -> list[WorkItem]:
    """Each assignment (of a draft; ``assessment`` and its ``roles`` loaded) with how many
    of its applicable questions are answered: two queries whatever the number."""
    if not assignments:
        return []
    answered: dict[int, set[int]] = {}
    rows = Answer.objects.filter(
        assessment_id__in={a.assessment_id for a in assignments}
    ).values_list("assessment_id", "question_id", "level", "not_applicable")
    for assessment_id, question_id, level, not_applicable in rows:
        if not_applicable or level is not None:
            answered.setdefault(assessment_id, set()).add(question_id)
    live = live_catalogue()
    items = []
    for assignment in assignments:
        catalogue = catalogue_for(assignment.assessment, live=live)
        roles = role_codes(assignment.assessment)
        principle = catalogue.principle(assignment.principle_numeral)
        questions = [
            q
            for q in (principle.questions if principle else [])
            if q.effective_weight(roles) > 0
            and (not assignment.question_code or q.code == assignment.question_code)
        ]
        done = answered.get(assignment.assessment_id, set())
        items.append(
            WorkItem(
                assignment=assignment,
                due=assignment.effective_due_date,
                answered=sum(1 for q in questions if q.id in done),
                total=len(questions),
            )
        )
    return items


def awaiting_review(user):
    """Submitted assessments of the organizations where ``user`` is an auditor, oldest
    submission first."""
    return (
        Assessment.objects.filter(
            status=Assessment.Status.SUBMITTED,
            organization__memberships__user=user,
            organization__memberships__role=Membership.Role.AUDITOR,
        )
        .select_related("organization", "submitted_by")
        .order_by("submitted_at", "pk")
    )


def row_is_assigned_to(row, user_id: int) -> bool:
    """The questionnaire's "Assigned to me" filter: the row's assignment (its own or its
    principle's, set when the page was built, so no query) is the user's."""
    assignment = getattr(row, "assignment", None)
    return assignment is not None and assignment.assignee_id == user_id

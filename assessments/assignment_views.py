"""The assignments page of an assessment, and "My work"."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import assignments as work
from .assignment_forms import AssignForm, DueDateForm, ReassignForm
from .models import Assignment
from .services import WorkflowError, catalogue_for
from .views import get_assessment_for_user


def _for_assigner(request, pk):
    assessment = get_assessment_for_user(request.user, pk)
    if not work.can_assign(assessment):
        raise PermissionDenied(_("Only the organization's officers can assign work."))
    return assessment


@require_http_methods(["GET", "POST"])
@login_required
def assignments(request, pk):
    assessment = get_assessment_for_user(request.user, pk)
    if request.method == "POST" and not work.can_assign(assessment):
        raise PermissionDenied(_("Only the organization's officers can assign work."))
    catalogue = catalogue_for(assessment)
    members = work.assignable_members(assessment.organization_id)
    form = AssignForm(request.POST or None, catalogue=catalogue, members=members)
    if request.method == "POST" and form.is_valid():
        try:
            done = work.assign_work(
                assessment=assessment,
                assignee=form.cleaned_data["assignee"],
                due_date=form.cleaned_data["due_date"],
                by=request.user,
                **form.target_kwargs(),
            )
        except WorkflowError as exc:
            messages.error(request, _("Not assigned: %(reason)s") % {"reason": exc})
        else:
            messages.success(
                request,
                _("%(target)s assigned to %(name)s.")
                % {"target": done.target, "name": done.assignee.get_username()},
            )
            return redirect("assignments", pk=pk)
    rows = [
        (a, ReassignForm(prefix=f"a{a.pk}", members=members, initial={
            "assignee": a.assignee_id, "due_date": a.due_date}))
        for a in assessment.assignments.select_related("assignee", "assigned_by")
    ]  # fmt: skip
    return render(
        request,
        "assessments/assignments.html",
        {
            "assessment": assessment,
            "form": form,
            "rows": rows,
            "due_form": DueDateForm(prefix="assessment", initial={"due_date": assessment.due_date}),
            "can_assign": work.can_assign(assessment) and assessment.is_draft,
        },
    )


@require_POST
@login_required
def assignment_reassign(request, pk, assignment_id):
    assessment = _for_assigner(request, pk)
    assignment = get_object_or_404(Assignment, pk=assignment_id, assessment=assessment)
    members = work.assignable_members(assessment.organization_id)
    form = ReassignForm(request.POST, prefix=f"a{assignment.pk}", members=members)
    if not form.is_valid():
        messages.error(request, _("Not changed: choose a member and a valid date."))
        return redirect("assignments", pk=pk)
    target = {"numeral": assignment.numeral, "question_code": assignment.question_code}
    try:
        work.assign_work(assessment=assessment, by=request.user, **target, **form.cleaned_data)
    except WorkflowError as exc:
        messages.error(request, _("Not changed: %(reason)s") % {"reason": exc})
    else:
        messages.success(request, _("Assignment of %(target)s saved.") % {
            "target": assignment.target})  # fmt: skip
    return redirect("assignments", pk=pk)


@require_POST
@login_required
def assignment_remove(request, pk, assignment_id):
    assessment = _for_assigner(request, pk)
    try:
        work.unassign_work(assessment=assessment, assignment_id=assignment_id, by=request.user)
    except WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Assignment removed."))
    return redirect("assignments", pk=pk)


@require_POST
@login_required
def assessment_due_date(request, pk):
    assessment = _for_assigner(request, pk)
    form = DueDateForm(request.POST, prefix="assessment")
    if not form.is_valid():
        messages.error(request, _("Due date not saved: enter a date as YYYY-MM-DD."))
        return redirect("assignments", pk=pk)
    try:
        work.set_due_date(
            assessment=assessment, due_date=form.cleaned_data["due_date"], by=request.user
        )
    except WorkflowError as exc:
        messages.error(request, _("Due date not saved: %(reason)s") % {"reason": exc})
    else:
        messages.success(request, _("Due date saved."))
    return redirect("assignments", pk=pk)


@require_GET
@login_required
def my_work(request):
    return render(
        request,
        "assessments/my_work.html",
        {
            "items": work.work_for(request.user),
            "reviews": list(work.awaiting_review(request.user)),
        },
    )

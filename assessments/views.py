from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, prefetch_related_objects
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from principles.catalogue import live_catalogue
from principles.translations import translated

from . import services
from .forms import ApproveForm, AssessmentForm, CommentForm, NewAssessmentForm, ReviewForm
from .history import answer_changes
from .models import (
    Answer,
    Assessment,
    AssessmentLocked,
    Comment,
    Evidence,
    Membership,
    Organization,
)
from .questionnaire import build_page, inputs_from_forms
from .scoring import Rules
from .uploads import ALLOWED

ACCEPT = ",".join(f".{extension}" for extension in ALLOWED)
OFFICER = Membership.Role.OFFICER
AUDITOR = Membership.Role.AUDITOR


def get_assessment_for_user(user, pk: int) -> Assessment:
    """The assessment, annotated with the user's ``member_role``; 404 for outsiders."""
    queryset = Assessment.objects.with_member_role(user).select_related(
        "organization", "predecessor", "submitted_by", "approved_by"
    )
    return get_object_or_404(queryset, pk=pk)


def require_role(assessment: Assessment, role: str) -> None:
    if assessment.member_role != role:
        raise PermissionDenied(
            f"Only the organization's {Membership.Role(role).label.lower()}s can do this."
        )


@require_GET
@login_required
def dashboard(request):
    live = live_catalogue()
    assessments = (
        Assessment.objects.with_member_role(request.user)
        .select_related("organization")
        .prefetch_related("roles", "answers")
        .order_by("organization__name", "organization_id", "-updated_at")
    )
    rows = [(a, services.result_for(a, live=live)) for a in assessments]
    # Grouped by organization (an external auditor may audit several), each group
    # headed by the organization and the user's role there; organizations without
    # assessments yet are listed too.
    memberships = request.user.memberships.select_related("organization")
    groups = {m.organization_id: (m, []) for m in memberships}
    for row in rows:
        groups[row[0].organization_id][1].append(row)
    can_create = any(m.role == OFFICER for m, _rows in groups.values())
    context = {"rows": rows, "groups": list(groups.values()), "can_create": can_create}
    return render(request, "assessments/dashboard.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def assessment_create(request):
    organizations = request.user.memberships.filter(role=OFFICER).values("organization")
    orgs = Organization.objects.filter(pk__in=organizations)
    if not orgs.exists():
        raise PermissionDenied("Only compliance officers can start an assessment.")
    form = NewAssessmentForm(request.POST or None, organizations=orgs)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        assessment = services.create_assessment(
            organization=data["organization"],
            title=data["title"],
            scope=data["scope"],
            period_start=data["period_start"],
            period_end=data["period_end"],
            roles=data["roles"] or None,
            by=request.user,
        )
        messages.success(
            request, "Assessment created. Answer the questions principle by principle."
        )
        return redirect("assessment_detail", pk=assessment.pk)
    return render(request, "assessments/assessment_form.html", {"form": form, "creating": True})


@require_http_methods(["GET", "POST"])
@login_required
def assessment_edit(request, pk):
    assessment = get_assessment_for_user(request.user, pk)
    require_role(assessment, OFFICER)
    if not assessment.is_draft:
        messages.error(request, _locked_message(assessment))
        return redirect("assessment_detail", pk=pk)
    initial = {
        "title": assessment.title,
        "scope": assessment.scope,
        "period_start": assessment.period_start,
        "period_end": assessment.period_end,
        "roles": assessment.roles.all(),
    }
    form = AssessmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_assessment_details(
                assessment=assessment, by=request.user, **form.cleaned_data
            )
        except AssessmentLocked as exc:  # submitted or approved meanwhile
            messages.error(request, str(exc))
        else:
            messages.success(request, "Details saved. Answers already given are kept.")
        return redirect("assessment_detail", pk=pk)
    return render(
        request, "assessments/assessment_form.html", {"form": form, "assessment": assessment}
    )


def _locked_message(assessment: Assessment) -> str:
    try:
        assessment.ensure_editable()
    except AssessmentLocked as exc:
        return str(exc)
    return ""


@require_GET
@login_required
def assessment_detail(request, pk):
    assessment = get_assessment_for_user(request.user, pk)
    return render(request, "assessments/assessment_detail.html", _detail_context(assessment))


def _detail_context(assessment: Assessment, *, approve_form: ApproveForm | None = None) -> dict:
    answers = Answer.objects.select_related("na_accepted_by")
    prefetch_related_objects([assessment], Prefetch("answers", queryset=answers))
    result = services.result_for(assessment)
    not_applicable = [
        (p.principle.numeral, q) for p in result.principles for q in p.questions if q.not_applicable
    ]
    unaccepted: dict[str, int] = {}
    for numeral, q in not_applicable:
        if q.answer.needs_na_acceptance:
            unaccepted[numeral] = unaccepted.get(numeral, 0) + 1
    return {
        "assessment": assessment,
        "result": result,
        "events": assessment.events.select_related("by"),
        "role_names": [
            translated(r.translations, get_language(), "name", r.name)
            for r in assessment.roles.all()
        ],
        "review_form": ReviewForm(),
        # The affiliation defaults from the membership; the opinion records what was given.
        "approve_form": approve_form
        or ApproveForm(initial={"affiliation": getattr(assessment, "member_affiliation", "")}),
        "not_applicable": not_applicable,
        "unaccepted": list(unaccepted.items()),  # (numeral, count) per principle
        "unaccepted_count": sum(unaccepted.values()),
        "is_officer": assessment.member_role == OFFICER,
        "is_auditor": assessment.member_role == AUDITOR,
        "successor": Assessment.objects.filter(predecessor=assessment).first(),
        "report": getattr(assessment, "issued_report", None),
        "opinion": getattr(assessment, "audit_opinion", None),
    }


@require_http_methods(["GET", "POST"])
@login_required
def questionnaire(request, pk, numeral):
    assessment = get_assessment_for_user(request.user, pk)
    if request.method == "POST":
        require_role(assessment, OFFICER)
        if not assessment.is_draft:
            messages.error(request, _locked_message(assessment))
            return redirect("questionnaire", pk=pk, numeral=numeral)
    page = build_page(
        assessment=assessment,
        numeral=numeral,
        data=request.POST or None,
        files=request.FILES or None,
    )
    if page is None:
        raise Http404("No such principle.")
    if request.method == "POST":
        done = _save_page(request, page)
        if done is not None:
            return done
    return render(
        request,
        "assessments/questionnaire.html",
        {
            "assessment": assessment,
            "page": page,
            "max_upload": settings.EVIDENCE_MAX_BYTES,
            "limits": {
                "evidence_total": settings.EVIDENCE_MAX_TOTAL_BYTES,
                "evidence_items": settings.EVIDENCE_MAX_ITEMS_PER_ANSWER,
                "explanation": f"{settings.EXPLANATION_MAX_CHARS:,}",
            },
            "accept": ACCEPT,
        },
    )


def _save_page(request, page):
    """Save a posted questionnaire page; a redirect when saved or refused, else None
    (the page is shown again with what needs correcting)."""
    assessment, numeral = page.assessment, page.principle.principle.numeral
    if not all(row.form.is_valid() for row in page.rows):
        messages.error(request, "Nothing was saved: correct the answers marked below.")
        return None
    try:
        changed = services.save_answers(
            assessment=assessment, inputs=inputs_from_forms(page.rows), by=request.user
        )
    except AssessmentLocked as exc:  # approved or submitted while the upload was checked
        messages.error(request, str(exc))
        return redirect("questionnaire", pk=assessment.pk, numeral=numeral)
    except services.LimitExceeded as exc:
        page.mark_limit(exc)
        messages.error(request, f"Nothing was saved: {exc}")
        return None
    except services.StaleAnswers as stale:
        page.mark_conflicts(stale.conflicts)
        messages.error(
            request,
            "Someone else changed answers on this page since you opened it. Nothing was "
            "saved; their answers are shown next to yours. Save again to replace them.",
        )
        return None
    messages.success(request, f"Saved ({changed} answer(s) changed).")
    if "save_next" in request.POST and page.next_numeral:
        return redirect("questionnaire", pk=assessment.pk, numeral=page.next_numeral)
    if "save_next" in request.POST:
        return redirect("assessment_detail", pk=assessment.pk)
    return redirect("questionnaire", pk=assessment.pk, numeral=numeral)


@require_POST
@login_required
def comment_add(request, pk, code):
    assessment = get_assessment_for_user(request.user, pk)
    require_role(assessment, AUDITOR)
    answer = get_object_or_404(Answer, assessment=assessment, question__code=code)
    form = CommentForm(request.POST)
    numeral = code.split(".")[0]
    if not form.is_valid():
        messages.error(request, f"No comment added: {' '.join(form.errors['text'])}")
    else:
        try:
            services.add_comment(
                assessment=assessment,
                answer=answer,
                text=form.cleaned_data["text"],
                by=request.user,
            )
            messages.success(request, f"Comment added to {code}.")
        except services.WorkflowError as exc:
            messages.error(request, str(exc))
    return redirect(reverse("questionnaire", args=[pk, numeral]) + f"#q-{code}")


@require_GET
@login_required
def evidence_download(request, pk, evidence_id):
    assessment = get_assessment_for_user(request.user, pk)
    evidence = get_object_or_404(
        Evidence, pk=evidence_id, answer__assessment=assessment, file__gt=""
    )
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.file_name,
        content_type=evidence.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@login_required
def assessment_submit(request, pk):
    assessment = get_assessment_for_user(request.user, pk)
    require_role(assessment, OFFICER)
    try:
        services.submit_assessment(assessment=assessment, by=request.user)
    except AssessmentLocked as exc:
        messages.error(request, str(exc))
    except services.WorkflowError as exc:
        detail = f" Missing: {', '.join(exc.details)}." if exc.details else ""
        messages.error(request, f"Not submitted: {exc}{detail}")
    else:
        messages.success(request, "Submitted for review. An auditor will approve or return it.")
    return redirect("assessment_detail", pk=pk)


@require_POST
@login_required
def assessment_approve(request, pk):
    assessment = get_assessment_for_user(request.user, pk)
    require_role(assessment, AUDITOR)
    form = ApproveForm(request.POST)
    if form.is_valid():
        try:
            services.approve_assessment(
                assessment=assessment,
                by=request.user,
                opinion=form.opinion_input(),
                comment=form.cleaned_data["comment"],
            )
        except services.WorkflowError as exc:
            messages.error(request, f"Not approved: {exc}")
        else:
            messages.success(
                request, "Approved. The assessment is locked; its report is being issued."
            )
            return redirect("assessment_detail", pk=pk)
    else:
        messages.error(request, "Not approved: give your opinion in full (see the fields below).")
    # The form is shown again as filled in, so that nothing typed is lost.
    context = _detail_context(assessment, approve_form=form)
    return render(request, "assessments/assessment_detail.html", context)


@require_POST
@login_required
def not_applicable_accept(request, pk, code=None, numeral=None):
    """The auditor accepts one "not applicable" answer, or all of one principle."""
    assessment = get_assessment_for_user(request.user, pk)
    require_role(assessment, AUDITOR)
    try:
        accepted = services.accept_not_applicable(
            assessment=assessment,
            by=request.user,
            codes=[code] if code else None,
            numeral=numeral,
        )
    except services.WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        what = ", ".join(accepted) if accepted else "nothing new"
        messages.success(request, f"“Not applicable” accepted: {what}.")
    return redirect(reverse("assessment_detail", args=[pk]) + "#not-applicable-heading")


def _review_action(request, pk, action):
    assessment = get_assessment_for_user(request.user, pk)
    require_role(assessment, AUDITOR)
    form = ReviewForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        action(assessment=assessment, by=request.user, comment=comment)
    except services.WorkflowError as exc:
        messages.error(request, str(exc))
        return None
    return assessment


@require_POST
@login_required
def assessment_return(request, pk):
    if _review_action(request, pk, services.return_assessment):
        messages.success(request, "Returned to the officers as a draft, with your comment.")
    return redirect("assessment_detail", pk=pk)


@require_POST
@login_required
def assessment_revise(request, pk):
    assessment = get_assessment_for_user(request.user, pk)
    require_role(assessment, OFFICER)
    try:
        revision = services.start_revision(assessment=assessment, by=request.user)
    except services.WorkflowError as exc:
        messages.error(request, str(exc))
        return redirect("assessment_detail", pk=pk)
    messages.success(request, f"Revision {revision.revision} started as a draft.")
    return redirect("assessment_detail", pk=revision.pk)


@require_GET
@login_required
def assessment_history(request, pk):
    assessment = get_assessment_for_user(request.user, pk)
    comments = Comment.objects.filter(answer__assessment=assessment).select_related(
        "author", "answer__question"
    )
    return render(
        request,
        "assessments/history.html",
        {
            "assessment": assessment,
            "changes": answer_changes(assessment),
            "events": assessment.events.select_related("by"),
            "comments": comments,
        },
    )


@require_GET
@login_required
def methodology(request):
    rules = Rules.in_force()
    return render(
        request,
        "assessments/methodology.html",
        {
            "bands": rules.bands,
            "floor_steps": rules.floor_steps,
            "levels": Answer.Level.choices,
            **_catalogue_wording(),
        },
    )


def _catalogue_wording() -> dict:
    """The roles in the active language, and the notes on translated principle wording."""
    catalogue = live_catalogue().localized(get_language())
    notes = sorted({p.wording_note for p in catalogue.principles if p.wording_note})
    return {"roles": catalogue.roles, "wording_notes": notes}

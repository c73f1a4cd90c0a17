from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, prefetch_related_objects
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from principles.catalogue import live_catalogue
from principles.translations import translated

from . import page_cache, review, services
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
from .questionnaire import FILTERS, build_page, inputs_from_forms
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
            request, _("Assessment created. Answer the questions principle by principle.")
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
            messages.success(request, _("Details saved. Answers already given are kept."))
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
        "returned": review.returned_info(assessment),
        "open_count": review.open_thread_count(assessment),
        "review_progress": review.review_progress(result),
    }


@require_http_methods(["GET", "POST"])
@login_required
def questionnaire(request, pk, numeral):
    show = request.GET.get("show", "")
    key = None
    # A page asked again while nothing it shows changed is served as kept.
    if request.method == "GET" and not _has_comment_drafts(request, pk=pk, numeral=numeral):
        key = page_cache.page_key(request, assessment_id=pk)
        kept = page_cache.kept_page(request, key)
        if kept is not None:
            return kept
    assessment = get_assessment_for_user(request.user, pk)
    if request.method == "POST":
        require_role(assessment, OFFICER)
        if not assessment.is_draft:
            messages.error(request, _locked_message(assessment))
            return redirect("questionnaire", pk=pk, numeral=numeral)
        services.discard_pending_uploads(
            assessment=assessment, by=request.user, ids=_ids(request.POST, "-pending_remove")
        )
    page = build_page(
        assessment=assessment,
        numeral=numeral,
        data=request.POST if request.method == "POST" else None,
        files=request.FILES or None,
        user=request.user,
        show=show,
    )
    if page is None:
        raise Http404("No such principle.")
    if request.method == "POST":
        done = _save_page(request, page, show=show)
        if done is not None:
            return done
    else:
        page.apply_comment_drafts(pop_comment_drafts(request, pk=pk, numeral=numeral))
    response = render(
        request,
        "assessments/questionnaire.html",
        {
            "assessment": assessment,
            "page": page,
            "filters": [(f.key, f.label) for f in FILTERS.values()],
            "show": show if page.filter else "",
            "max_upload": settings.EVIDENCE_MAX_BYTES,
            "limits": {
                "evidence_total": settings.EVIDENCE_MAX_TOTAL_BYTES,
                "evidence_items": settings.EVIDENCE_MAX_ITEMS_PER_ANSWER,
                "explanation": f"{settings.EXPLANATION_MAX_CHARS:,}",
            },
            "accept": ACCEPT,
            "returned": review.returned_info(assessment),
            **page_cache.navbar_context(request),
        },
    )
    page_cache.keep_page(key, response)
    return response


COMMENT_DRAFTS = "comment_drafts"  # session: {"<pk>:<numeral>": {field name: text}}


def comment_drafts_key(pk: int, numeral: str) -> str:
    return f"{pk}:{numeral}"


def _has_comment_drafts(request, *, pk: int, numeral: str) -> bool:
    return bool((request.session.get(COMMENT_DRAFTS) or {}).get(comment_drafts_key(pk, numeral)))


def pop_comment_drafts(request, *, pk: int, numeral: str) -> dict[str, str]:
    """The comment boxes' unsent text kept by ``review_views.comments_post``, once."""
    stored = request.session.get(COMMENT_DRAFTS)
    if not stored:
        return {}
    drafts = stored.pop(comment_drafts_key(pk, numeral), None) or {}
    request.session.modified = True
    return drafts


def _ids(data, suffix: str) -> list[int]:
    return [
        int(value)
        for key in data
        if key.endswith(suffix)
        for value in data.getlist(key)
        if value.isdigit()
    ]


def _save_page(request, page, *, show: str = ""):
    """Save a posted questionnaire page; a redirect when saved or refused, else None
    (the page is shown again with its error summary, nothing saved)."""
    assessment, numeral = page.assessment, page.principle.principle.numeral
    page.classify_posted()
    touched = page.touched_rows
    valid = all([row.form.is_valid() for row in touched])  # every form checked, for its errors
    if valid and not page.problems():
        try:
            changed = services.save_answers(
                assessment=assessment, inputs=inputs_from_forms(touched), by=request.user
            )
        except AssessmentLocked as exc:  # approved or submitted while the upload was checked
            messages.error(request, str(exc))
            return redirect("questionnaire", pk=assessment.pk, numeral=numeral)
        except services.LimitExceeded as exc:
            page.mark_limit(exc)
            _keep_uploads(request, page, refused=exc)
            return None
        except services.StaleAnswers as stale:
            page.mark_conflicts(stale.conflicts)
            _keep_uploads(request, page)
            return None
        # "answer(s)": the English wording other code and tests rely on.
        messages.success(request, _("Saved (%(count)s answer(s) changed).") % {"count": changed})
        if "save_next" in request.POST and page.next_numeral:
            return redirect("questionnaire", pk=assessment.pk, numeral=page.next_numeral)
        if "save_next" in request.POST:
            return redirect("assessment_detail", pk=assessment.pk)
        url = reverse("questionnaire", args=[assessment.pk, numeral])
        return redirect(f"{url}?show={show}" if page.filter else url)
    _keep_uploads(request, page)
    return None


def _keep_uploads(request, page, *, refused: services.LimitExceeded | None = None) -> None:
    """Keep the files that passed their checks, so that the next save attaches them."""
    uploads, rows = [], {}
    for row in page.touched_rows:
        checked = row.form.checked_file
        if checked is None or row.form.has_error("evidence_file"):
            continue
        if refused and refused.question_id == row.question.id and refused.field == "evidence_file":
            continue
        description = row.form.data.get(row.form.add_prefix("evidence_description"), "")
        upload = row.form.files.get(row.form.add_prefix("evidence_file"))
        uploads.append((row.question.id, description.strip(), upload, checked))
        rows[row.question.id] = row
    if not uploads:
        return
    kept = services.keep_pending_uploads(
        assessment=page.assessment, by=request.user, uploads=uploads
    )
    for question_id, pending in kept.items():
        form = rows[question_id].form
        data = form.data.copy()
        data.pop(form.add_prefix("evidence_description"), None)
        data.appendlist(form.add_prefix("pending_upload"), str(pending.pk))
        form.data = data
        form.pending.append(pending)
    if len(kept) < len(uploads):
        page.page_problems.append(
            gettext(
                "Too many files are waiting to be attached: some were not kept; attach them again."
            )
        )


@require_POST
@login_required
def comment_add(request, pk, code):
    assessment = get_assessment_for_user(request.user, pk)
    require_role(assessment, AUDITOR)
    answer = get_object_or_404(Answer, assessment=assessment, question__code=code)
    form = CommentForm(request.POST)
    numeral = code.split(".")[0]
    if not form.is_valid():
        messages.error(
            request, _("No comment added: %(reason)s") % {"reason": " ".join(form.errors["text"])}
        )
    else:
        try:
            services.add_comment(
                assessment=assessment,
                answer=answer,
                text=form.cleaned_data["text"],
                blocking=form.cleaned_data["blocking"],
                by=request.user,
            )
            messages.success(request, _("Comment added to %(code)s.") % {"code": code})
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


CONFIRM = "yes"  # the value of the ``confirm`` field a confirmation page posts


def confirmed(request) -> bool:
    """Whether the POST came from a confirmation page (a forged or direct POST without
    the field only shows the confirmation)."""
    return request.method == "POST" and request.POST.get("confirm") == CONFIRM


@require_http_methods(["GET", "POST"])
@login_required
def assessment_submit(request, pk):
    """GET (or a POST without confirmation) shows what submitting does; a confirmed
    POST submits."""
    assessment = get_assessment_for_user(request.user, pk)
    require_role(assessment, OFFICER)
    if not confirmed(request):
        context = {
            "assessment": assessment,
            "result": services.result_for(assessment),
            "blocking": services.blocking_codes(assessment),
            "open_count": review.open_thread_count(assessment),
        }
        return render(request, "assessments/confirm_submit.html", context)
    try:
        services.submit_assessment(assessment=assessment, by=request.user)
    except AssessmentLocked as exc:
        messages.error(request, str(exc))
    except services.WorkflowError as exc:
        detail = (
            " " + _("Missing: %(codes)s.") % {"codes": ", ".join(exc.details)}
            if exc.details
            else ""
        )
        messages.error(request, _("Not submitted: %(reason)s") % {"reason": exc} + detail)
    else:
        messages.success(request, _("Submitted for review. An auditor will approve or return it."))
    return redirect("assessment_detail", pk=pk)


@require_POST
@login_required
def assessment_approve(request, pk):
    """The opinion posted from the detail page is shown on a confirmation page;
    approval happens on its confirmed POST (which repeats the opinion)."""
    assessment = get_assessment_for_user(request.user, pk)
    require_role(assessment, AUDITOR)
    form = ApproveForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Not approved: give your opinion in full (see the fields below).")
        )
        # The form is shown again as filled in, so that nothing typed is lost.
        context = _detail_context(assessment, approve_form=form)
        return render(request, "assessments/assessment_detail.html", context)
    if not confirmed(request):
        return _confirm_approve(request, assessment)
    try:
        services.approve_assessment(
            assessment=assessment,
            by=request.user,
            opinion=form.opinion_input(),
            comment=form.cleaned_data["comment"],
            confirm_unreviewed=request.POST.get("confirm_unreviewed") == CONFIRM,
        )
    except services.UnreviewedAnswers:
        messages.error(
            request,
            _("Not approved: confirm that you approve although some answers are not reviewed."),
        )
        return _confirm_approve(request, assessment)
    except services.WorkflowError as exc:
        messages.error(request, _("Not approved: %(reason)s") % {"reason": exc})
        context = _detail_context(assessment, approve_form=form)
        return render(request, "assessments/assessment_detail.html", context)
    messages.success(request, _("Approved. The assessment is locked; its report is being issued."))
    return redirect("assessment_detail", pk=pk)


def _reposted(request) -> list[tuple[str, str]]:
    """The posted fields, to be posted again by a confirmation page."""
    skip = {"csrfmiddlewaretoken", "confirm", "confirm_unreviewed"}
    return [(k, v) for k, values in request.POST.lists() if k not in skip for v in values]


def _confirm_approve(request, assessment):
    context = {
        "assessment": assessment,
        "fields": _reposted(request),
        "unreviewed": services.unreviewed_codes(assessment) if assessment.is_submitted else [],
        "unaccepted": (
            services.unaccepted_not_applicable(assessment) if assessment.is_submitted else []
        ),
        "blocking": services.blocking_codes(assessment),
        "open_count": review.open_thread_count(assessment),
    }
    return render(request, "assessments/confirm_approve.html", context)


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
        what = ", ".join(accepted) if accepted else _("nothing new")
        messages.success(request, _("“Not applicable” accepted: %(what)s.") % {"what": what})
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
    """The reason posted from the detail page is shown on a confirmation page; the
    return happens on its confirmed POST."""
    if not confirmed(request):
        assessment = get_assessment_for_user(request.user, pk)
        require_role(assessment, AUDITOR)
        form = ReviewForm(request.POST)
        reason = form.cleaned_data["comment"] if form.is_valid() else ""
        if not reason or not assessment.is_submitted:
            # The service's own message, and nothing changes.
            _review_action(request, pk, services.return_assessment)
            return redirect("assessment_detail", pk=pk)
        context = {
            "assessment": assessment,
            "reason": reason,
            "open_count": review.open_thread_count(assessment),
        }
        return render(request, "assessments/confirm_return.html", context)
    if _review_action(request, pk, services.return_assessment):
        messages.success(request, _("Returned to the officers as a draft, with your comment."))
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
    messages.success(
        request, _("Revision %(revision)s started as a draft.") % {"revision": revision.revision}
    )
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

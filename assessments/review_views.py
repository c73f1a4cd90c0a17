"""Pages of the review loop: the questionnaire's comment and review actions, the
open comments list, and the changes since the last submission."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import changes, review, services
from .models import Answer, Comment, Membership
from .views import COMMENT_DRAFTS, comment_drafts_key, get_assessment_for_user

MEMBER_ROLES = (Membership.Role.OFFICER, Membership.Role.AUDITOR)
DRAFT_PREFIXES = ("text-", "blocking-", "reply-")


@require_POST
@login_required
def comments_post(request, pk, numeral):
    """One action of the questionnaire's comment form: the button pressed says which
    (``action`` = ``comment:<code>``, ``reply:<id>``, ``resolve:<id>``, ``reopen:<id>``,
    ``reviewed:<code>``, ``unreviewed:<code>``, ``reviewed-principle:<numeral>``).
    The text typed in the other boxes is kept for the page shown next."""
    assessment = get_assessment_for_user(request.user, pk)
    if assessment.member_role not in MEMBER_ROLES:
        raise PermissionDenied(_("Only the organization's officers and auditors can do this."))
    drafts = {
        name: value
        for name, value in request.POST.items()
        if name.startswith(DRAFT_PREFIXES) and value.strip()
    }
    action, _sep, target = request.POST.get("action", "").partition(":")
    anchor = ""
    try:
        done, anchor = _act(request, assessment, action, target)
    except services.WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        for name in done:
            drafts.pop(name, None)
    if drafts:
        stored = request.session.get(COMMENT_DRAFTS, {})
        stored[comment_drafts_key(pk, numeral)] = drafts
        request.session[COMMENT_DRAFTS] = stored
    return redirect(reverse("questionnaire", args=[pk, numeral]) + anchor)


def _act(request, assessment, action: str, target: str) -> tuple[list[str], str]:
    """Do the action; the names of the form fields it used up, and where to go."""
    by, post = request.user, request.POST
    if action == "comment":
        answer = get_object_or_404(Answer, assessment=assessment, question__code=target)
        services.add_comment(
            assessment=assessment,
            answer=answer,
            text=post.get(f"text-{target}", ""),
            blocking=bool(post.get(f"blocking-{target}")),
            by=by,
        )
        messages.success(request, _("Comment added to %(code)s.") % {"code": target})
        return [f"text-{target}", f"blocking-{target}"], f"#q-{target}"
    if action in ("reviewed", "unreviewed", "reviewed-principle"):
        principle = action == "reviewed-principle"
        marked = services.mark_reviewed(
            assessment=assessment,
            by=by,
            codes=None if principle else [target],
            numeral=target if principle else None,
            reviewed=action != "unreviewed",
        )
        what = ", ".join(marked) if marked else _("nothing new")
        if action == "unreviewed":
            messages.success(request, _("Reviewed mark removed: %(what)s.") % {"what": what})
        else:
            messages.success(request, _("Marked reviewed: %(what)s.") % {"what": what})
        return [], "" if principle else f"#q-{target}"
    thread = get_object_or_404(
        Comment.objects.select_related("answer__question"),
        pk=target if target.isdigit() else 0,
        answer__assessment=assessment,
        parent__isnull=True,
    )
    code = thread.answer.question.code
    if action == "reply":
        services.add_comment(
            assessment=assessment,
            answer=thread.answer,
            parent=thread,
            text=post.get(f"reply-{thread.pk}", ""),
            by=by,
        )
        messages.success(request, _("Reply added on %(code)s.") % {"code": code})
        return [f"reply-{thread.pk}"], f"#comment-{thread.pk}"
    if action == "resolve":
        services.resolve_comment(assessment=assessment, comment=thread, by=by)
        messages.success(request, _("Comment on %(code)s resolved.") % {"code": code})
    elif action == "reopen":
        services.reopen_comment(assessment=assessment, comment=thread, by=by)
        messages.success(request, _("Comment on %(code)s reopened.") % {"code": code})
    else:
        raise services.WorkflowError(_("Choose what to do with a button of the page."))
    return [], f"#comment-{thread.pk}"


@require_GET
@login_required
def open_comments(request, pk):
    assessment = get_assessment_for_user(request.user, pk)
    return render(
        request,
        "assessments/open_comments.html",
        {
            "assessment": assessment,
            "threads": review.open_threads(assessment),
            "returned": review.returned_info(assessment),
        },
    )


@require_GET
@login_required
def assessment_changes(request, pk):
    assessment = get_assessment_for_user(request.user, pk)
    since = changes.baseline(assessment)
    return render(
        request,
        "assessments/changes.html",
        {
            "assessment": assessment,
            "since": since,
            "changes": changes.changes_since(assessment, since.at) if since else [],
        },
    )

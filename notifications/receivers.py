"""Who hears about what: receivers of the workflow signals of the apps below.

Each receiver runs inside the sender's transaction and only writes notification
rows (their e-mails go out on commit), keyed by the event so nobody hears twice.
"""

from django.contrib.auth import get_user_model
from django.dispatch import receiver
from django.urls import reverse

from assessments.models import Assessment, Assignment, Comment, Membership, ReviewEvent
from assessments.signals import (
    assessment_approved,
    assessment_returned,
    assessment_submitted,
    comment_posted,
    work_assigned,
)

from .models import Kind
from .services import notify

OFFICER_ROLES = ("officer", "owner")  # owners (the members work) hear what officers hear
AUDITOR_ROLES = ("auditor",)
EXCERPT_CHARS = 200


def members(organization_id: int, roles) -> list:
    return list(
        get_user_model().objects.filter(
            memberships__organization_id=organization_id, memberships__role__in=roles
        )
    )


def _event_key(assessment: Assessment, action: str) -> str:
    event = ReviewEvent.objects.filter(assessment=assessment, action=action).order_by("-pk").first()
    return f"{action}:{assessment.pk}:{event.pk if event else assessment.updated_at.isoformat()}"


def _base(assessment: Assessment, by) -> dict:
    return {"by": by.get_username() if by else "", "title": assessment.title}


def _detail(assessment: Assessment) -> str:
    return reverse("assessment_detail", args=[assessment.pk])


@receiver(assessment_submitted, dispatch_uid="notify_submitted")
def on_submitted(sender, assessment, by, **kwargs):
    notify(
        recipients=members(assessment.organization_id, AUDITOR_ROLES),
        kind=Kind.SUBMITTED,
        dedupe_key=_event_key(assessment, ReviewEvent.Action.SUBMITTED),
        url=_detail(assessment),
        assessment=assessment,
        params=_base(assessment, by),
        exclude=by,
    )


@receiver(assessment_returned, dispatch_uid="notify_returned")
def on_returned(sender, assessment, by, reason="", **kwargs):
    notify(
        recipients=members(assessment.organization_id, OFFICER_ROLES),
        kind=Kind.RETURNED,
        dedupe_key=_event_key(assessment, ReviewEvent.Action.RETURNED),
        url=_detail(assessment),
        assessment=assessment,
        params=_base(assessment, by) | {"reason": reason[:1000]},
        exclude=by,
    )


@receiver(assessment_approved, dispatch_uid="notify_approved")
def on_approved(sender, assessment, by, **kwargs):
    notify(
        recipients=members(assessment.organization_id, OFFICER_ROLES),
        kind=Kind.APPROVED,
        dedupe_key=f"approved:{assessment.pk}",
        url=_detail(assessment),
        assessment=assessment,
        params=_base(assessment, by),
        exclude=by,
    )


def comment_recipients(comment: Comment, by) -> list:
    """The other side of the thread, and whoever the question is assigned to.

    The other side: those of the other role (officers and owners, or auditors) who
    wrote in the thread, and for an auditor's comment the officer who last changed
    the answer; when nobody of the other side took part yet, all of its members.
    """
    answer = comment.answer
    assessment = answer.assessment
    roles = dict(
        Membership.objects.filter(organization_id=assessment.organization_id).values_list(
            "user_id", "role"
        )
    )
    author_is_auditor = roles.get(by.pk) in AUDITOR_ROLES
    other_roles = OFFICER_ROLES if author_is_auditor else AUDITOR_ROLES
    root = getattr(comment, "parent", None) or comment
    thread_filter = {"answer": answer}
    if hasattr(Comment, "parent"):  # threads (the review work): the root and its replies
        thread_filter = {"answer": answer, "pk__in": _thread_ids(root)}
    in_thread = set(Comment.objects.filter(**thread_filter).values_list("author_id", flat=True))
    if author_is_auditor and answer.updated_by_id:
        in_thread.add(answer.updated_by_id)
    other_side = {uid for uid in in_thread if roles.get(uid) in other_roles}
    if not other_side:
        other_side = {uid for uid, role in roles.items() if role in other_roles}
    code = answer.question.code
    assignees = Assignment.objects.filter(assessment=assessment).filter(
        question_code=code
    ) | Assignment.objects.filter(assessment=assessment, numeral=code.split(".")[0])
    # Assignees hear only while they are still officers of the organization.
    ids = other_side | {
        uid for uid in assignees.values_list("assignee_id", flat=True) if roles.get(uid)
    }
    ids.discard(by.pk)
    return list(get_user_model().objects.filter(pk__in=ids))


def _thread_ids(root: Comment) -> list[int]:
    return [root.pk, *Comment.objects.filter(parent=root).values_list("pk", flat=True)]


@receiver(comment_posted, dispatch_uid="notify_comment")
def on_comment(sender, comment, by, **kwargs):
    answer = comment.answer
    assessment = answer.assessment
    code = answer.question.code
    text = comment.text.strip()
    excerpt = text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"
    notify(
        recipients=comment_recipients(comment, by),
        kind=Kind.COMMENT,
        dedupe_key=f"comment:{comment.pk}",
        url=reverse("questionnaire", args=[assessment.pk, code.split(".")[0]]) + f"#q-{code}",
        assessment=assessment,
        params=_base(assessment, by)
        | {"code": code, "excerpt": excerpt, "reply": bool(getattr(comment, "parent", None))},
        exclude=by,
    )


@receiver(work_assigned, dispatch_uid="notify_assigned")
def on_assigned(sender, assignment, by, **kwargs):
    assessment = assignment.assessment
    url = reverse("questionnaire", args=[assessment.pk, assignment.principle_numeral])
    if assignment.question_code:
        url += f"#q-{assignment.question_code}"
    due = assignment.effective_due_date
    notify(
        recipients=[assignment.assignee],
        kind=Kind.ASSIGNED,
        dedupe_key=f"assigned:{assignment.pk}:{assignment.assignee_id}:"
        f"{assignment.assigned_at.isoformat()}",
        url=url,
        assessment=assessment,
        params=_base(assessment, by)
        | {"target": assignment.target, "due": due.isoformat() if due else ""},
        exclude=by,
    )


def on_invited(sender, invitation, by=None, **kwargs):
    """In-app only, for someone who already has an account with the invited address;
    the invitation e-mail itself is the members app's."""
    email = getattr(invitation, "email", "")
    users = list(get_user_model().objects.filter(email__iexact=email, is_active=True))
    if not email or not users:
        return
    organization = invitation.organization
    notify(
        recipients=users,
        kind=Kind.INVITED,
        dedupe_key=f"invited:{invitation.pk}",
        params={
            "by": by.get_username() if by else "",
            "organization": organization.name,
            "role": getattr(invitation, "role", ""),
        },
        exclude=by,
    )


try:  # the members app (invitations) may not be installed yet
    from members.signals import member_invited
except ImportError:  # pragma: no cover
    member_invited = None
if member_invited is not None:
    member_invited.connect(on_invited, dispatch_uid="notify_invited")

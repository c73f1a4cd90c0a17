"""Comment threads through the API, with the rules of the pages' review loop
(``assessments.services``: add_comment, resolve_comment, reopen_comment).

Auditors start threads on answers while the assessment is under review and may mark
them blocking; officers and auditors reply; a thread is resolved or reopened whole.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from assessments import services
from assessments.forms import CommentForm
from assessments.models import Answer, Assessment, Comment

from . import serializers as s
from .views import ApiView, _comments, _invalid, _valid, get_assessment


def _text(data: dict, *, blocking: bool = False) -> tuple[str, bool]:
    """The comment's text and blocking flag, validated as the page's form does."""
    form = CommentForm({"text": data["text"], "blocking": "on" if blocking else ""})
    if not form.is_valid():
        raise _invalid(_("No comment added."), form.errors.get_json_data())
    return form.cleaned_data["text"], form.cleaned_data["blocking"]


def _thread(assessment: Assessment, comment_id: int) -> Comment:
    """A thread (not a reply) of the assessment; 404 otherwise."""
    return get_object_or_404(
        Comment.objects.select_related("answer__question"),
        pk=comment_id,
        answer__assessment=assessment,
        parent__isnull=True,
    )


def _shown(comment_id: int) -> Response:
    return Response(s.comment_data(_comments_by_id(comment_id)))


def _comments_by_id(comment_id: int) -> Comment:
    return Comment.objects.select_related("author", "resolved_by", "answer__question").get(
        pk=comment_id
    )


class CommentsView(ApiView):
    @extend_schema(
        summary="Its comments: threads and replies",
        description=(
            "Every comment, oldest first. A reply names its thread in `parent`; a thread "
            "says whether it is blocking and resolved (when, by whom)."
        ),
        responses=s.CommentSerializer(many=True),
        tags=["review"],
    )
    def get(self, request, pk: int):
        assessment = get_assessment(request, pk)
        return Response([s.comment_data(c) for c in _comments(assessment)])


class CommentAddView(ApiView):
    @extend_schema(
        summary="Start a comment thread on an answer",
        description=(
            "Auditors, while the assessment is under review; `blocking: true` keeps it "
            "from being submitted again until the thread is resolved. Officers reply to "
            "threads instead (403)."
        ),
        request=s.CommentCreateSerializer,
        responses={201: s.CommentSerializer},
        tags=["review"],
    )
    def post(self, request, pk: int, code: str):
        assessment = get_assessment(request, pk)
        data = _valid(s.CommentCreateSerializer, request)
        answer = get_object_or_404(Answer, assessment=assessment, question__code=code)
        text, blocking = _text(data, blocking=data["blocking"])
        comment = services.add_comment(
            assessment=assessment, answer=answer, text=text, blocking=blocking, by=request.user
        )
        return Response(s.comment_data(_comments_by_id(comment.pk)), status=status.HTTP_201_CREATED)


class CommentReplyView(ApiView):
    @extend_schema(
        summary="Reply to a comment thread",
        description=(
            "Officers (while a draft or under review) and auditors (under review). "
            "`comment_id` is the thread's, not a reply's."
        ),
        request=s.ReplySerializer,
        responses={201: s.CommentSerializer},
        tags=["review"],
    )
    def post(self, request, pk: int, comment_id: int):
        assessment = get_assessment(request, pk)
        thread = _thread(assessment, comment_id)
        text, _blocking = _text(_valid(s.ReplySerializer, request))
        reply = services.add_comment(
            assessment=assessment, answer=thread.answer, parent=thread, text=text, by=request.user
        )
        return Response(s.comment_data(_comments_by_id(reply.pk)), status=status.HTTP_201_CREATED)


class CommentResolveView(ApiView):
    @extend_schema(
        summary="Resolve a comment thread",
        description=(
            "Auditors before approval; officers while the assessment is a draft (they "
            "made the fix; the auditor may reopen). Resolving a resolved thread changes "
            "nothing."
        ),
        request=None,
        responses=s.CommentSerializer,
        tags=["review"],
    )
    def post(self, request, pk: int, comment_id: int):
        assessment = get_assessment(request, pk)
        thread = _thread(assessment, comment_id)
        services.resolve_comment(assessment=assessment, comment=thread, by=request.user)
        return _shown(thread.pk)


class CommentReopenView(ApiView):
    @extend_schema(
        summary="Reopen a resolved comment thread",
        description=(
            "Auditors before approval; officers while a draft, and only threads an "
            "officer resolved. Reopening an open thread changes nothing."
        ),
        request=None,
        responses=s.CommentSerializer,
        tags=["review"],
    )
    def post(self, request, pk: int, comment_id: int):
        assessment = get_assessment(request, pk)
        thread = _thread(assessment, comment_id)
        services.reopen_comment(assessment=assessment, comment=thread, by=request.user)
        return _shown(thread.pk)

"""Reads of the review loop: comment threads, the open ones, the return banner,
review progress. Writes are in ``services`` (add_comment, resolve_comment,
reopen_comment, mark_reviewed)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch

from .models import Assessment, Comment, ReviewEvent
from .scoring import AssessmentResult


def threads_of(comments) -> list[Comment]:
    """The threads among ``comments`` (one answer's, in order), each with its
    replies in ``thread_replies``; no query when the comments are loaded."""
    threads = [c for c in comments if c.parent_id is None]
    by_id = {t.pk: t for t in threads}
    for thread in threads:
        thread.thread_replies = []
    for comment in comments:
        if comment.parent_id is not None and comment.parent_id in by_id:
            by_id[comment.parent_id].thread_replies.append(comment)
    return threads


def open_threads(assessment: Assessment) -> list[Comment]:
    """The unresolved threads of the assessment with their replies, in catalogue
    order of their questions (principle, then question order), oldest first."""
    replies = Comment.objects.select_related("author").order_by("created_at", "pk")
    threads = (
        Comment.objects.open()
        .filter(answer__assessment=assessment)
        .select_related("author", "answer__question__principle")
        .prefetch_related(Prefetch("replies", queryset=replies, to_attr="thread_replies"))
        .order_by(
            "answer__question__principle__order",
            "answer__question__order",
            "created_at",
            "pk",
        )
    )
    return list(threads)


def open_thread_count(assessment: Assessment) -> int:
    return Comment.objects.open().filter(answer__assessment=assessment).count()


@dataclass
class Returned:
    """What a returned draft shows in its banner."""

    event: ReviewEvent
    open_count: int


def returned_info(assessment: Assessment) -> Returned | None:
    """The latest return and the open thread count, for a returned draft; else None."""
    if not assessment.is_returned:
        return None
    event = (
        assessment.events.filter(action=ReviewEvent.Action.RETURNED)
        .select_related("by")
        .order_by("-at", "-pk")
        .first()
    )
    if event is None:
        return None
    return Returned(event=event, open_count=open_thread_count(assessment))


@dataclass
class PrincipleReview:
    numeral: str
    title: str
    answered: int
    reviewed: int

    @property
    def is_complete(self) -> bool:
        return self.reviewed == self.answered


def review_progress(result: AssessmentResult) -> list[PrincipleReview]:
    """Reviewed of answered questions, per principle (from the loaded answers)."""
    progress = []
    for p in result.principles:
        answered = [q for q in p.questions if q.answer is not None and q.answer.is_answered]
        progress.append(
            PrincipleReview(
                numeral=p.principle.numeral,
                title=p.principle.title,
                answered=len(answered),
                reviewed=sum(1 for q in answered if q.answer.reviewed_at is not None),
            )
        )
    return progress

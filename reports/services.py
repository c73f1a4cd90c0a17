"""Issuing reports, and the background renders of issued and draft PDFs (verifying
copies of reports is in ``verification``)."""

from __future__ import annotations

import hashlib
import json
from functools import partial

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, transaction
from django.utils import timezone

from assessments.models import Assessment

from . import rendering, signing
from .document import build_report
from .exports import canonical_json
from .models import IssuedReport, ReportRender

ISSUING_PRIORITY = 10  # draft renders have the default, 0


class NotApproved(Exception):
    """Only an approved assessment has an issued report."""


def issue_report(*, assessment: Assessment) -> IssuedReport:
    """Render, sign and store the report of an approved assessment, once.

    Idempotent: when the report was issued already, the stored one is returned
    unchanged, so its bytes and fingerprint never change. The rendering is
    deterministic (``unsigned_pdf_sha256`` is the same on every render of the
    same document); the signature, which carries its own time, is not.
    It renders (seconds, or up to the time limit, in a limited child process), so
    it runs in a task worker or a command, never in a request.
    Raises ``signing.SigningNotConfigured`` when no signing certificate is set up.
    """
    existing = IssuedReport.objects.filter(assessment=assessment).first()
    if existing is not None:
        return existing
    if not assessment.is_locked:
        raise NotApproved(f"“{assessment.title}” is not approved: its report cannot be issued.")
    signing.signing_signer()  # no certificate: say so before a second-long render
    doc = build_report(assessment=assessment)
    document = canonical_json(doc)
    unsigned = rendering.render_pdf(doc)
    pdf = issued_pdf_bytes(unsigned)
    try:
        with transaction.atomic():
            return IssuedReport.objects.create(
                assessment=assessment,
                report_id=doc["report_id"],
                fingerprint=hashlib.sha256(document).hexdigest(),
                pdf=pdf,
                pdf_sha256=hashlib.sha256(pdf).hexdigest(),
                unsigned_pdf_sha256=hashlib.sha256(unsigned).hexdigest(),
                document_json=document.decode("utf-8"),
            )
    except IntegrityError:
        # Issued at the same moment by another worker: theirs stands.
        return IssuedReport.objects.get(assessment=assessment)


def issued_pdf_bytes(rendered: bytes) -> bytes:
    """The bytes stored and handed out for a freshly rendered issued report: signed.

    The one place where rendered bytes become the issued bytes, so that
    ``pdf_sha256`` and the verify page cover exactly what is handed out.
    """
    return signing.sign_pdf(rendered)


# --- background renders ------------------------------------------------------


def queue_issuing(*, assessment: Assessment, by=None) -> ReportRender:
    """Queue the rendering of an approved assessment's report (after the commit).

    Called inside the approval transaction, and by the auditor's Retry after a
    failure: a failed or stalled issuing is queued again; one in progress or done
    is left alone.
    """
    with transaction.atomic():
        render, created = ReportRender.objects.select_for_update().get_or_create(
            assessment=assessment,
            kind=ReportRender.Kind.ISSUED,
            defaults={"requested_by": by},
        )
        if not created:
            if not render.can_retry:
                return render
            _requeue(render, by=by)
        transaction.on_commit(partial(_enqueue, render.pk, ReportRender.Kind.ISSUED))
    return render


def issuing_of(assessment: Assessment) -> ReportRender | None:
    """The issuing render of an approved assessment, if one was queued."""
    return (
        ReportRender.objects.filter(assessment=assessment, kind=ReportRender.Kind.ISSUED)
        .defer("pdf", "document_json")
        .first()
    )


def request_draft_pdf(*, assessment: Assessment, by) -> ReportRender:
    """The render of the draft as it is now: cached, in progress, or queued now.

    The draft's canonical JSON is built here (database reads, no rendering) and
    its SHA-256 names the version. A version is rendered once, whatever the number
    of requests; a failed version stays failed until someone retries it.
    """
    document = canonical_json(build_report(assessment=assessment))
    digest = hashlib.sha256(document).hexdigest()
    lookup = {"assessment": assessment, "kind": ReportRender.Kind.DRAFT, "content_sha256": digest}
    render = ReportRender.objects.defer("document_json").filter(**lookup).first()
    if render is not None:
        return render
    try:
        with transaction.atomic():
            render = ReportRender.objects.create(
                **lookup, document_json=document.decode("utf-8"), requested_by=by
            )
    except IntegrityError:  # requested at the same moment by another request
        return ReportRender.objects.defer("document_json").get(**lookup)
    transaction.on_commit(partial(_enqueue, render.pk, ReportRender.Kind.DRAFT))
    # An eager backend (or autocommit) has rendered it already: show the outcome.
    render.refresh_from_db(fields=["status", "error", "pdf", "started_at", "finished_at"])
    return render


def retry_draft_render(*, render: ReportRender, by) -> ReportRender:
    """Queue a failed or stalled draft render again."""
    with transaction.atomic():
        locked = ReportRender.objects.select_for_update().get(pk=render.pk)
        if not locked.can_retry:
            return locked
        _requeue(locked, by=by)
        transaction.on_commit(partial(_enqueue, locked.pk, ReportRender.Kind.DRAFT))
    return locked


def queue_position(render: ReportRender) -> int:
    """How many renders wait ahead of this one."""
    return ReportRender.objects.filter(
        status=ReportRender.Status.QUEUED, requested_at__lt=render.requested_at
    ).count()


def run_render(*, render_id: int) -> str:
    """Do one queued render (the task's body). Returns what happened, for the task log."""
    render = _claim(render_id)
    if render is None:
        return "nothing to do"
    attempt = render.attempts
    try:
        if render.kind == ReportRender.Kind.ISSUED:
            issued = issue_report(assessment=Assessment.objects.get(pk=render.assessment_id))
            _finish(render.pk, attempt, content_sha256=issued.fingerprint)
            # The draft renders of an issued report are never served again.
            ReportRender.objects.filter(
                assessment_id=render.assessment_id, kind=ReportRender.Kind.DRAFT
            ).exclude(status=ReportRender.Status.RUNNING).delete()
        else:
            doc = json.loads(render.document_json)
            _finish(render.pk, attempt, pdf=rendering.render_pdf(doc), document_json="")
            _prune_drafts(assessment_id=render.assessment_id)
    except (rendering.RenderFailed, NotApproved, signing.SigningNotConfigured) as exc:
        _finish(render.pk, attempt, error=str(exc))
        return f"failed: {exc}"
    except ObjectDoesNotExist:
        # The assessment (and with it this render) was deleted meanwhile.
        return "gone"
    except Exception as exc:
        _finish(render.pk, attempt, error=f"The render failed unexpectedly ({type(exc).__name__}).")
        raise  # the traceback goes to the task's result and the log
    return "done"


def _requeue(render: ReportRender, *, by) -> None:
    render.status = ReportRender.Status.QUEUED
    render.error = ""
    render.requested_at = timezone.now()
    render.requested_by = by
    render.started_at = render.finished_at = None
    render.save(
        update_fields=[
            "status", "error", "requested_at", "requested_by", "started_at", "finished_at"
        ]
    )  # fmt: skip


def _enqueue(render_id: int, kind: str) -> None:
    from .tasks import render_report  # the task module imports this one

    task = render_report
    if kind == ReportRender.Kind.ISSUED and task.get_backend().supports_priority:
        task = task.using(priority=ISSUING_PRIORITY)  # an approval waits behind no draft
    task.enqueue(render_id)


def _claim(render_id: int) -> ReportRender | None:
    """Queued → running, under the row's lock; None when another worker has it or it is gone."""
    with transaction.atomic():
        render = ReportRender.objects.select_for_update().filter(pk=render_id).first()
        if render is None or render.status != ReportRender.Status.QUEUED:
            return None
        render.status = ReportRender.Status.RUNNING
        render.started_at = timezone.now()
        render.attempts += 1
        render.save(update_fields=["status", "started_at", "attempts"])
    return render


def _finish(render_id: int, attempt: int, *, error: str = "", **fields) -> None:
    """Record the outcome, unless the render was queued again meanwhile (a stalled retry)."""
    status = ReportRender.Status.FAILED if error else ReportRender.Status.DONE
    ReportRender.objects.filter(
        pk=render_id, attempts=attempt, status=ReportRender.Status.RUNNING
    ).update(status=status, error=error, finished_at=timezone.now(), **fields)


def _prune_drafts(*, assessment_id: int) -> None:
    """Keep the latest REPORT_DRAFT_RENDERS_KEPT finished draft renders of an assessment."""
    finished = ReportRender.objects.filter(
        assessment_id=assessment_id,
        kind=ReportRender.Kind.DRAFT,
        status__in=[ReportRender.Status.DONE, ReportRender.Status.FAILED],
    ).order_by("-finished_at", "-pk")
    old = list(finished.values_list("pk", flat=True)[settings.REPORT_DRAFT_RENDERS_KEPT :])
    if old:
        ReportRender.objects.filter(pk__in=old).delete()


def report_document(*, assessment: Assessment) -> dict:
    """The document to show: as issued for an approved assessment, else built now."""
    issued = IssuedReport.objects.filter(assessment=assessment).only("document_json").first()
    if issued is not None:
        return json.loads(issued.document_json)
    return build_report(assessment=assessment)

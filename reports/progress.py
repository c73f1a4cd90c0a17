"""Sentences about a background render, for its progress page and the polling script."""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import ReportRender


def progress_message(render: ReportRender, *, ahead: int = 0) -> str:
    """Where a render is: waiting (behind how many), rendering (for how long), or finished."""
    now = timezone.now()
    if render.is_stalled:
        return _(
            "No worker has finished this render in the expected time. A task worker "
            "(manage.py db_worker) may not be running; you can queue it again."
        )
    if render.status == ReportRender.Status.QUEUED:
        waited = _seconds(now - render.requested_at)
        if ahead:
            return ngettext(
                "Waiting for a worker: %(ahead)s render ahead, queued %(waited)s ago.",
                "Waiting for a worker: %(ahead)s renders ahead, queued %(waited)s ago.",
                ahead,
            ) % {"ahead": ahead, "waited": waited}
        return _("Waiting for a worker: next in line, queued %(waited)s ago.") % {"waited": waited}
    if render.status == ReportRender.Status.RUNNING:
        limit = f"{float(settings.REPORT_RENDER_TIMEOUT_SECONDS):g} s"
        return _("Rendering for %(elapsed)s (limit %(limit)s).") % {
            "elapsed": _seconds(now - render.started_at),
            "limit": limit,
        }
    if render.status == ReportRender.Status.FAILED:
        return _("The render failed. %(reason)s") % {"reason": render.error}
    return _("Ready.")


def _seconds(delta) -> str:
    return f"{max(0, int(delta.total_seconds()))} s"

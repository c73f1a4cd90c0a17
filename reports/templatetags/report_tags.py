"""Small formatting filters for the report templates, and the issuing progress that the
assessment page shows (the assessments app does not import reports; its template loads
this)."""

import re
from datetime import datetime

from django import template
from django.utils.translation import gettext as _

from reports.models import ReportRender
from reports.progress import progress_message
from reports.services import issuing_of, queue_position

register = template.Library()


@register.filter
def utc(value: str | None) -> str:
    """An ISO 8601 date from the report document, as ``2026-03-01 14:05 UTC``."""
    if not value:
        return "–"
    return datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M UTC")


@register.filter
def score(value: float | None) -> str:
    """A score or a percentage from the document, with its one decimal."""
    return _("no score") if value is None else f"{value:.1f}"


@register.filter
def percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} %"


@register.filter
def day(value: str | None) -> str:
    """An ISO 8601 date (or date and time) from the document, as ``2026-03-01``."""
    if not value:
        return "–"
    return value[:10]


@register.filter
def period(value: dict | None) -> str:
    """The assessment period ``{"start", "end"}`` in words."""
    start, end = (value or {}).get("start"), (value or {}).get("end")
    if start and end:
        return _("%(start)s to %(end)s") % {"start": start, "end": end}
    if start:
        return _("from %(start)s") % {"start": start}
    if end:
        return _("until %(end)s") % {"end": end}
    return _("not stated")


@register.filter
def paragraphs(value: str | None) -> list[str]:
    """A text split into its paragraphs (at blank lines), each with its spaces collapsed."""
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", value or "") if p.strip()]


@register.simple_tag
def issuing_progress(assessment) -> dict:
    """The issuing of an approved assessment's report: its render and a sentence about it."""
    render = issuing_of(assessment)
    if render is None:
        message = _("The report has not been queued for issuing.")
    else:
        ahead = queue_position(render) if render.status == ReportRender.Status.QUEUED else 0
        message = progress_message(render, ahead=ahead)
    return {"render": render, "message": message}

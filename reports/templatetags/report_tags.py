"""Small formatting filters for the report templates."""

from datetime import datetime

from django import template

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
    return "no score" if value is None else f"{value:.1f}"


@register.filter
def percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} %"

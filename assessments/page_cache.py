"""Questionnaire pages kept per process, served again while nothing they show changed.

A page is kept under a key made of everything it depends on:

- the assessment's ``change_token`` (a new one with every change to the assessment
  or anything shown with it: ``stamps.py``), read before any of the page's data, so
  a kept page is never older than its key;
- the catalogue's stamp (a draft shows the live catalogue);
- who asks (user, name, staff flag, role in the organization: a user who is not a
  member gets no key, and the view answers 404 as always), the language, today's
  date (due and overdue marks), the path and filter;
- what the navbar's context processors give (the bell's count, the "Members" link).

A request with flash messages or unsent comment text is neither served from nor
kept in the cache; nor is anything but a plain GET with at most the ``show`` filter.
The CSRF token is not kept: each served page carries a fresh one for its session.
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets

from django.conf import settings
from django.contrib import messages
from django.core.cache import caches
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template import engines
from django.utils import timezone, translation

from principles.models import CatalogueStamp

from . import stamps
from .models import Assessment, Membership
from .questionnaire import FILTERS

# Context processor values that are not inputs of the page's content, or are keyed
# otherwise (the user, the messages).
_NOT_KEYED = {"request", "user", "perms", "messages", "DEFAULT_MESSAGE_LEVELS", "csrf_token"}
_CSRF_FIELD = re.compile(rb'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]{32,64}(")')
# Stands for the CSRF token in kept pages; random per process, so no page content
# can carry it.
_CSRF_MARK = ("csrf-" + secrets.token_hex(16)).encode()


def _cache():
    return caches["pages"]


# The navbar's values a page's key was made of, kept on the request.
_NAVBAR = "_page_cache_navbar"


def _navbar_inputs(request) -> list[str]:
    kept = {}
    # The engine's context processors, imported once by Django (CSRF's among them).
    for processor in engines["django"].engine.template_context_processors:
        for name, value in sorted(processor(request).items()):
            if name not in _NOT_KEYED:
                kept[name] = value
    setattr(request, _NAVBAR, kept)
    return [f"{name}={value}" for name, value in kept.items()]  # evaluates lazy values


def navbar_context(request) -> dict:
    """The navbar's values this request's key was made of (empty without a key): the
    page is rendered with them, so a notification that arrives while it is built
    does not show on a page kept under the count before it."""
    return getattr(request, _NAVBAR, {})


@functools.cache
def _stamps_sql() -> str:
    """The statement of ``_stamps``, written once per process.

    Plain SQL: it runs on every request of a page that is then served from the
    cache, and building the ORM's query costs more than running it."""
    quote = connection.ops.quote_name
    assessment = quote(Assessment._meta.db_table)
    membership = quote(Membership._meta.db_table)
    stamp = quote(CatalogueStamp._meta.db_table)
    # Names from the models' metadata, quoted; the values are parameters.
    return (
        f"SELECT a.{quote('change_token')}, m.{quote('role')}, "  # noqa: S608
        f"(SELECT s.{quote('token')} FROM {stamp} s WHERE s.{quote('id')} = 1) "
        f"FROM {assessment} a JOIN {membership} m "
        f"ON m.{quote('organization_id')} = a.{quote('organization_id')} "
        f"WHERE a.{quote('id')} = %s AND m.{quote('user_id')} = %s"
    )


def _stamps(*, assessment_id: int, user_id: int) -> tuple[str, str, str | None] | None:
    """The assessment's change token, the user's role in its organization and the
    catalogue's stamp, in one statement; None for a user who is not a member."""
    stamps.page_read(connection)
    with connection.cursor() as cursor:
        cursor.execute(_stamps_sql(), [assessment_id, user_id])
        return cursor.fetchone()


def page_key(request, *, assessment_id: int) -> str | None:
    """The key of this request's page, or None when it must be built afresh (the
    caller then checks membership as usual: an outsider gets no key). Nothing in the
    address but a known filter: junk in it fills no cache."""
    if not settings.PAGE_CACHE_SECONDS or request.method != "GET":
        return None
    if set(request.GET) - {"show"} or request.GET.get("show", "") not in ("", *FILTERS):
        return None
    if len(messages.get_messages(request)):  # reads them without marking them shown
        return None
    user = request.user
    read = _stamps(assessment_id=assessment_id, user_id=user.pk)
    if read is None or read[2] is None:
        return None
    parts = [
        "questionnaire",
        assessment_id,
        *read,
        request.get_full_path(),
        user.pk,
        user.get_username(),
        user.is_staff,
        translation.get_language(),
        timezone.localdate().isoformat(),
        *_navbar_inputs(request),
    ]
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()
    return f"page:{digest}"


def kept_page(request, key: str | None) -> HttpResponse | None:
    if key is None:
        return None
    kept = _cache().get(key)
    if kept is None:
        return None
    content, content_type = kept
    token = get_token(request).encode()
    return HttpResponse(content.replace(_CSRF_MARK, token), content_type=content_type)


def keep_page(key: str | None, response: HttpResponse) -> None:
    if key is None or response.status_code != 200 or response.streaming:
        return
    content = _CSRF_FIELD.sub(rb"\g<1>" + _CSRF_MARK + rb"\g<2>", response.content)
    _cache().set(key, (content, response["Content-Type"]))


def forget_pages() -> None:
    """Drop every page this process keeps (tests; an operator's shell)."""
    _cache().clear()

"""Writes: creating notifications (once per event and recipient), reading them, mailing them."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import IN_APP_ONLY, EmailPreference, Kind, Notification

logger = logging.getLogger(__name__)
SUBJECT_CHARS = 120


def notify(
    *,
    recipients: Iterable,
    kind: str,
    dedupe_key: str,
    url: str = "",
    assessment=None,
    params: dict | None = None,
    exclude=None,
) -> list[Notification]:
    """Notify each recipient (users; ``exclude`` left out) once for this event.

    A recipient who already has a notification with ``dedupe_key`` gets nothing new,
    so running a receiver or a reminder twice never notifies twice. Returns the new
    notifications; their e-mails go out after the current transaction commits.
    """
    wanted = {user.pk: user for user in recipients if user is not None and user.is_active}
    if exclude is not None:
        wanted.pop(exclude.pk, None)
    if not wanted:
        return []
    known = set(
        Notification.objects.filter(recipient_id__in=wanted, dedupe_key=dedupe_key).values_list(
            "recipient_id", flat=True
        )
    )
    created = []
    for user_id in sorted(set(wanted) - known):
        try:
            with transaction.atomic():  # a concurrent duplicate loses without harm
                created.append(
                    Notification.objects.create(
                        recipient_id=user_id,
                        kind=kind,
                        dedupe_key=dedupe_key[:200],
                        url=url,
                        assessment=assessment,
                        params=params or {},
                    )
                )
        except IntegrityError:
            continue
    if created and kind not in IN_APP_ONLY:
        ids = [n.pk for n in created]
        transaction.on_commit(lambda: queue_emails(ids))
    return created


def queue_emails(notification_ids: list[int]) -> None:
    """Hand the e-mails to the task worker; a queue that fails is logged, not raised."""
    from .tasks import send_notification_emails

    try:
        send_notification_emails.enqueue(notification_ids)
    except Exception:
        logger.exception("Could not queue notification e-mails %s", notification_ids)


def send_emails(*, notification_ids: list[int]) -> int:
    """Mail each notification whose recipient wants it; each at most once. Returns the
    number sent. Failures are logged and recorded on the notification, never raised."""
    sent = 0
    for notification in Notification.objects.filter(pk__in=notification_ids).select_related(
        "recipient", "recipient__notification_email", "recipient__profile"
    ):
        if not _wants_email(notification):
            continue
        # Claim it: whoever sets emailed_at first sends; a second run finds it taken.
        claimed = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        if not claimed:
            continue
        try:
            _message(notification).send()
        except Exception as exc:
            logger.exception("Notification e-mail %s failed", notification.pk)
            Notification.objects.filter(pk=notification.pk).update(
                email_error=f"{type(exc).__name__}: {exc}"[:300]
            )
        else:
            sent += 1
    return sent


def _wants_email(notification: Notification) -> bool:
    user = notification.recipient
    if notification.kind in IN_APP_ONLY or not user.email or not user.is_active:
        return False
    try:
        preference = user.notification_email
    except EmailPreference.DoesNotExist:
        return True
    return preference.wants(notification.kind)


def recipient_language(user) -> str:
    """The language the user chose (their profile), else the site's default: an e-mail
    is read away from the browser whose language the request carried."""
    try:
        chosen = user.profile.language
    except ObjectDoesNotExist:
        chosen = ""
    return chosen or settings.LANGUAGE_CODE


def _message(notification: Notification) -> EmailMultiAlternatives:
    """The e-mail for ``notification``, in its recipient's language."""
    with translation.override(recipient_language(notification.recipient)):
        return _render_message(notification)


def _render_message(notification: Notification) -> EmailMultiAlternatives:
    context = {
        "LANGUAGE_CODE": translation.get_language(),
        "notification": notification,
        "text": notification.text,
        "link": f"{settings.SITE_URL}{notification.url}" if notification.url else settings.SITE_URL,
        "preferences": f"{settings.SITE_URL}{reverse('notification_preferences')}",
        "user": notification.recipient,
    }
    text = notification.text
    summary = text if len(text) <= SUBJECT_CHARS else text[: SUBJECT_CHARS - 1] + "…"
    subject = _("[HAIP self-assessment] %(summary)s") % {"summary": " ".join(summary.split())}
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("notifications/email/notification.txt", context),
        to=[notification.recipient.email],
    )
    message.attach_alternative(
        render_to_string("notifications/email/notification.html", context), "text/html"
    )
    return message


def mark_read(*, notification_id: int, user) -> Notification | None:
    """Mark one of ``user``'s notifications read; None when it is not theirs."""
    notification = Notification.objects.filter(pk=notification_id, recipient=user).first()
    if notification is not None and notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def save_email_preference(*, user, enabled: bool, muted_kinds: list[str]) -> EmailPreference:
    valid = [kind for kind in muted_kinds if kind in Kind.values]
    preference, _created = EmailPreference.objects.update_or_create(
        user=user, defaults={"enabled": enabled, "muted_kinds": valid}
    )
    return preference

"""Notifications: what each user is told, in the app and by e-mail.

Other apps send signals; this app decides who hears about them (receivers.py).
A notification keeps its kind and parameters, not its sentence, so that it is
worded in the reader's language when shown or mailed.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from assessments.models import Membership


class Kind(models.TextChoices):
    ASSIGNED = "assigned", _("Work assigned to me")
    SUBMITTED = "submitted", _("Assessment submitted for review")
    RETURNED = "returned", _("Assessment returned for changes")
    COMMENT = "comment", _("Comment added or replied to")
    APPROVED = "approved", _("Assessment approved")
    DUE_SOON = "due_soon", _("Due in three days")
    OVERDUE = "overdue", _("Overdue")
    INVITED = "invited", _("Invited to an organization")


# Kinds that are only shown in the app: the invitation e-mail itself is the
# members app's (it carries the sign-up link).
IN_APP_ONLY = frozenset({Kind.INVITED})

# How each kind reads; %(name)s placeholders are filled from ``Notification.params``.
TEXTS = {
    Kind.ASSIGNED: _("%(by)s assigned %(target)s of “%(title)s” to you."),
    Kind.SUBMITTED: _("%(by)s submitted “%(title)s” for review."),
    Kind.RETURNED: _("%(by)s returned “%(title)s” for changes: %(reason)s"),
    Kind.COMMENT: _("%(by)s commented on %(code)s of “%(title)s”: %(excerpt)s"),
    Kind.APPROVED: _("%(by)s approved “%(title)s”."),
    Kind.DUE_SOON: _("%(target)s of “%(title)s” is due on %(due)s."),
    Kind.OVERDUE: _("%(target)s of “%(title)s” was due on %(due)s and is not done."),
    Kind.INVITED: _("%(by)s invited you to join %(organization)s as %(role)s."),
}
# The due-date kinds for a whole assessment (no target).
WHOLE_TEXTS = {
    Kind.DUE_SOON: _("“%(title)s” is due on %(due)s."),
    Kind.OVERDUE: _("“%(title)s” was due on %(due)s and is not submitted."),
}
PARAMS = ("by", "title", "target", "reason", "code", "excerpt", "due", "organization", "role")
INVITED_TEXT = _("You are invited to join %(organization)s as %(role)s.")
REPLY_TEXT = _("%(by)s replied on %(code)s of “%(title)s”: %(excerpt)s")


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    assessment = models.ForeignKey(
        "assessments.Assessment",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    url = models.CharField(max_length=500, blank=True)  # a path on this site
    params = models.JSONField(default=dict, blank=True)
    # One event notifies a recipient once: the receivers and the reminders build the
    # key from the event (e.g. "returned:12:345", "overdue:assignment:7:2026-05-01").
    dedupe_key = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # Set when the e-mail was claimed for sending (so it is never sent twice), with
    # the error when sending failed.
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_error = models.CharField(max_length=300, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], name="one_notification_per_event"
            )
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self):
        return f"{self.kind} for {self.recipient}"

    @property
    def text(self) -> str:
        """The sentence, in the active language."""
        if self.params.get("reply"):
            template = REPLY_TEXT
        elif self.kind == Kind.INVITED and not self.params.get("by"):
            template = INVITED_TEXT
        elif not self.params.get("target") and self.kind in WHOLE_TEXTS:
            template = WHOLE_TEXTS[self.kind]
        else:
            template = TEXTS[self.kind]
        values = {name: self.params.get(name, "") for name in PARAMS}
        if values["role"] in Membership.Role.values:
            values["role"] = str(Membership.Role(values["role"]).label).lower()
        if values["target"]:
            # Codes are the same in every language; the words around them are not.
            words = _("question %(code)s") if "." in values["target"] else _("principle %(code)s")
            values["target"] = str(words) % {"code": values["target"]}
        try:
            return str(template) % values
        except (KeyError, TypeError, ValueError):  # a translation with a bad placeholder
            return str(Kind(self.kind).label)

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class EmailPreference(models.Model):
    """A user's choice of notification e-mails; without a row, every kind is mailed."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_email"
    )
    enabled = models.BooleanField(_("send me notification e-mails"), default=True)
    muted_kinds = models.JSONField(default=list, blank=True)

    def __str__(self):
        return f"E-mail preferences of {self.user}"

    def wants(self, kind: str) -> bool:
        return self.enabled and kind not in self.muted_kinds and kind not in IN_APP_ONLY

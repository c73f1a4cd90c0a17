"""Signals other apps may receive (sent inside the transaction; use on_commit for I/O)."""

from django.dispatch import Signal

# Sent when an invitation is created or sent again: invitation, by (None from a command).
member_invited = Signal()

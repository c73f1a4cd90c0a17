"""Remind assignees and officers of due dates: run it once a day from cron.

    15 7 * * *  cd /srv/hiroshima && .venv/bin/python manage.py send_reminders

Idempotent per day: a second run the same day sends nothing new.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from notifications.reminders import send_reminders


class Command(BaseCommand):
    help = "Send due-soon and overdue reminders (in the app and by e-mail); run daily."

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            help="The day to remind for, YYYY-MM-DD (default: today in the site's time zone).",
        )

    def handle(self, *args, **options):
        try:
            today = date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"--date: {exc}") from exc
        with transaction.atomic():
            sent = send_reminders(today=today)
        for item in sent:
            self.stdout.write(f"{item.kind}: {item.what} -> {', '.join(item.recipients)}")
        total = sum(len(item.recipients) for item in sent)
        self.stdout.write(f"{total} reminder(s) sent for {today.isoformat()}.")

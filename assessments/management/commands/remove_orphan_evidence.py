"""Find (and with --delete remove) stored evidence files that no evidence row refers to,
and files kept from failed page saves (pending uploads) older than a day."""

from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from assessments.models import (
    EVIDENCE_DIR,
    Evidence,
    PendingUpload,
    delete_evidence_file_if_unreferenced,
)


def stored_names(folder: str = EVIDENCE_DIR):
    """Every file under ``folder`` in the default storage, as storage names."""
    if not default_storage.exists(folder):
        return
    folders, files = default_storage.listdir(folder)
    for name in files:
        yield f"{folder}/{name}"
    for sub in folders:
        yield from stored_names(f"{folder}/{sub}")


class Command(BaseCommand):
    help = (
        "List evidence files that no evidence row refers to, and files kept from failed "
        "page saves for longer than PENDING_UPLOAD_MAX_AGE_HOURS (a dry run by default); "
        "--delete removes them. Meant for a daily cron job."
    )

    def add_arguments(self, parser):
        parser.add_argument("--delete", action="store_true", help="Remove the files listed.")
        parser.add_argument(
            "--min-age-minutes",
            type=int,
            default=60,
            help="Leave files younger than this alone: a save may be storing them right now "
            "(default 60).",
        )

    def handle(self, *args, delete: bool, min_age_minutes: int, **options):
        expired = PendingUpload.objects.filter(
            created_at__lte=timezone.now() - timedelta(hours=settings.PENDING_UPLOAD_MAX_AGE_HOURS)
        )
        if delete:
            # Each row's file goes too unless evidence or another kept upload shares it.
            count, _ = expired.delete()
            self.stdout.write(f"Removed {count} kept upload(s) of failed page saves.")
        else:
            self.stdout.write(f"Dry run: {expired.count()} kept upload(s) older than a day.")
        referenced = set(Evidence.objects.exclude(file="").values_list("file", flat=True))
        referenced |= set(PendingUpload.objects.values_list("file", flat=True))
        cutoff = timezone.now() - timedelta(minutes=min_age_minutes)
        orphans = [
            name
            for name in stored_names()
            if name not in referenced and default_storage.get_modified_time(name) <= cutoff
        ]
        size = sum(default_storage.size(name) for name in orphans)
        for name in orphans:
            self.stdout.write(name)
        if not delete:
            self.stdout.write(
                f"Dry run: {len(orphans)} file(s) ({filesizeformat(size)}) that no evidence "
                "refers to; run with --delete to remove them."
            )
            return
        # Checked again one by one: a row may have come to refer to a file meanwhile.
        removed = sum(1 for name in orphans if delete_evidence_file_if_unreferenced(name))
        self.stdout.write(f"Removed {removed} file(s) ({filesizeformat(size)}).")

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports import services


class Command(BaseCommand):
    help = "Say whether a PDF is a report this system issued; exit 0 only when it is."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path, **options):
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
        verdict = services.verify_pdf(data)
        if verdict.verified:
            self.stdout.write(self.style.SUCCESS(verdict.message))
            return
        self.stdout.write(self.style.ERROR(verdict.message))
        sys.exit(1)

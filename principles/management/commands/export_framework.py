from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from principles.framework import export_framework


class Command(BaseCommand):
    help = "Write the catalogue as it stands in the database to DIR (default: fixtures/)."

    def add_arguments(self, parser):
        parser.add_argument("directory", nargs="?", default=str(settings.BASE_DIR / "fixtures"))

    def handle(self, *args, directory, **options):
        counts = export_framework(directory=Path(directory))
        self.stdout.write(
            self.style.SUCCESS(
                f"Exported {counts['principles']} principles, {counts['roles']} roles and "
                f"{counts['questions']} question and weight entries to {directory}."
            )
        )

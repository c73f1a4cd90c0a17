from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from principles.framework import FrameworkError, load_framework


class Command(BaseCommand):
    help = (
        "Validate principles.yaml, roles.yaml and questions.yaml in DIR (default: fixtures/) "
        "and load them in one transaction. Nothing is written if any entry is invalid."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", nargs="?", default=str(settings.BASE_DIR / "fixtures"))

    def handle(self, *args, directory, **options):
        try:
            result = load_framework(directory=Path(directory))
        except FrameworkError as exc:
            for problem in exc.problems:
                self.stderr.write(f"error: {problem}")
            raise CommandError(
                f"{len(exc.problems)} problem(s) in the framework; nothing was loaded."
            ) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Framework loaded from {directory}: {result.created} created, "
                f"{result.updated} updated, {result.unchanged} unchanged."
            )
        )
        if result.not_in_files:
            self.stdout.write(
                self.style.WARNING(
                    "Left in place (in the database, not in the files): "
                    + ", ".join(result.not_in_files)
                )
            )

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
                self.stderr.write(_("error: %(problem)s") % {"problem": problem})
            count = len(exc.problems)
            raise CommandError(
                ngettext(
                    "%(count)s problem in the framework; nothing was loaded.",
                    "%(count)s problems in the framework; nothing was loaded.",
                    count,
                )
                % {"count": count}
            ) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Framework loaded from %(directory)s: %(created)s created, "
                    "%(updated)s updated, %(unchanged)s unchanged."
                )
                % {
                    "directory": directory,
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                }
            )
        )
        if result.not_in_files:
            self.stdout.write(
                self.style.WARNING(
                    _("Left in place (in the database, not in the files): %(codes)s")
                    % {"codes": ", ".join(result.not_in_files)}
                )
            )

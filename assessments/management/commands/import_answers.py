"""Import answers from a CSV, XLSX or YAML file into a draft: a dry run, or --apply."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from assessments import answer_import, services
from assessments.answer_data import AnswersFileError, read_answers
from assessments.models import Assessment, AssessmentLocked


class Command(BaseCommand):
    help = (
        "Show what importing an answers file into a draft would change (a dry run); with "
        "--apply, import it, all or nothing, as the user named by --as. Exits non-zero when "
        "a row is rejected."
    )

    def add_arguments(self, parser):
        parser.add_argument("assessment_id", type=int)
        parser.add_argument("file", type=Path, help="A .csv, .xlsx or .yaml answers file.")
        parser.add_argument("--apply", action="store_true", help="Import (default: dry run).")
        parser.add_argument(
            "--as", dest="username", help="The officer who imports (required with --apply)."
        )

    def handle(self, *args, assessment_id, file, apply, username, **options):
        assessment = (
            Assessment.objects.select_related("organization").filter(pk=assessment_id).first()
        )
        if assessment is None:
            raise CommandError(f"No assessment with id {assessment_id}.")
        user = self._user(username) if username else None
        if apply and user is None:
            raise CommandError("--apply needs --as USERNAME: the officer the answers are from.")
        rows = self._read(file)
        try:
            plan = answer_import.plan_import(assessment=assessment, rows=rows)
        except AssessmentLocked as exc:
            raise CommandError(str(exc)) from exc
        self._print(plan)
        if plan.rejected:
            raise CommandError(f"{len(plan.rejected)} row(s) rejected; nothing was imported.")
        if not apply:
            self.stdout.write("Dry run: nothing was saved. Run again with --apply to import.")
            return
        try:
            answer_import.apply_import(
                assessment=assessment, rows=rows, by=user, expected_digest=plan.digest
            )
        except (services.WorkflowError, AssessmentLocked, PermissionDenied) as exc:
            raise CommandError(f"Nothing was imported: {exc}") from exc
        counts = plan.counts
        self.stdout.write(
            f"Imported: {counts['new']} new, {counts['changed']} changed, "
            f"{counts['unchanged']} unchanged."
        )

    def _user(self, username):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username}.")
        return user

    def _read(self, file: Path):
        try:
            with file.open("rb") as handle:  # never more than one byte over the limit
                content = handle.read(settings.ANSWERS_IMPORT_MAX_BYTES + 1)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from exc
        try:
            return read_answers(name=file.name, content=content)
        except AnswersFileError as exc:
            raise CommandError(str(exc)) from exc

    def _print(self, plan):
        for row in plan.rows:
            details = " ".join(row.reasons + row.notes)
            change = f"{row.before} -> {row.after}" if row.status in ("new", "changed") else ""
            line = f"{row.line:>5}  {row.code or '-':<10} {row.status:<9} {change}"
            self.stdout.write(f"{line.rstrip()}  {details}".rstrip())
        for note in plan.notes:
            self.stdout.write(note)
        counts = plan.counts
        self.stdout.write(
            f"{counts['new']} new, {counts['changed']} changed, {counts['unchanged']} unchanged, "
            f"{counts['rejected']} rejected."
        )

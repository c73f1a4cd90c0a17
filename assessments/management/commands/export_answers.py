"""Write an assessment's answers to a CSV, XLSX or YAML file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.answer_data import FORMATS
from assessments.answer_import import export_answers
from assessments.models import Assessment


class Command(BaseCommand):
    help = "Write an assessment's answers (levels, explanations, evidence) as CSV, XLSX or YAML."

    def add_arguments(self, parser):
        parser.add_argument("assessment_id", type=int)
        parser.add_argument("--format", dest="fmt", choices=sorted(FORMATS), default="csv")
        parser.add_argument("--output", required=True, type=Path, help="File to write.")

    def handle(self, *args, assessment_id, fmt, output, **options):
        assessment = (
            Assessment.objects.select_related("organization").filter(pk=assessment_id).first()
        )
        if assessment is None:
            raise CommandError(f"No assessment with id {assessment_id}.")
        content, _, _ = export_answers(assessment=assessment, fmt=fmt)
        try:
            output.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror}.") from exc
        self.stdout.write(f"Wrote {output} ({fmt.upper()}, answers of {assessment.report_id}).")

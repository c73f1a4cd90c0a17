from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.models import Assessment
from reports import pdf as pdf_renderer
from reports import services
from reports.exports import canonical_json, fingerprint, render_csv
from reports.oscal import assessment_results_json


class Command(BaseCommand):
    help = (
        "Write an assessment's report as PDF, JSON or CSV: for an approved assessment, "
        "the issued report; otherwise a draft rendered now. OSCAL (assessment-results "
        "JSON, validated) is for approved assessments only."
    )

    def add_arguments(self, parser):
        parser.add_argument("assessment_id", type=int)
        parser.add_argument(
            "--format", dest="fmt", choices=["pdf", "json", "csv", "oscal"], default="pdf"
        )
        parser.add_argument("--output", required=True, type=Path, help="File to write.")

    def handle(self, *args, assessment_id, fmt, output, **options):
        assessment = (
            Assessment.objects.select_related("organization").filter(pk=assessment_id).first()
        )
        if assessment is None:
            raise CommandError(f"No assessment with id {assessment_id}.")
        content, digest = self._export(assessment, fmt)
        try:
            output.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror}.") from exc
        kind = "issued" if assessment.is_locked else "DRAFT"
        if fmt == "oscal":
            # The file is not the report: name the report it belongs to, and its print.
            what = f"OSCAL assessment results of issued report {assessment.report_id}, "
            self.stdout.write(f"Wrote {output} ({what}report fingerprint {digest}).")
            return
        self.stdout.write(
            f"Wrote {output} ({fmt.upper()}, {kind} report {assessment.report_id}, "
            f"fingerprint {digest})."
        )

    def _export(self, assessment, fmt):
        if fmt == "oscal":
            if not assessment.is_locked:
                raise CommandError(
                    "Only an approved assessment has OSCAL assessment results; "
                    "this one is a draft or awaits review."
                )
            issued = services.issue_report(assessment=assessment)
            return assessment_results_json(assessment=assessment), issued.fingerprint
        if assessment.is_locked:
            issued = services.issue_report(assessment=assessment)
            if fmt == "pdf":
                return bytes(issued.pdf), issued.fingerprint
            if fmt == "json":
                return issued.document_bytes, issued.fingerprint
        doc = services.report_document(assessment=assessment)
        renderers = {
            "pdf": pdf_renderer.render_report_pdf,
            "json": canonical_json,
            "csv": render_csv,
        }
        return renderers[fmt](doc), fingerprint(doc)

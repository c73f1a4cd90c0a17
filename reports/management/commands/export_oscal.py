"""Write the catalogue, a role's profile or an approved assessment's results as OSCAL JSON."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.models import Assessment
from principles import oscal
from principles.catalogue import live_catalogue
from reports import services
from reports.oscal import assessment_results_json


class Command(BaseCommand):
    help = (
        f"Write OSCAL {oscal.OSCAL_VERSION} JSON: `catalog`, `profile ROLE` (the questions of "
        "one lifecycle role, with weights) or `results ASSESSMENT_ID` (an approved assessment)."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["catalog", "profile", "results"])
        parser.add_argument("subject", nargs="?", help="ROLE or ASSESSMENT_ID")
        parser.add_argument("--output", required=True, type=Path, help="File to write.")

    def handle(self, *args, kind, subject, output, **options):
        if kind == "catalog":
            model = oscal.build_catalog(
                live_catalogue(), last_modified=oscal.catalogue_last_modified()
            )
            content, what = oscal.serialize(model), "catalog"
        elif kind == "profile":
            if not subject:
                raise CommandError(f"Name the role: one of {', '.join(oscal.role_codes())}.")
            try:
                model = oscal.build_profile(
                    live_catalogue(), subject, last_modified=oscal.catalogue_last_modified()
                )
            except oscal.UnknownRole as exc:
                raise CommandError(str(exc)) from exc
            content, what = oscal.serialize(model), f"profile of {subject}"
        else:
            content, what = self._results(subject)
        try:
            output.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror}.") from exc
        self.stdout.write(f"Wrote {output} (OSCAL {oscal.OSCAL_VERSION} {what}).")

    def _results(self, subject):
        if not subject or not subject.isdigit():
            raise CommandError("Give the id of an approved assessment.")
        assessment = Assessment.objects.select_related("organization").filter(pk=subject).first()
        if assessment is None:
            raise CommandError(f"No assessment with id {subject}.")
        if not assessment.is_locked:
            raise CommandError("Only an approved assessment has OSCAL assessment results.")
        issued = services.issue_report(assessment=assessment)
        content = assessment_results_json(assessment=assessment)
        return content, f"assessment-results of {issued.report_id}"

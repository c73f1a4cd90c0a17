import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports import signing, verification


class Command(BaseCommand):
    help = (
        "Check a report PDF: its signature and its embedded data. Against this server's "
        "issued reports by default; with --offline, without the database, against the "
        "issuer certificates given with --trust. Exits 0 only when the report is valid."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--offline",
            action="store_true",
            help="Do not use the database: check the signature and the embedded report.json.",
        )
        parser.add_argument(
            "--trust",
            type=Path,
            action="append",
            default=[],
            metavar="CERT.pem",
            help="Issuer certificate (root CA or signing certificate), PEM or DER; repeatable. "
            "Default: this installation's signing trust roots.",
        )

    def handle(self, *args, path, offline, trust, **options):
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
        if offline:
            ok, lines = self._offline(data, trust)
        else:
            verdict = verification.verify_file(data)
            ok, lines = verdict.verified, [verdict.lead, verdict.message]
            if verdict.report and not verdict.verified:
                lines.append(f"The issued report is {verdict.report.report_id}.")
        style = self.style.SUCCESS if ok else self.style.ERROR
        self.stdout.write(style("VALID" if ok else "NOT VALID"))
        for line in lines:
            self.stdout.write(line)
        if not ok:
            sys.exit(1)

    def _offline(self, data, trust):
        if trust:
            roots = []
            for name in trust:
                try:
                    roots += signing.load_pem_certificates(name)
                except (OSError, ValueError) as exc:
                    raise CommandError(f"Cannot read the certificate {name}: {exc}.") from exc
        else:
            try:
                roots = signing.trust_roots()
            except signing.SigningNotConfigured as exc:
                raise CommandError(
                    "Give the issuer's certificate with --trust CERT.pem (no signing "
                    "identity is configured here to take it from)."
                ) from exc
        verdict = verification.verify_offline(data, roots)
        return verdict.verified, verdict.lines

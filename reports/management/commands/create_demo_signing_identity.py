from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from reports.identity import create_demo_identity, demo_identity_paths

ORGANIZATION = "HAIP self-assessment demo"


class Command(BaseCommand):
    help = (
        "Create a local demo root CA and report-signing certificate (PKCS#12) so that "
        "reports can be signed offline. Keeps an existing one unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir",
            type=Path,
            default=None,
            help="Folder to write to (default: REPORT_SIGNING_DEMO_DIR, var/signing/).",
        )
        parser.add_argument("--force", action="store_true", help="Replace an existing identity.")

    def handle(self, *args, dir, force, **options):
        directory = dir or Path(settings.REPORT_SIGNING_DEMO_DIR)
        paths = demo_identity_paths(directory)
        if paths.p12.exists() and not force:
            self.stdout.write(f"Demo signing identity already present in {directory}; kept.")
        else:
            create_demo_identity(
                directory=directory,
                passphrase=settings.REPORT_SIGNING_DEMO_PASSPHRASE,
                organization=ORGANIZATION,
            )
            self.stdout.write(self.style.SUCCESS(f"Demo signing identity created in {directory}."))
        self.stdout.write(
            f"  PKCS#12 (key and certificates): {paths.p12}  passphrase: "
            f"{settings.REPORT_SIGNING_DEMO_PASSPHRASE}\n"
            f"  root CA certificate (for verify_report --trust): {paths.root}\n"
            "  A local run (DJANGO_DEBUG=1) signs with it by default; elsewhere set "
            "REPORT_SIGNING_P12 and REPORT_SIGNING_P12_PASSPHRASE to use it."
        )

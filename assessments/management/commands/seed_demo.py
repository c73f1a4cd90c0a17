"""Demo data: one organization, its people, an approved assessment and a half-done draft."""

import hashlib
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from assessments import services
from assessments.models import Assessment, Membership, Organization
from principles.models import LifecycleRole, Principle

ORG_NAME = "Aurora Analytics Ltd"
ORG_SLUG = "aurora"
ROLES = ("development", "deployment", "provision")
PEOPLE = [
    # username, password, membership role (None: staff admin), full name
    ("officer", "officer-demo-2026", Membership.Role.OFFICER, "Olga Officer"),
    ("auditor", "auditor-demo-2026", Membership.Role.AUDITOR, "Aldo Auditor"),
    ("admin", "admin-demo-2026", None, "Ada Admin"),
]

EXPLANATIONS = {
    0: "Not in place yet. No owner has been named and nothing is documented.",
    1: "Planned for the next two quarters: the approach is agreed and budgeted, "
    "but nothing runs yet.",
    2: "In place for our flagship model only; the other systems in scope follow next year.",
    3: "In place for all systems in scope; a few procedures are still informal and are "
    "being written down.",
    4: "Fully in place across every system in scope, reviewed every year by internal audit.",
}


def _pick(code: str) -> int:
    """A stable, realistic spread of levels (more 2-4 than 0-1)."""
    return [4, 3, 3, 2, 4, 1, 3, 2, 0, 4, 3, 2][
        int(hashlib.sha256(code.encode()).hexdigest(), 16) % 12
    ]


class Command(BaseCommand):
    help = "Create demo data (idempotent): an organization, officer, auditor, admin, assessments."

    def handle(self, *args, **options):
        if Principle.objects.count() != 12:
            raise CommandError("Load the catalogue first: python manage.py load_framework")
        self._signing_identity()
        users = self._people()
        if Organization.objects.filter(slug=ORG_SLUG).exists():
            self.stdout.write("Demo data already present; nothing changed.")
        else:
            with transaction.atomic():
                self._create(users)
            self.stdout.write(self.style.SUCCESS("Demo data created."))
        self.stdout.write("Sign in at http://127.0.0.1:8000/ with:")
        for username, password, role, _ in PEOPLE:
            what = Membership.Role(role).label if role else "Catalogue admin (staff, /admin/)"
            self.stdout.write(f"  {what:<32} username: {username:<8} password: {password}")

    def _signing_identity(self):
        """Approving the demo assessment issues a signed report: make sure it can be signed.

        A local run (debug on, REPORT_SIGNING_P12 unset) signs with the demo identity,
        created here when missing; anywhere else the configured certificate must exist.
        """
        configured = settings.REPORT_SIGNING_P12
        demo = Path(settings.REPORT_SIGNING_DEMO_DIR) / "demo-signer.p12"
        if configured and Path(configured) == demo:
            call_command("create_demo_signing_identity", stdout=self.stdout)
        elif not configured or not Path(configured).is_file():
            raise CommandError(
                "The demo's approved assessment needs a signed report, and no signing "
                "certificate is configured: run with DJANGO_DEBUG=1 (uses a demo identity), "
                "or run manage.py create_demo_signing_identity and set REPORT_SIGNING_P12 "
                "and REPORT_SIGNING_P12_PASSPHRASE."
            )

    def _people(self):
        User = get_user_model()
        users = {}
        for username, password, role, full_name in PEOPLE:
            user = User.objects.filter(username=username).first()
            if user is None:
                first, last = full_name.split(" ", 1)
                user = User.objects.create_user(
                    username=username,
                    password=password,
                    first_name=first,
                    last_name=last,
                    email=f"{username}@aurora.example",
                    is_staff=role is None,
                    is_superuser=role is None,
                )
            users[username] = user
        return users

    def _create(self, users):
        org = Organization.objects.create(name=ORG_NAME, slug=ORG_SLUG)
        org.roles.set(LifecycleRole.objects.filter(code__in=ROLES))
        officer, auditor = users["officer"], users["auditor"]
        Membership.objects.create(user=officer, organization=org, role=Membership.Role.OFFICER)
        Membership.objects.create(user=auditor, organization=org, role=Membership.Role.AUDITOR)

        approved = services.create_assessment(
            organization=org,
            title="Aurora Assist language model, 2025 annual assessment",
            scope="The Aurora Assist model family and its public API, January to December 2025.",
            by=officer,
        )
        answer_like_the_demo(approved, by=officer, fraction=1.0)
        services.submit_assessment(assessment=approved, by=officer)
        services.approve_assessment(
            assessment=Assessment.objects.get(pk=approved.pk),
            by=auditor,
            comment="Evidence sampled for principles I, VI and VII; consistent with the answers.",
        )

        draft = services.create_assessment(
            organization=org,
            title="Aurora Vision deployment, 2026",
            scope="Deployment of the Aurora Vision image model in our customer-support tools, "
            "2026.",
            roles=LifecycleRole.objects.filter(code__in=("deployment", "use")),
            by=officer,
        )
        answer_like_the_demo(draft, by=officer, fraction=0.5)


def answer_like_the_demo(assessment, *, by, fraction: float) -> None:
    """Answer the first ``fraction`` of the applicable questions with the demo's mix."""
    result = services.result_for(assessment)
    questions = [q for p in result.principles for q in p.questions]
    inputs = []
    for index, q in enumerate(questions[: round(len(questions) * fraction)]):
        code = q.question.code
        not_applicable = index % 17 == 5
        level = None if not_applicable else _pick(code)
        evidence = None
        if level == 4 or index % 9 == 0:
            if index % 2:
                evidence = services.NewEvidence(
                    description=f"Policy extract for {code}",
                    upload=SimpleUploadedFile(
                        f"{code.replace('.', '-')}-extract.txt",
                        f"Extract supporting {code}: {q.question.evidence_expected}\n".encode(),
                        content_type="text/plain",
                    ),
                )
            else:
                evidence = services.NewEvidence(
                    description=f"Intranet page documenting {code}",
                    url=f"https://intranet.aurora.example/ai-governance/{code.lower()}",
                )
        explanation = (
            "Not relevant to the systems in scope: they neither generate nor publish content "
            "of this kind, so the control has nothing to act on."
            if not_applicable
            else EXPLANATIONS[level]
        )
        inputs.append(
            services.AnswerInput(
                question_id=q.question.id,
                seen_version=0,
                level=level,
                not_applicable=not_applicable,
                explanation=explanation,
                new_evidence=evidence,
            )
        )
    services.save_answers(assessment=assessment, inputs=inputs, by=by)

"""Shared fixtures: the real catalogue, an organization with an officer, an auditor
and an outsider, and a draft assessment built through the real services."""

from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from assessments import services
from assessments.models import Membership, Organization
from assessments.page_cache import forget_pages
from principles.catalogue import forget_live_catalogue
from principles.framework import load_framework
from principles.models import LifecycleRole
from tests import pki
from tests.smtp import smtp_server  # noqa: F401  (a fixture for every test)

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the real framework once into the test database."""
    with django_db_blocker.unblock():
        load_framework(directory=FIXTURES)


@pytest.fixture
def catalogue_restored(django_db_blocker):
    """For transactional tests: the catalogue is there, and is loaded again after the
    flush that ends the test, so that tests running later still find it.

    Request it before ``transactional_db`` (or a fixture using it): it is then set up
    before the database fixture and torn down after its flush.
    """
    from principles.models import Principle

    def ensure():
        with django_db_blocker.unblock():
            if not Principle.objects.exists():
                load_framework(directory=FIXTURES)

    ensure()
    yield
    ensure()


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_catalogue():
    """Each test starts without the catalogue a previous test's process kept: a test's
    bulk write to the catalogue sends no signal, and its rollback no stamp. Nor the
    questionnaire pages a previous test's process kept (keys carry random tokens, so
    they could not be served; this only frees them)."""
    forget_live_catalogue()
    forget_pages()


@pytest.fixture(scope="session")
def signing_identity(tmp_path_factory):
    """This installation's signing identity in tests: a local root CA and its signer."""
    return pki.make_identity(tmp_path_factory.mktemp("signing"), "Test issuer")


@pytest.fixture(scope="session", autouse=True)
def _signing(signing_identity):
    """Issued reports are signed with the test identity, with no timestamp authority
    (set for the whole session, so that module-scoped fixtures issue reports too)."""
    values = {
        "REPORT_SIGNING_P12": str(signing_identity.p12),
        "REPORT_SIGNING_P12_PASSPHRASE": pki.PASSPHRASE,
        "REPORT_SIGNING_TRUST_ROOTS": [],
        "REPORT_TSA_URL": "",
    }
    previous = {name: getattr(settings, name) for name in values}
    for name, value in values.items():
        setattr(settings, name, value)
    yield
    for name, value in previous.items():
        setattr(settings, name, value)


def make_user(username, **extra):
    return get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)


def make_org(name, slug, roles=("development", "deployment")):
    org = Organization.objects.create(name=name, slug=slug)
    org.roles.set(LifecycleRole.objects.filter(code__in=roles))
    return org


@pytest.fixture
def organization(db):
    return make_org("Example AI Labs", "example")


@pytest.fixture
def officer(organization):
    user = make_user("olivia")
    Membership.objects.create(user=user, organization=organization, role=Membership.Role.OFFICER)
    return user


@pytest.fixture
def auditor(organization):
    user = make_user("arthur")
    Membership.objects.create(user=user, organization=organization, role=Membership.Role.AUDITOR)
    return user


@pytest.fixture
def outsider(db):
    other = make_org("Other Org", "other")
    user = make_user("oscar")
    Membership.objects.create(user=user, organization=other, role=Membership.Role.OFFICER)
    return user


@pytest.fixture
def assessment(organization, officer):
    return services.create_assessment(
        organization=organization,
        title="Chat assistant 2026",
        scope="Our chat assistant and the teams that run it.",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        by=officer,
    )


def an_opinion(**changes):
    """A complete auditor's opinion, as the approve form gives it."""
    values = {
        "affiliation": "Example Assurance LLP",
        "independent": True,
        "review_scope": "All twelve principles, for the declared roles and period.",
        "sampling": "Evidence of every level-4 answer; one in five of the others, at random.",
        "opinion": "The answers are consistent with the evidence sampled.",
        "include_comments": True,
    }
    return services.OpinionInput(**(values | changes))


def approve(assessment, auditor, **opinion):
    """Accept every "not applicable" answer, then approve with a complete opinion."""
    services.accept_not_applicable(
        assessment=assessment,
        by=auditor,
        codes=services.unaccepted_not_applicable(assessment),
    )
    services.approve_assessment(assessment=assessment, by=auditor, opinion=an_opinion(**opinion))


def answer_everything(assessment, by, level=3):
    """Answer every applicable question with ``level`` through the real service."""
    result = services.result_for(assessment)
    inputs = [
        services.AnswerInput(
            question_id=q.question.id,
            seen_version=q.answer.version if q.answer else 0,
            level=level,
            not_applicable=False,
            explanation=f"Answer to {q.question.code}.",
        )
        for p in result.principles
        for q in p.questions
    ]
    services.save_answers(assessment=assessment, inputs=inputs, by=by)


@pytest.fixture
def submitted(assessment, officer):
    answer_everything(assessment, officer)
    services.submit_assessment(assessment=assessment, by=officer)
    assessment.refresh_from_db()
    return assessment


@pytest.fixture
def approved(submitted, auditor, django_capture_on_commit_callbacks):
    """Approved, and its report issued: the on-commit enqueue runs, and the test
    settings' immediate task backend renders at once."""
    with django_capture_on_commit_callbacks(execute=True):
        approve(submitted, auditor)
    submitted.refresh_from_db()
    return submitted

"""Benchmark: the questionnaire page against a minimal view, in the same run.

Run:  .venv/bin/python benchmarks/questionnaire.py [--requests 100]

Builds a throw-away SQLite database with the real catalogue and the demo data,
then, through Django's test client and signed in as the demo officer, requests
the questionnaire page of principle I of the half-done draft N times and a
minimal signed-in view (one query for the session, plain text) N times,
interleaved so that both see the same machine noise. Prints the medians, the
ratio and the SQL queries per page. The catalogue five times its size is
measured too: the ratio between the two shows how the page grows with the
catalogue.

Each process keeps the pages it built (``assessments/page_cache.py``) and serves
one again while nothing it shows has changed: the first figures are that page,
as a reader moving between principles or coming back to one gets it. The page
built afresh (after any change to the assessment, or with ``PAGE_CACHE_SECONDS=0``)
is measured too, with the cache off, and printed beside it.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB = Path(tempfile.mkdtemp()) / "bench.sqlite3"
os.environ["DATABASE_URL"] = f"sqlite:///{DB}"
# Production settings with the test run's two local overrides (plain HTTP, no collectstatic).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
# seed_demo approves an assessment, whose report is signed: a throw-away demo identity.
SIGNING = DB.parent / "signing"
os.environ["REPORT_SIGNING_DEMO_DIR"] = str(SIGNING)
os.environ["REPORT_SIGNING_P12"] = str(SIGNING / "demo-signer.p12")
os.environ["REPORT_SIGNING_P12_PASSPHRASE"] = "demo-signing-passphrase"

import django  # noqa: E402

django.setup()

from django.contrib.auth.decorators import login_required  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.urls import include, path, reverse  # noqa: E402

from assessments.models import Assessment  # noqa: E402
from principles.models import LifecycleRole, Question, QuestionWeight  # noqa: E402


@login_required
def minimal(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("__minimal__/", minimal), path("", include("hiroshima.urls"))]


def grow_catalogue(times: int) -> None:
    roles = {r.pk: r for r in LifecycleRole.objects.all()}
    originals = list(Question.objects.prefetch_related("weights"))
    for copy in range(1, times):
        for q in originals:
            new = Question.objects.create(
                principle_id=q.principle_id,
                code=f"{q.code}{copy}00",
                order=q.order + 100 * copy,
                text=q.text,
                guidance=q.guidance,
                evidence_expected=q.evidence_expected,
            )
            QuestionWeight.objects.bulk_create(
                QuestionWeight(question=new, role=roles[w.role_id], weight=w.weight)
                for w in q.weights.all()
            )


def measure(client: Client, page: str, requests: int) -> tuple[float, float, int]:
    """Medians of the page and of the minimal view, and the page's queries."""
    page_times, minimal_times = [], []
    for _ in range(5):  # warm-up
        client.get(page)
        client.get("/__minimal__/")
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(page)
        page_times.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
        start = time.perf_counter()
        client.get("/__minimal__/")
        minimal_times.append(time.perf_counter() - start)
    with CaptureQueriesContext(connection) as queries:
        client.get(page)
    return statistics.median(page_times), statistics.median(minimal_times), len(queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    call_command("load_framework", verbosity=0)
    call_command("seed_demo", verbosity=0)
    draft = Assessment.objects.get(status="draft")
    # Declare every role so that the page shows as many questions as it can.
    draft.roles.set(LifecycleRole.objects.all())

    with override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["testserver"]):
        client = Client()
        client.force_login(User.objects.get(username="officer"))
        page = reverse("questionnaire", args=[draft.pk, "I"])

        page_1x, minimal_1x, queries_1x = measure(client, page, args.requests)
        with override_settings(PAGE_CACHE_SECONDS=0):
            built_1x, built_minimal_1x, built_queries_1x = measure(client, page, args.requests)
        grow_catalogue(5)
        page_5x, minimal_5x, queries_5x = measure(client, page, args.requests)
        with override_settings(PAGE_CACHE_SECONDS=0):
            built_5x, built_minimal_5x, built_queries_5x = measure(client, page, args.requests)

    print(f"questions: {Question.objects.count() // 5} (real catalogue), then x5")
    print(f"requests per measurement: {args.requests}")
    print(f"minimal view median:        {minimal_1x * 1000:7.2f} ms")
    print(f"questionnaire median (1x):  {page_1x * 1000:7.2f} ms  queries: {queries_1x}")
    print(f"questionnaire median (5x):  {page_5x * 1000:7.2f} ms  queries: {queries_5x}")
    print(f"ratio questionnaire / minimal (1x): {page_1x / minimal_1x:6.1f}")
    print(f"ratio questionnaire / minimal (5x): {page_5x / minimal_5x:6.1f}")
    print(f"ratio 5x / 1x catalogue:            {page_5x / page_1x:6.2f}")
    print("built afresh (cache off: after a change):")
    print(f"  questionnaire median (1x): {built_1x * 1000:7.2f} ms  queries: {built_queries_1x}")
    print(f"  questionnaire median (5x): {built_5x * 1000:7.2f} ms  queries: {built_queries_5x}")
    print(f"  ratio built / minimal (1x): {built_1x / built_minimal_1x:6.1f}")
    print(f"  ratio built / minimal (5x): {built_5x / built_minimal_5x:6.1f}")
    # Issue 11's goals: at most 3 x the minimal view, and 8 x on the five-times catalogue.
    for label, ratio, goal in (
        ("real catalogue", page_1x / minimal_1x, 3),
        ("five-times catalogue", page_5x / minimal_5x, 8),
    ):
        print(f"goal {label}: ratio <= {goal}: {'met' if ratio <= goal else 'MISSED'}")


if __name__ == "__main__":
    main()

"""Benchmark: API reads and writes of answers against a minimal API endpoint, in the
same run.

Run:  .venv/bin/python benchmarks/api.py [--requests 100]

Builds a throw-away SQLite database with the real catalogue, an organization whose
officer has a read-write token, and a draft with every lifecycle role declared and
every applicable question answered (one link of evidence each). Through Django's
test client, with the token in the Authorization header, it then requests, N times
each and interleaved so that all see the same machine noise:

- a minimal API endpoint: the same authentication, permission, throttle and logging
  as every endpoint, and a constant body (the baseline);
- GET the draft's answers (every applicable question with its versions and evidence);
- PATCH one answer (the level changes every time; the version read before is sent).

Prints medians, 95th percentiles, the ratios to the baseline and the SQL queries each.
"""

import argparse
import logging
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
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
os.environ.setdefault("API_THROTTLE_RATE", "1000000/minute")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.urls import include, path  # noqa: E402
from rest_framework.response import Response  # noqa: E402

from api import tokens  # noqa: E402
from api.views import ApiView  # noqa: E402
from assessments import services  # noqa: E402
from assessments.models import Membership, Organization  # noqa: E402
from principles.models import LifecycleRole  # noqa: E402


class Minimal(ApiView):
    def get(self, request):
        return Response({"ok": True})


urlpatterns = [path("api/__minimal__/", Minimal.as_view()), path("", include("hiroshima.urls"))]


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def setup():
    call_command("migrate", verbosity=0)
    call_command("load_framework", verbosity=0)
    officer = User.objects.create_user("bench-officer", password="x" * 20)
    org = Organization.objects.create(name="Bench Org", slug="bench")
    Membership.objects.create(user=officer, organization=org, role=Membership.Role.OFFICER)
    draft = services.create_assessment(
        organization=org,
        title="Bench draft",
        scope="Everything.",
        roles=LifecycleRole.objects.all(),
        by=officer,
    )
    result = services.result_for(draft)
    services.save_answers(
        assessment=draft,
        inputs=[
            services.AnswerInput(
                question_id=q.question.id,
                seen_version=0,
                level=2,
                not_applicable=False,
                explanation=f"Answer to {q.question.code}.",
                new_evidence=services.NewEvidence(
                    description="Policy", url="https://example.org/policy"
                ),
            )
            for p in result.principles
            for q in p.questions
        ],
        by=officer,
    )
    _, secret = tokens.create_token(
        user=officer, organization=org, name="benchmark", access="write"
    )
    return draft, secret


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    logging.getLogger("api").setLevel(logging.WARNING)  # measure, don't print each call
    draft, secret = setup()
    answers_url = f"/api/assessments/{draft.pk}/answers/"

    with override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["testserver"]):
        client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
        times = {"minimal": [], "get": [], "patch": []}
        version = next(a for a in client.get(answers_url).json() if a["code"] == "I.1")["version"]

        def patch(i: int):
            return client.patch(
                answers_url,
                {"answers": [{"code": "I.1", "version": version, "level": 1 + i % 3}]},
                content_type="application/json",
            )

        for i in range(5):  # warm-up
            client.get("/api/__minimal__/")
            client.get(answers_url)
            version = patch(i).json()["answers"][0]["version"]
        for i in range(args.requests):
            start = time.perf_counter()
            assert client.get("/api/__minimal__/").status_code == 200
            times["minimal"].append(time.perf_counter() - start)
            start = time.perf_counter()
            response = client.get(answers_url)
            times["get"].append(time.perf_counter() - start)
            assert response.status_code == 200
            start = time.perf_counter()
            response = patch(i + 1)
            times["patch"].append(time.perf_counter() - start)
            assert response.status_code == 200, response.content
            version = response.json()["answers"][0]["version"]
        queries = {}
        for name, call in (
            ("minimal", lambda: client.get("/api/__minimal__/")),
            ("get", lambda: client.get(answers_url)),
            ("patch", lambda: patch(args.requests + 1)),
        ):
            with CaptureQueriesContext(connection) as captured:
                call()
            queries[name] = len(captured)
        rows = len(client.get(answers_url).json())

    base_median = statistics.median(times["minimal"])
    base_p95 = p95(times["minimal"])
    print(f"requests per measurement: {args.requests}; answers in the GET: {rows}")
    for name, label in (
        ("minimal", "minimal API endpoint"),
        ("get", "GET answers"),
        ("patch", "PATCH one answer"),
    ):
        median, high = statistics.median(times[name]), p95(times[name])
        print(
            f"{label:<22} median {median * 1000:7.2f} ms  p95 {high * 1000:7.2f} ms  "
            f"ratio {median / base_median:5.1f} (p95 {high / base_p95:5.1f})  "
            f"queries {queries[name]}"
        )


if __name__ == "__main__":
    main()

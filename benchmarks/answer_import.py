"""Benchmark: importing answers from files against saving them through save_answers.

Run:  .venv/bin/python benchmarks/answer_import.py [--assessments 10] [--format csv]

Builds a throw-away SQLite database with the real catalogue grown to five times
its size and one organization holding every lifecycle role. For each of N pairs
of fresh drafts, the same answers (every applicable question: levels, some N/A,
every tenth with a link) are saved once through ``services.save_answers``
directly and once imported from a file (read, dry run, apply), interleaved so
that both see the same machine noise. Prints the totals and the ratio; exits 1
when the import takes more than 1.5 times the direct saves.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB = Path(tempfile.mkdtemp()) / "bench.sqlite3"
os.environ["DATABASE_URL"] = f"sqlite:///{DB}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402

from assessments import answer_data, answer_import, services  # noqa: E402
from assessments.answer_data import AnswerRow, Link  # noqa: E402
from assessments.models import Membership, Organization  # noqa: E402
from principles.models import LifecycleRole  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
from questionnaire import grow_catalogue  # noqa: E402


def answers_for(assessment):
    result = services.result_for(assessment)
    plans = []
    for index, q in enumerate(q for p in result.principles for q in p.questions):
        na = index % 11 == 10
        level = None if na else (index % 4)  # no level 4: that would need evidence
        plans.append((q.question, level, na, f"How {q.question.code} is handled.", index % 10 == 0))
    return plans


def direct_inputs(plans):
    return [
        services.AnswerInput(
            question_id=question.id,
            seen_version=0,
            level=level,
            not_applicable=na,
            explanation=explanation,
            new_evidence=services.NewEvidence(
                description=f"Document {question.code}",
                url=f"https://example.org/evidence/{question.code}",
            )
            if with_link
            else None,
        )
        for question, level, na, explanation, with_link in plans
    ]


def file_rows(plans):
    return [
        AnswerRow(
            code=question.code,
            level="N/A" if na else str(level),
            explanation=explanation,
            links=[
                Link(f"https://example.org/evidence/{question.code}", f"Document {question.code}")
            ]
            if with_link
            else [],
        )
        for question, level, na, explanation, with_link in plans
    ]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--assessments", type=int, default=10)
    parser.add_argument("--format", choices=sorted(answer_data.FORMATS), default="csv")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("load_framework", verbosity=0)
    grow_catalogue(5)
    org = Organization.objects.create(name="Bench", slug="bench")
    org.roles.set(LifecycleRole.objects.all())
    officer = User.objects.create_user("officer", password="x" * 20)
    Membership.objects.create(user=officer, organization=org, role=Membership.Role.OFFICER)

    def draft(name):
        return services.create_assessment(organization=org, title=name, scope="s", by=officer)

    direct_total = import_total = 0.0
    rows_total = 0
    for n in range(args.assessments):
        direct, imported = draft(f"direct {n}"), draft(f"import {n}")
        plans = answers_for(direct)
        content = answer_data.render(file_rows(plans), fmt=args.format, about={})
        rows_total += len(plans)
        inputs = direct_inputs(plans)
        start = time.perf_counter()
        services.save_answers(assessment=direct, inputs=inputs, by=officer)
        direct_total += time.perf_counter() - start
        start = time.perf_counter()
        rows = answer_data.read_answers(name=f"answers.{args.format}", content=content)
        plan = answer_import.plan_import(assessment=imported, rows=rows)
        answer_import.apply_import(
            assessment=imported, rows=rows, by=officer, expected_digest=plan.digest
        )
        import_total += time.perf_counter() - start
        assert plan.counts["new"] == len(plans), plan.counts
    ratio = import_total / direct_total
    print(f"{rows_total} rows in {args.assessments} assessments ({args.format.upper()})")
    print(f"save_answers directly: {direct_total:.2f} s")
    print(f"import (read, dry run, apply): {import_total:.2f} s")
    print(f"ratio import ÷ direct: {ratio:.2f} (target ≤ 1.5)")
    return 0 if ratio <= 1.5 else 1


if __name__ == "__main__":
    sys.exit(main())

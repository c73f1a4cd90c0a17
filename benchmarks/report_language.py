"""Benchmark: the demo report rendered in Japanese against the same report in English.

Run as ``.venv/bin/python benchmarks/report_language.py [--pairs 4] [--renders 3]``. It
builds a throw-away SQLite database with the real framework and ``seed_demo``'s data,
takes the demo's approved assessment and builds its report document twice, as issued
in English and as issued in Japanese (the same answers; the Japanese document carries
the catalogue's Japanese wording and is rendered under the Japanese locale, with the
CJK font). Each document is rendered by fresh processes, English and Japanese taking
turns (pairs), as the task worker renders them (``render_report_pdf`` on the document's
JSON); every process renders once untimed first. The script prints the medians and
the ratio Japanese ÷ English (median of the pairs' ratios) and exits 1 when it is
above the target, 1.3.

Kept apart from ``benchmarks/report_pdf.py`` (which measures the report's speed
itself) so that the two can change independently.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = Path(tempfile.gettempdir()) / "haip-report-language-benchmark"
TARGET_RATIO = 1.3
LANGUAGES = ("en", "ja")


def setup_django() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "hiroshima.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{WORK / 'bench.sqlite3'}"
    os.environ["DJANGO_MEDIA_ROOT"] = str(WORK / "media")
    os.environ["REPORT_SIGNING_DEMO_DIR"] = str(WORK / "signing")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def build_documents() -> dict[str, Path]:
    """The demo report's document as issued in each language, written as JSON files."""
    from django.core.management import call_command

    from assessments.models import Assessment, AuditOpinion
    from principles.framework import load_framework
    from reports.document import build_report
    from reports.exports import canonical_json

    call_command("migrate", verbosity=0)
    load_framework(directory=ROOT / "fixtures")
    call_command("seed_demo", stdout=io.StringIO())
    demo = Assessment.objects.get(organization__slug="aurora", status=Assessment.Status.APPROVED)
    paths = {}
    for language in LANGUAGES:
        AuditOpinion.objects.filter(assessment=demo).update(report_language=language)
        doc = build_report(assessment=demo)
        assert doc["language"] == language
        paths[language] = WORK / f"demo-{language}.json"
        paths[language].write_bytes(canonical_json(doc))
    return paths


def measure(path: Path, warm: Path, renders: int) -> dict:
    from reports.pdf import render_report_pdf

    render_report_pdf(json.loads(warm.read_bytes()))  # fonts, profile, templates loaded
    doc = json.loads(path.read_bytes())
    seconds = []
    for _ in range(renders):
        start = time.perf_counter()
        pdf = render_report_pdf(doc)
        seconds.append(time.perf_counter() - start)
    return {"seconds": seconds, "bytes": len(pdf)}


def run_child(path: Path, warm: Path, renders: int) -> dict:
    command = [sys.executable, __file__, "--child", str(path), "--warm", str(warm)]
    command += ["--renders", str(renders)]
    out = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--warm", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--renders", type=int, default=3, help="timed renders per process")
    parser.add_argument("--pairs", type=int, default=4, help="English/Japanese process pairs")
    args = parser.parse_args()
    setup_django()
    if args.child:
        print(json.dumps(measure(args.child, args.warm, args.renders)))
        return 0

    WORK.mkdir(parents=True, exist_ok=True)
    (WORK / "bench.sqlite3").unlink(missing_ok=True)
    paths = build_documents()
    results: dict[str, list[dict]] = {language: [] for language in LANGUAGES}
    ratios = []
    for _ in range(args.pairs):
        pair = {}
        for language in LANGUAGES:
            pair[language] = run_child(paths[language], paths["en"], args.renders)
            results[language].append(pair[language])
        ratios.append(
            statistics.median(pair["ja"]["seconds"]) / statistics.median(pair["en"]["seconds"])
        )
    medians = {}
    for language in LANGUAGES:
        seconds = [s for r in results[language] for s in r["seconds"]]
        medians[language] = statistics.median(seconds)
        size = results[language][0]["bytes"] / 1024
        print(
            f"demo report, {language}: median {medians[language]:.2f} s over {len(seconds)} "
            f"renders, {size:.0f} KiB"
        )
    ratio = statistics.median(ratios)
    print(
        f"Japanese ÷ English: {ratio:.2f} (pairs {min(ratios):.2f}–{max(ratios):.2f}; "
        f"medians {medians['ja'] / medians['en']:.2f}); target ≤ {TARGET_RATIO}"
    )
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())

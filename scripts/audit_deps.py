#!/usr/bin/env python3
"""Audit the locked dependencies for known vulnerabilities, honestly.

    python scripts/audit_deps.py [LOCK_FILE ...]     (default: requirements/prod.lock)

Runs pip-audit on the exact versions in the lock file (hashes required, nothing
installed) against PyPI's advisory data, then reads its report itself, because
pip-audit says "No known vulnerabilities found" even when it could check none of
the packages (every one "not found on PyPI" when its JSON API is unreachable).

- vulnerabilities found: each is listed; exit 1;
- every package checked, none vulnerable: says so, with the count; exit 0;
- the service unreachable, or some packages not checked: one line starting with
  SKIPPED (or INCOMPLETE) and the reason, and no claim about those packages; exit 0.
  AUDIT_STRICT=1 makes this exit 2 instead, for a pipeline that must audit.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVICE = "PyPI advisory data (pip-audit --vulnerability-service pypi)"
NETWORK_WORDS = ("connection", "timed out", "timeout", "resolve", "unreachable", "ssl", "proxy")


def verdict(report: dict | None, error: str = "") -> tuple[int, list[str]]:
    """The exit code and the lines to print for one pip-audit JSON report."""
    strict_code = 2 if os.environ.get("AUDIT_STRICT") == "1" else 0
    if report is None:
        reason = " ".join(error.split())[:300] or "pip-audit produced no report"
        if any(word in reason.lower() for word in NETWORK_WORDS):
            return strict_code, [
                f"SKIPPED dependency audit: the vulnerability service cannot be reached "
                f"({reason}). No claim is made about known vulnerabilities."
            ]
        return 3, [f"FAILED dependency audit: {reason}"]
    dependencies = report.get("dependencies", [])
    skipped = [d for d in dependencies if d.get("skip_reason")]
    checked = [d for d in dependencies if not d.get("skip_reason")]
    vulnerable = [d for d in checked if d.get("vulns")]
    lines = []
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
            lines.append(
                f"VULNERABLE {dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixes})"
            )
    if not checked and skipped:
        lines.append(
            f"SKIPPED dependency audit: none of the {len(skipped)} locked packages could be "
            f"checked against {SERVICE}; first reason: {skipped[0]['skip_reason']}. "
            "The service is probably not reachable from here. "
            "No claim is made about known vulnerabilities."
        )
        return (1 if vulnerable else strict_code), lines
    if skipped:
        names = ", ".join(d["name"] for d in skipped)
        lines.append(
            f"INCOMPLETE dependency audit: {len(checked)} packages checked, {len(skipped)} "
            f"could not be ({names}); no claim is made about those."
        )
    if vulnerable:
        lines.append(f"dependency audit: {len(vulnerable)} vulnerable package(s) found.")
        return 1, lines
    if not skipped:
        lines.append(
            f"dependency audit: no known vulnerabilities in the {len(checked)} locked packages "
            f"({SERVICE})."
        )
        return 0, lines
    return strict_code, lines


def audit(lock_file: Path) -> tuple[dict | None, str]:
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / "report.json"
        result = subprocess.run(  # noqa: S603 (a fixed command line)
            [
                sys.executable, "-m", "pip_audit",
                "--requirement", str(lock_file),
                "--require-hashes", "--disable-pip",  # the exact locked versions, no install
                "--vulnerability-service", "pypi",
                "--progress-spinner", "off",
                "--format", "json", "--output", str(output),
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )  # fmt: skip
        if output.exists() and output.stat().st_size:
            return json.loads(output.read_text()), result.stderr
        return None, result.stderr or result.stdout


def main(argv: list[str]) -> int:
    lock_files = [Path(a) for a in argv] or [ROOT / "requirements" / "prod.lock"]
    worst = 0
    for lock_file in lock_files:
        print(f"--- {lock_file.relative_to(ROOT) if lock_file.is_absolute() else lock_file}")
        report, error = audit(lock_file)
        code, lines = verdict(report, error)
        print("\n".join(lines))
        worst = max(worst, code)
    return worst


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

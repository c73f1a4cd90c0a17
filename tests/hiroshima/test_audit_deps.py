"""scripts/audit_deps.py never reports "no known vulnerabilities" for packages it
could not check."""

import importlib.util

import pytest
from django.conf import settings

spec = importlib.util.spec_from_file_location(
    "audit_deps", settings.BASE_DIR / "scripts" / "audit_deps.py"
)
audit_deps = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit_deps)


def dep(name, vulns=(), skip=None):
    if skip:
        return {"name": name, "skip_reason": skip}
    return {"name": name, "version": "1.0", "vulns": list(vulns)}


NOT_FOUND = "Dependency not found on PyPI and could not be audited: django (5.2.19)"


def test_every_package_skipped_is_a_skip_not_a_clean_bill(monkeypatch):
    monkeypatch.delenv("AUDIT_STRICT", raising=False)
    code, lines = audit_deps.verdict({"dependencies": [dep("django", skip=NOT_FOUND)] * 3})
    assert code == 0
    assert lines[-1].startswith("SKIPPED dependency audit: none of the 3 locked packages")
    assert "No claim is made" in lines[-1]
    assert not any("no known vulnerabilities" in line for line in lines)


def test_strict_mode_fails_a_skipped_audit(monkeypatch):
    monkeypatch.setenv("AUDIT_STRICT", "1")
    code, _ = audit_deps.verdict({"dependencies": [dep("django", skip=NOT_FOUND)]})
    assert code == 2


def test_an_unreachable_service_is_a_skip_with_its_reason(monkeypatch):
    monkeypatch.delenv("AUDIT_STRICT", raising=False)
    code, [line] = audit_deps.verdict(None, "ConnectionError: Max retries exceeded")
    assert code == 0 and line.startswith("SKIPPED") and "ConnectionError" in line


def test_a_partial_audit_names_what_was_not_checked():
    code, lines = audit_deps.verdict(
        {"dependencies": [dep("django"), dep("private-pkg", skip="not on PyPI")]}
    )
    assert lines[-1].startswith("INCOMPLETE") and "private-pkg" in lines[-1]
    assert not any("no known vulnerabilities" in line for line in lines)


def test_vulnerabilities_fail_the_audit():
    vuln = {"id": "PYSEC-2099-1", "fix_versions": ["1.1"]}
    code, lines = audit_deps.verdict({"dependencies": [dep("django", [vuln]), dep("pyyaml")]})
    assert code == 1
    assert "VULNERABLE django 1.0: PYSEC-2099-1 (fixed in 1.1)" in lines


@pytest.mark.parametrize("count", [1, 5])
def test_a_complete_clean_audit_says_so_with_the_count(count):
    code, lines = audit_deps.verdict({"dependencies": [dep(f"p{i}") for i in range(count)]})
    assert code == 0
    assert lines == [
        f"dependency audit: no known vulnerabilities in the {count} locked packages "
        f"({audit_deps.SERVICE})."
    ]

"""Rendering a report PDF in a child process, with a time limit and a memory limit.

WeasyPrint's time and memory grow with the text of the report; a render must
never take a worker (or the machine) down with it. Each render therefore runs in
a fresh Python process that limits its own address space (``RLIMIT_AS``) before
it imports anything or reads the document, at a lower CPU priority than the web
requests, and is killed when it runs past the time limit. Whatever goes wrong
comes back as ``RenderFailed`` with a sentence for the person waiting.

The child is this module run as a script: the document's canonical JSON on
standard input, the PDF on standard output.

    python -m reports.rendering MAX_MEMORY_MB < report.json > report.pdf
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys

from django.conf import settings

from .exports import canonical_json

MEMORY_EXIT = 3  # the child ran out of its address space
FAILED_EXIT = 4  # any other error in the child; the reason is on its standard error
NICENESS = 19  # renders take the CPU that web requests leave (the lowest priority)


class RenderFailed(Exception):
    """A render did not produce a PDF; the message says why, for the person waiting."""


def render_pdf(doc: dict) -> bytes:
    """The PDF of ``doc`` (as ``reports.pdf.render_report_pdf`` makes it), rendered in a
    child process under ``REPORT_RENDER_TIMEOUT_SECONDS`` and ``REPORT_RENDER_MAX_MEMORY_MB``.
    """
    timeout = float(settings.REPORT_RENDER_TIMEOUT_SECONDS)
    max_mb = int(settings.REPORT_RENDER_MAX_MEMORY_MB)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": _settings_module()}
    child = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-m", "reports.rendering", str(max_mb)],
        cwd=settings.BASE_DIR,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # a Ctrl+C in a terminal stops the worker, which stops this
    )
    try:
        pdf, errors = child.communicate(canonical_json(doc), timeout=timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        raise RenderFailed(f"The render took longer than {timeout:g} s and was stopped.") from None
    except BaseException:
        child.kill()
        child.communicate()
        raise
    if child.returncode == 0 and pdf.startswith(b"%PDF-"):
        return pdf
    if child.returncode == MEMORY_EXIT:
        raise RenderFailed(f"The render needed more than {max_mb} MiB of memory and was stopped.")
    if child.returncode < 0:
        name = signal.Signals(-child.returncode).name
        raise RenderFailed(
            f"The renderer stopped with {name}, most likely because it needed more than "
            f"{max_mb} MiB of memory."
        )
    reason = _last_line(errors) or f"exit status {child.returncode}"
    raise RenderFailed(f"The renderer failed: {reason}")


def _settings_module() -> str:
    return os.environ.get("DJANGO_SETTINGS_MODULE") or "hiroshima.settings"


def _last_line(data: bytes) -> str:
    lines = data.decode("utf-8", "replace").strip().splitlines()
    return lines[-1][:500] if lines else ""


def _child(max_mb: int) -> int:
    """The child process: limit memory first, then render stdin's document to stdout."""
    import resource

    limit = max_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    os.nice(NICENESS)
    try:
        import django

        django.setup()
        from reports.pdf import render_report_pdf

        doc = json.loads(sys.stdin.buffer.read())
        pdf = render_report_pdf(doc)
    except MemoryError:
        return MEMORY_EXIT
    except OSError as exc:
        if exc.errno == errno.ENOMEM:  # an allocation outside Python's heap was refused
            return MEMORY_EXIT
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
        return FAILED_EXIT
    except Exception as exc:  # reported to the parent as the reason
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
        return FAILED_EXIT
    sys.stdout.buffer.write(pdf)
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(_child(int(sys.argv[1])))

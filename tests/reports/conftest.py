"""Fixtures of the report tests: an assessment with a realistic mix of answers, and a
stand-in for the PDF renderer where the PDF's content is not under test."""

import csv
import io
import json
from functools import cache

import jsonschema
import pypdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments import services
from reports import pdf, rendering
from reports.document import SCHEMA_PATH
from reports.exports import canonical_json


@cache
def _validator():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def assert_valid_report(doc):
    """``doc`` (a dict, or JSON text or bytes) conforms to reports/schema/report-v2.json."""
    if isinstance(doc, bytes | str):
        doc = json.loads(doc)
    errors = sorted(_validator().iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def answer_with_a_mix(assessment, by):
    """Levels 0 to 4 in turn, every seventh question not applicable, one file and one link
    as evidence; returns the codes of the not-applicable questions."""
    result = services.result_for(assessment)
    questions = [q for p in result.principles for q in p.questions]
    inputs, not_applicable = [], []
    for index, q in enumerate(questions):
        na = index % 7 == 6
        if na:
            not_applicable.append(q.question.code)
        evidence = None
        if index == 0:
            upload = SimpleUploadedFile("red-team.txt", b"Red-team findings, all closed.\n")
            evidence = services.NewEvidence(description="Red-team report", upload=upload)
        elif index == 1:
            evidence = services.NewEvidence(
                description="Published policy", url="https://example.org/policy"
            )
        inputs.append(
            services.AnswerInput(
                question_id=q.question.id,
                seen_version=0,
                level=None if na else index % 5,
                not_applicable=na,
                explanation=f"Not relevant to {q.question.code}: we do no training."
                if na
                else f"How {q.question.code} is handled.",
                new_evidence=evidence,
            )
        )
    services.save_answers(assessment=assessment, inputs=inputs, by=by)
    return not_applicable


@pytest.fixture
def reviewed(assessment, officer, auditor):
    """Submitted with mixed answers and evidence, and commented on by the auditor."""
    answer_with_a_mix(assessment, officer)
    services.submit_assessment(assessment=assessment, by=officer)
    assessment.refresh_from_db()
    first = assessment.answers.order_by("pk").first()
    services.add_comment(
        assessment=assessment, answer=first, text="Findings list checked.", by=auditor
    )
    return assessment


def fake_render(doc):
    """A one-page PDF with the document's canonical JSON attached, as the real one has."""
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_attachment(pdf.ATTACHMENT_NAME, canonical_json(doc))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def fake_pdf(monkeypatch):
    """Replace the (seconds long) WeasyPrint render, in this process and in the child
    process the workers start, with a small real PDF; an issued one is still signed."""
    monkeypatch.setattr(pdf, "render_report_pdf", fake_render)
    monkeypatch.setattr(rendering, "render_pdf", fake_render)


def read_csv(data: bytes):
    """A CSV export's metadata block (a dict) and its question rows (dicts)."""
    text = data.decode("utf-8-sig")
    head, table = text.split("\r\n\r\n", 1)
    metadata = dict(csv.reader(io.StringIO(head)))
    return metadata, list(csv.DictReader(io.StringIO(table)))

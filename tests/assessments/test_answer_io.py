"""Answers as data: export (CSV, XLSX, YAML), import into a draft with a dry run, copy."""

import csv
import io
import zipfile

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from assessments import answer_data, answer_import, services
from assessments.answer_data import AnswerRow, AnswersFileError, Link, read_answers
from assessments.models import Answer, Assessment, AssessmentLocked, Evidence
from tests.conftest import make_org

pytestmark = pytest.mark.django_db


def questions_of(assessment):
    result = services.result_for(assessment)
    return [q.question for p in result.principles for q in p.questions]


def answer_some(assessment, by, *, count=8):
    """A mix: levels 0–4 (4 only with a link), one N/A, one file, formula-like text."""
    inputs = []
    for index, q in enumerate(questions_of(assessment)[:count]):
        level, na, evidence = index % 5, False, None
        explanation = f"How {q.code} is handled."
        if index == 4:
            evidence = services.NewEvidence(description="Policy", url="https://example.org/policy")
        if index == 2:
            upload = SimpleUploadedFile("red-team.txt", b"Red-team findings, all closed.\n")
            evidence = services.NewEvidence(description="Red-team report", upload=upload)
        if index == 3:
            explanation = '=HYPERLINK("https://evil.example","click")'
        if index == 5:
            level, na, explanation = None, True, "We train no models."
        inputs.append(
            services.AnswerInput(
                question_id=q.id,
                seen_version=0,
                level=level,
                not_applicable=na,
                explanation=explanation,
                new_evidence=evidence,
            )
        )
    services.save_answers(assessment=assessment, inputs=inputs, by=by)


def state(assessment):
    """What an answer is, by question code: level, N/A, explanation, links."""
    return {
        a.question.code: (
            a.level,
            a.not_applicable,
            a.explanation,
            sorted((ev.url, ev.description) for ev in a.evidence.all() if not ev.file),
        )
        for a in assessment.answers.select_related("question").prefetch_related("evidence")
    }


def new_draft(organization, officer, title="Next year"):
    return services.create_assessment(
        organization=organization, title=title, scope="Same systems.", by=officer
    )


def import_file(assessment, officer, *, name, content):
    rows = read_answers(name=name, content=content)
    return answer_import.apply_import(assessment=assessment, rows=rows, by=officer)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "yaml"])
def test_export_then_import_into_a_new_draft_gives_the_same_answers(
    fmt, assessment, officer, organization
):
    answer_some(assessment, officer)
    content, _, filename = answer_import.export_answers(assessment=assessment, fmt=fmt)
    target = new_draft(organization, officer)
    plan = import_file(target, officer, name=filename, content=content)
    assert state(target) == state(assessment)
    assert plan.counts["new"] == 8 and plan.counts["rejected"] == 0
    # The file evidence is listed but not imported, and the dry run says so.
    noted = [row for row in plan.rows if any("cannot be imported" in n for n in row.notes)]
    assert [row.code for row in noted] == [questions_of(assessment)[2].code]
    assert "red-team.txt" in noted[0].notes[0]
    # Importing the same file again changes nothing.
    again = answer_import.plan_import(
        assessment=target, rows=read_answers(name=filename, content=content)
    )
    assert again.counts["new"] == again.counts["changed"] == 0


def test_csv_export_is_utf8_with_bom_fully_quoted_and_formula_safe(assessment, officer):
    answer_some(assessment, officer)
    content, content_type, _ = answer_import.export_answers(assessment=assessment, fmt="csv")
    assert content.startswith("\ufeff".encode()) and content_type == "text/csv"
    text = content.decode("utf-8-sig")
    assert text.splitlines()[0] == ",".join(f'"{c}"' for c in answer_data.COLUMNS)
    rows = list(csv.DictReader(io.StringIO(text)))
    formula = next(r for r in rows if "HYPERLINK" in r["explanation"])
    assert formula["explanation"].startswith("'=HYPERLINK")
    filed = next(r for r in rows if r["evidence_files"])
    evidence = Evidence.objects.get(file_name="red-team.txt")
    assert filed["evidence_files"] == f"{evidence.sha256} red-team.txt"
    na = next(r for r in rows if r["level"] == "N/A")
    assert na["explanation"] == "We train no models."
    # Unanswered applicable questions are rows too, ready to be filled in.
    assert len(rows) == len(questions_of(assessment))


def test_xlsx_keeps_formula_like_text_as_text(assessment, officer):
    answer_some(assessment, officer)
    content, _, _ = answer_import.export_answers(assessment=assessment, fmt="xlsx")
    sheet = load_workbook(io.BytesIO(content)).active
    cells = [c for row in sheet.iter_rows() for c in row if "HYPERLINK" in str(c.value or "")]
    assert cells and cells[0].data_type == "s"


def test_yaml_export_reads_as_plain_data(assessment, officer):
    answer_some(assessment, officer)
    content, _, _ = answer_import.export_answers(assessment=assessment, fmt="yaml")
    doc = yaml.safe_load(content)
    assert doc["format"] == "haip-answers/1"
    assert doc["assessment"]["report_id"] == assessment.report_id
    first = doc["answers"][0]
    assert first["level"] == 0 and first["code"] == questions_of(assessment)[0].code
    assert doc["answers"][4]["evidence_links"] == [
        {"url": "https://example.org/policy", "description": "Policy"}
    ]


def rows_for(*items):
    """Rows to import; each has an explanation unless the item says otherwise."""
    return [
        AnswerRow(line=i, **{"explanation": "Why.", **item})
        for i, item in enumerate(items, start=2)
    ]


def test_dry_run_classifies_rows_and_says_why_rows_are_rejected(assessment, officer, settings):
    settings.EXPLANATION_MAX_CHARS = 50
    qs = questions_of(assessment)
    services.save_answers(
        assessment=assessment,
        inputs=[
            services.AnswerInput(qs[0].id, 0, 2, False, "Partly."),
            services.AnswerInput(qs[1].id, 0, 3, False, "Mostly."),
        ],
        by=officer,
    )
    rows = rows_for(
        {"code": qs[0].code, "level": "3", "explanation": "Now mostly."},  # changed
        {"code": qs[1].code, "level": "3 – Largely implemented", "explanation": "Mostly."},
        {"code": qs[2].code, "level": "1", "explanation": "Planned."},  # new
        {"code": "XX.9", "level": "1"},
        {"code": qs[3].code, "level": "five"},
        {"code": qs[4].code, "level": "N/A", "explanation": "  "},
        {"code": qs[5].code, "level": "4", "explanation": "All done."},
        {"code": qs[6].code, "level": "2", "explanation": "x" * 51},
        {"code": qs[2].code, "level": "2"},
        {"code": qs[7].code, "level": "2", "links": [Link("ftp://example.org/x", "old")]},
        {"code": "", "level": "1"},
    )
    plan = answer_import.plan_import(assessment=assessment, rows=rows)
    status = [(row.code, row.status) for row in plan.rows]
    assert status[:3] == [(qs[0].code, "changed"), (qs[1].code, "unchanged"), (qs[2].code, "new")]
    reasons = {row.line: " ".join(row.reasons) for row in plan.rejected}
    assert "No question has the code “XX.9”" in reasons[5]
    assert "must be 0 to 4, N/A or empty" in reasons[6]
    assert "needs a justification" in reasons[7]
    assert "Level 4 – Fully implemented needs at least one piece of evidence" in reasons[8]
    assert "at most 50 characters" in reasons[9]
    assert "appears more than once" in reasons[10]
    assert "http or https" in reasons[11]
    assert "no question code" in reasons[12]
    assert plan.counts == {"new": 1, "changed": 1, "unchanged": 1, "rejected": 8}


def test_a_question_outside_the_declared_roles_is_rejected(organization, officer):
    draft = services.create_assessment(
        organization=organization,
        title="Users only",
        scope="Scope.",
        by=officer,
        roles=organization.roles.none(),
    )
    draft.roles.set([draft.organization.roles.first()])
    live_codes = {q.code for q in services.catalogue_for(draft).questions()}
    applicable = {q.code for q in questions_of(draft)}
    outside = sorted(live_codes - applicable)[0]
    plan = answer_import.plan_import(
        assessment=draft, rows=rows_for({"code": outside, "level": "2"})
    )
    assert "does not apply to the declared roles" in plan.rejected[0].reasons[0]


def test_level_4_is_accepted_when_the_answer_already_has_evidence(assessment, officer):
    answer_some(assessment, officer)
    with_file = questions_of(assessment)[2]  # has a file
    plan = answer_import.plan_import(
        assessment=assessment,
        rows=rows_for({"code": with_file.code, "level": "4", "explanation": "Done."}),
    )
    assert plan.rows[0].status == "changed"


def test_a_rejected_row_means_nothing_is_imported(assessment, officer):
    qs = questions_of(assessment)
    rows = rows_for(
        {"code": qs[0].code, "level": "2", "explanation": "Fine."},
        {"code": "XX.9", "level": "2"},
    )
    with pytest.raises(answer_import.ImportRejected, match="1 row"):
        answer_import.apply_import(assessment=assessment, rows=rows, by=officer)
    assert not Answer.objects.filter(assessment=assessment).exists()


def test_import_goes_through_save_answers_with_versions_and_history(assessment, officer):
    qs = questions_of(assessment)
    services.save_answers(
        assessment=assessment,
        inputs=[services.AnswerInput(qs[0].id, 0, 1, False, "Planned.")],
        by=officer,
    )
    rows = rows_for(
        {
            "code": qs[0].code,
            "level": "4",
            "explanation": "Done.",
            "links": [Link("https://example.org/a", "A"), Link("https://example.org/b", "")],
        }
    )
    answer_import.apply_import(assessment=assessment, rows=rows, by=officer)
    answer = Answer.objects.get(assessment=assessment, question_id=qs[0].id)
    assert (answer.level, answer.version, answer.updated_by) == (4, 2, officer)
    assert answer.history.count() == 2 and answer.history.first().history_user == officer
    assert sorted(answer.evidence.values_list("url", "description")) == [
        ("https://example.org/a", "A"),
        ("https://example.org/b", "https://example.org/b"),
    ]
    # Links are those of the file: one removed, the other kept.
    rows[0].links = [Link("https://example.org/a", "A")]
    plan = answer_import.apply_import(assessment=assessment, rows=rows, by=officer)
    assert "1 link(s) not in the file will be removed" in plan.rows[0].notes[0]
    assert list(answer.evidence.values_list("url", flat=True)) == ["https://example.org/a"]


def test_an_import_never_touches_a_submitted_or_approved_assessment(submitted, officer):
    rows = rows_for({"code": questions_of(submitted)[0].code, "level": "1"})
    with pytest.raises(AssessmentLocked):
        answer_import.plan_import(assessment=submitted, rows=rows)
    with pytest.raises(AssessmentLocked):
        answer_import.apply_import(assessment=submitted, rows=rows, by=officer)


def test_a_stale_dry_run_is_refused(assessment, officer):
    qs = questions_of(assessment)
    rows = rows_for({"code": qs[0].code, "level": "2", "explanation": "Mine."})
    plan = answer_import.plan_import(assessment=assessment, rows=rows)
    services.save_answers(
        assessment=assessment,
        inputs=[services.AnswerInput(qs[0].id, 0, 3, False, "Someone else's.")],
        by=officer,
    )
    with pytest.raises(answer_import.StaleImport, match="Someone else changed answers"):
        answer_import.apply_import(
            assessment=assessment, rows=rows, by=officer, expected_digest=plan.digest
        )
    assert Answer.objects.get(assessment=assessment).explanation == "Someone else's."


def test_an_imported_level_needs_an_explanation(assessment, officer):
    rows = rows_for({"code": questions_of(assessment)[0].code, "level": "2", "explanation": ""})
    plan = answer_import.plan_import(assessment=assessment, rows=rows)
    assert "An explanation is required for every level." in plan.rows[0].reasons


def test_auditors_cannot_import(assessment, auditor):
    rows = rows_for({"code": questions_of(assessment)[0].code, "level": "2"})
    with pytest.raises(Exception, match="compliance officers"):
        answer_import.apply_import(assessment=assessment, rows=rows, by=auditor)
    assert not Answer.objects.exists()


# --- reading files safely --------------------------------------------------------------


def test_files_over_the_size_limit_are_refused(settings):
    settings.ANSWERS_IMPORT_MAX_BYTES = 100
    with pytest.raises(AnswersFileError, match="at most 100"):
        read_answers(name="a.csv", content=b"code,level,explanation,evidence_links\n" * 5)


def test_an_xlsx_that_unpacks_too_far_is_refused_before_loading(settings):
    settings.ANSWERS_IMPORT_MAX_UNPACKED_BYTES = 1_000_000
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 5_000_000)
    assert len(buffer.getvalue()) < 20_000
    with pytest.raises(AnswersFileError, match="would unpack to 5,000,000 bytes"):
        read_answers(name="bomb.xlsx", content=buffer.getvalue())


def test_yaml_aliases_and_other_tags_are_refused():
    bomb = b'a: &a ["x","x"]\nb: &b [*a,*a]\nanswers: [*b]\n'
    with pytest.raises(AnswersFileError, match="aliases"):
        read_answers(name="a.yaml", content=bomb)
    with pytest.raises(AnswersFileError, match="cannot be read"):
        read_answers(name="a.yaml", content=b"answers: !!python/object:os.system ls\n")


def test_unreadable_files_get_a_clear_message():
    with pytest.raises(AnswersFileError, match="missing: level"):
        read_answers(name="a.csv", content=b"code,explanation,evidence_links\nI.1,x,\n")
    with pytest.raises(AnswersFileError, match="not UTF-8"):
        read_answers(name="a.csv", content=b"code,level\n\xff\xfe\n")
    with pytest.raises(AnswersFileError, match="not an XLSX"):
        read_answers(name="a.xlsx", content=b"hello")
    with pytest.raises(AnswersFileError, match=".csv, .xlsx or .yaml"):
        read_answers(name="a.txt", content=b"")


# --- pages -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "yaml"])
def test_members_export_answers_outsiders_get_404(
    client, assessment, officer, auditor, outsider, fmt
):
    url = reverse("answers_export", args=[assessment.pk, fmt])
    for user in (officer, auditor):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert f"-answers.{fmt}" in response["Content-Disposition"]
    assert client.post(url).status_code == 405
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert client.get(reverse("answers_export", args=[assessment.pk, "pdf"])).status_code == 404


def test_officer_imports_through_the_dry_run_page(client, assessment, officer, organization):
    answer_some(assessment, officer)
    client.force_login(officer)
    content = client.get(reverse("answers_export", args=[assessment.pk, "csv"])).content
    target = new_draft(organization, officer)
    upload = SimpleUploadedFile("answers.csv", content, content_type="text/csv")
    page = client.post(reverse("answers_import", args=[target.pk]), {"file": upload})
    html = page.content.decode()
    assert "Dry run: what would change" in html and "8 new" in html
    assert "cannot be imported" in html
    assert not Answer.objects.filter(assessment=target).exists()
    digest = page.context["plan"].digest
    response = client.post(
        reverse("answers_import_apply", args=[target.pk]), {"digest": digest}, follow=True
    )
    assert "Imported: 8 new" in response.content.decode()
    assert state(target) == state(assessment)


def test_a_stale_dry_run_on_the_page_is_refused_and_shown_again(client, assessment, officer):
    qs = questions_of(assessment)
    client.force_login(officer)
    csv_text = f'code,level,explanation,evidence_links\n{qs[0].code},2,"Mine.",\n'
    upload = SimpleUploadedFile("a.csv", csv_text.encode())
    page = client.post(reverse("answers_import", args=[assessment.pk]), {"file": upload})
    digest = page.context["plan"].digest
    services.save_answers(
        assessment=assessment,
        inputs=[services.AnswerInput(qs[0].id, 0, 3, False, "Theirs.")],
        by=officer,
    )
    response = client.post(
        reverse("answers_import_apply", args=[assessment.pk]), {"digest": digest}
    )
    html = response.content.decode()
    assert "Someone else changed answers" in html and "1 changed" in html
    assert Answer.objects.get(assessment=assessment).explanation == "Theirs."
    # The dry run shown again can be applied.
    new_digest = response.context["plan"].digest
    client.post(reverse("answers_import_apply", args=[assessment.pk]), {"digest": new_digest})
    assert Answer.objects.get(assessment=assessment).explanation == "Mine."


def test_a_forged_digest_applies_nothing(client, assessment, officer):
    client.force_login(officer)
    upload = SimpleUploadedFile("a.csv", b"code,level,explanation,evidence_links\nI.1,2,x,\n")
    client.post(reverse("answers_import", args=[assessment.pk]), {"file": upload})
    response = client.post(
        reverse("answers_import_apply", args=[assessment.pk]), {"digest": "0" * 64}, follow=True
    )
    assert "no longer available" in response.content.decode()
    assert not Answer.objects.exists()


def test_import_pages_are_for_officers_of_drafts(client, assessment, auditor, outsider, submitted):
    for name in ("answers_import", "answers_copy"):
        client.force_login(auditor)
        assert client.get(reverse(name, args=[assessment.pk])).status_code == 403
        client.force_login(outsider)
        assert client.get(reverse(name, args=[assessment.pk])).status_code == 404
    for name in ("answers_import_apply", "answers_copy_apply"):
        client.force_login(auditor)
        assert client.get(reverse(name, args=[assessment.pk])).status_code == 405
        assert client.post(reverse(name, args=[assessment.pk])).status_code == 403
        client.force_login(outsider)
        assert client.post(reverse(name, args=[assessment.pk])).status_code == 404


def test_import_of_a_submitted_assessment_is_refused_on_the_page(client, submitted, officer):
    client.force_login(officer)
    response = client.get(reverse("answers_import", args=[submitted.pk]), follow=True)
    assert "submitted for review" in response.content.decode()


def test_import_needs_the_csrf_token(assessment, officer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    upload = SimpleUploadedFile("a.csv", b"code,level,explanation,evidence_links\n")
    assert (
        client.post(reverse("answers_import", args=[assessment.pk]), {"file": upload}).status_code
        == 403
    )


def test_a_bad_file_is_reported_next_to_the_field(client, assessment, officer):
    client.force_login(officer)
    upload = SimpleUploadedFile("a.yaml", b"a: &x [1]\nanswers: *x\n")
    response = client.post(reverse("answers_import", args=[assessment.pk]), {"file": upload})
    assert "aliases" in response.content.decode() and response.context["plan"] is None


# --- copying ---------------------------------------------------------------------------


def test_copy_takes_chosen_principles_and_shares_files(approved, officer, organization):
    answer = Answer.objects.filter(assessment=approved).order_by("pk").first()
    revision = new_draft(organization, officer)
    services.save_answers(
        assessment=revision,
        inputs=[services.AnswerInput(answer.question_id, 0, 1, False, "Old.")],
        by=officer,
    )
    # A file on the approved answer (its stored name is generated from the content).
    Evidence.objects.create(
        answer=answer, description="Card", file="evidence/aa/" + "a" * 64, file_name="card.txt",
        sha256="a" * 64, size=11, added_by=officer,
    )  # fmt: skip
    numeral = answer.question.principle.numeral
    plan = answer_import.plan_copy(assessment=revision, source=approved, numerals=[numeral])
    assert {row.status for row in plan.rows} <= {"new", "changed"}
    assert all(row.code.startswith(f"{numeral}.") for row in plan.rows)
    answer_import.apply_copy(
        assessment=revision, source=approved, numerals=[numeral], by=officer,
        expected_digest=plan.digest,
    )  # fmt: skip
    copied = Answer.objects.get(assessment=revision, question_id=answer.question_id)
    assert (copied.level, copied.explanation) == (answer.level, answer.explanation)
    shared = copied.evidence.get(file_name="card.txt")
    assert shared.file.name == "evidence/aa/" + "a" * 64 and shared.sha256 == "a" * 64
    other = [
        a for a in Answer.objects.filter(assessment=revision) if a.question_id != answer.question_id
    ]
    assert all(a.question.principle.numeral == numeral for a in other)


def test_copy_only_within_the_organization(assessment, officer):
    other_org = make_org("Elsewhere", "elsewhere")
    stranger = Assessment.objects.create(
        organization=other_org, title="x", scope="y", created_by=officer
    )
    with pytest.raises(services.WorkflowError, match="same organization"):
        answer_import.plan_copy(assessment=assessment, source=stranger, numerals=["I"])


def test_officer_copies_through_the_page(client, approved, officer, organization, outsider):
    target = new_draft(organization, officer)
    client.force_login(officer)
    url = reverse("answers_copy", args=[target.pk])
    assert client.get(url).status_code == 200
    page = client.post(url, {"source": approved.pk, "principles": ["I", "II"]})
    plan = page.context["plan"]
    assert plan.counts["new"] > 0 and "Dry run" in page.content.decode()
    response = client.post(
        reverse("answers_copy_apply", args=[target.pk]),
        {"source": approved.pk, "principles": ["I", "II"], "digest": plan.digest},
        follow=True,
    )
    assert "Copied:" in response.content.decode()
    assert Answer.objects.filter(assessment=target).count() == plan.counts["new"]
    # Another organization's assessment is not offered and cannot be posted.
    client.force_login(outsider)
    assert client.post(url, {"source": approved.pk, "principles": ["I"]}).status_code == 404


# --- commands --------------------------------------------------------------------------


def test_commands_export_and_import_for_pipelines(assessment, officer, organization, tmp_path):
    answer_some(assessment, officer)
    path = tmp_path / "answers.yaml"
    call_command("export_answers", assessment.pk, "--format", "yaml", "--output", str(path))
    target = new_draft(organization, officer)
    out = io.StringIO()
    call_command("import_answers", target.pk, str(path), stdout=out)
    assert "8 new, 0 changed" in out.getvalue() and "Dry run" in out.getvalue()
    assert not Answer.objects.filter(assessment=target).exists()
    with pytest.raises(CommandError, match="--as"):
        call_command("import_answers", target.pk, str(path), "--apply")
    call_command("import_answers", target.pk, str(path), "--apply", "--as", "olivia", stdout=out)
    assert state(target) == state(assessment)


def test_import_command_exits_non_zero_on_rejected_rows(assessment, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("code,level,explanation,evidence_links\nXX.1,2,x,\n")
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 row"):
        call_command("import_answers", assessment.pk, str(path), stdout=out)
    assert "No question has the code" in out.getvalue()


def test_save_answers_shares_files_only_within_the_organization(assessment, officer, outsider):
    other_org = outsider.memberships.get().organization
    foreign = services.create_assessment(
        organization=other_org, title="Theirs", scope="Theirs.", by=outsider
    )
    question = questions_of(foreign)[0]
    services.save_answers(
        assessment=foreign,
        inputs=[
            services.AnswerInput(
                question.id, 0, 3, False, "Theirs.",
                new_evidence=services.NewEvidence(
                    description="Secret", upload=SimpleUploadedFile("secret.txt", b"secret\n")
                ),
            )
        ],
        by=outsider,
    )  # fmt: skip
    secret = Evidence.objects.get(file_name="secret.txt")
    item = services.AnswerInput(
        questions_of(assessment)[0].id, 0, 3, False, "Mine.",
        new_evidence=services.NewEvidence(description="Secret", copy_of=secret),
    )  # fmt: skip
    with pytest.raises(services.WorkflowError, match="within one organization"):
        services.save_answers(assessment=assessment, inputs=[item], by=officer)
    assert not Answer.objects.filter(assessment=assessment).exists()


def test_detail_page_offers_export_to_members_and_import_to_officers(
    client, assessment, officer, auditor
):
    url = reverse("assessment_detail", args=[assessment.pk])
    client.force_login(officer)
    html = client.get(url).content.decode()
    assert reverse("answers_export", args=[assessment.pk, "xlsx"]) in html
    assert reverse("answers_import", args=[assessment.pk]) in html
    assert reverse("answers_copy", args=[assessment.pk]) in html
    client.force_login(auditor)
    html = client.get(url).content.decode()
    assert reverse("answers_export", args=[assessment.pk, "csv"]) in html
    assert reverse("answers_import", args=[assessment.pk]) not in html


def test_the_import_page_takes_files_larger_than_other_requests(client, assessment, officer):
    code = questions_of(assessment)[0].code
    rows = "".join(f'{code},2,"{"x" * 100}",\n' for _ in range(14_000))
    # Over REQUEST_MAX_BYTES (1 MB), under ANSWERS_IMPORT_MAX_BYTES (2 MB).
    content = f"code,level,explanation,evidence_links\n{rows}".encode()
    assert 1_048_576 < len(content) < 2_097_152
    client.force_login(officer)
    upload = SimpleUploadedFile("a.csv", content)
    response = client.post(reverse("answers_import", args=[assessment.pk]), {"file": upload})
    assert response.status_code == 200
    assert "at most 10,000 rows" in response.content.decode()

"""Answering: the questionnaire page, validation, evidence, stale edits, query counts."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments import services
from assessments.models import Answer, Evidence
from principles.models import LifecycleRole, Principle, Question, QuestionWeight
from tests.assessments.helpers import applicable_codes, page_post_data, page_url
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


def test_page_shows_the_official_text_and_only_applicable_questions(officer_client, assessment):
    response = officer_client.get(page_url(assessment, "VII"))
    content = response.content.decode()
    assert Principle.objects.get(numeral="VII").text in content
    codes = applicable_codes(assessment, "VII")
    assert [row.question.code for row in response.context["page"].rows] == codes
    excluded = Question.objects.filter(principle__numeral="VII").count() - len(codes)
    if excluded:
        assert f"{excluded} left out because of those roles" in content


def test_page_says_how_many_questions_roles_leave_out(officer_client, assessment):
    assessment.roles.set(LifecycleRole.objects.filter(code="use"))
    zero = QuestionWeight.objects.filter(
        role__code="use", weight=0, question__principle__numeral="VI"
    )
    response = officer_client.get(page_url(assessment, "VI"))
    assert zero.exists()
    assert f"{zero.count()} left out because of those roles" in response.content.decode()


def test_save_keeps_the_officer_on_the_page(officer_client, assessment):
    data = page_post_data(officer_client, assessment, "I")
    code = applicable_codes(assessment, "I")[0]
    data.update({f"{code}-response": "3", f"{code}-explanation": "Done for all models."})
    response = officer_client.post(page_url(assessment, "I"), data)
    assert response.status_code == 302 and response.url == page_url(assessment, "I")
    answer = Answer.objects.get(assessment=assessment, question__code=code)
    assert (answer.level, answer.explanation, answer.version) == (3, "Done for all models.", 1)


def test_save_and_next_goes_to_the_next_principle(officer_client, assessment):
    data = page_post_data(officer_client, assessment, "I")
    data["save_next"] = "1"
    response = officer_client.post(page_url(assessment, "I"), data)
    assert response.url == page_url(assessment, "II")


def test_not_applicable_needs_a_justification_and_nothing_is_saved(officer_client, assessment):
    data = page_post_data(officer_client, assessment, "I")
    first, second = applicable_codes(assessment, "I")[:2]
    data.update({f"{first}-response": "2", f"{second}-response": "na"})
    response = officer_client.post(page_url(assessment, "I"), data)
    assert response.status_code == 200
    assert "a justification is required" in response.content.decode()
    assert not Answer.objects.filter(assessment=assessment).exists()


def test_level_4_needs_evidence(officer_client, assessment):
    data = page_post_data(officer_client, assessment, "I")
    code = applicable_codes(assessment, "I")[0]
    data[f"{code}-response"] = "4"
    data[f"{code}-explanation"] = "Red-teamed before every release."
    response = officer_client.post(page_url(assessment, "I"), data)
    assert "needs at least one piece of evidence" in response.content.decode()
    assert not Answer.objects.exists()

    data[f"{code}-evidence_description"] = "Red-team report 2026"
    data[f"{code}-evidence_url"] = "https://example.org/red-team-2026"
    response = officer_client.post(page_url(assessment, "I"), data)
    assert response.status_code == 302
    answer = Answer.objects.get(question__code=code, assessment=assessment)
    assert answer.level == 4
    assert answer.evidence.get().url == "https://example.org/red-team-2026"


def pdf_upload(name="policy.pdf", size=None):
    content = b"%PDF-1.4\n" + b"0" * ((size or 200) - 9)
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def post_with_file(client, assessment, upload, response_value="4"):
    data = page_post_data(client, assessment, "I")
    code = applicable_codes(assessment, "I")[0]
    data.update(
        {
            f"{code}-response": response_value,
            f"{code}-explanation": "See the attached policy.",
            f"{code}-evidence_file": upload,
        }
    )
    return code, client.post(page_url(assessment, "I"), data)


def test_uploaded_evidence_stores_size_and_sha256(officer_client, assessment):
    upload = pdf_upload()
    code, response = post_with_file(officer_client, assessment, upload)
    assert response.status_code == 302
    evidence = Evidence.objects.get(answer__question__code=code)
    import hashlib

    content = b"%PDF-1.4\n" + b"0" * 191
    assert evidence.size == 200
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    assert evidence.description == "policy.pdf"
    download = officer_client.get(reverse("evidence_download", args=[assessment.pk, evidence.pk]))
    assert b"".join(download.streaming_content) == content


def test_evidence_is_downloaded_only_by_members(client, assessment, officer, outsider, auditor):
    client.force_login(officer)
    post_with_file(client, assessment, pdf_upload())
    evidence = Evidence.objects.get()
    url = reverse("evidence_download", args=[assessment.pk, evidence.pk])
    client.force_login(auditor)
    assert client.get(url).status_code == 200
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    other = services.create_assessment(
        organization=outsider.memberships.get().organization, title="x", scope="y", by=outsider
    )
    # Another organization's assessment id with this evidence id: still 404.
    assert client.get(reverse("evidence_download", args=[other.pk, evidence.pk])).status_code == 404


def test_oversized_upload_is_refused_with_a_clear_message(officer_client, assessment, settings):
    settings.EVIDENCE_MAX_BYTES = 1000
    code, response = post_with_file(officer_client, assessment, pdf_upload(size=1001))
    assert response.status_code == 200
    assert "evidence files may be at most" in response.content.decode()
    assert not Answer.objects.exists() and not Evidence.objects.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("report.pdf", b"MZ\x90\x00 this is a Windows executable"),
        ("photo.png", b"%PDF-1.4 a PDF named as PNG"),
        ("notes.txt", b"\x00\x01\x02binary"),
        ("sheet.xlsx", b"PK\x03\x04not really a zip"),
        ("script.exe", b"plain text"),
    ],
)
def test_wrong_type_disguised_by_its_name_is_refused(officer_client, assessment, name, content):
    upload = SimpleUploadedFile(name, content)
    code, response = post_with_file(officer_client, assessment, upload, response_value="3")
    assert response.status_code == 200
    text = response.content.decode()
    assert "not a" in text or "not an accepted type" in text
    assert not Evidence.objects.exists()


def test_real_docx_is_accepted(officer_client, assessment):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    upload = SimpleUploadedFile("policy.docx", buffer.getvalue())
    code, response = post_with_file(officer_client, assessment, upload, response_value="3")
    assert response.status_code == 302
    assert Evidence.objects.get().content_type.endswith("wordprocessingml.document")


def test_stale_edit_is_refused_and_shows_who_changed_what(
    client, assessment, officer, organization
):
    colleague = make_user("colin")
    organization.memberships.create(user=colleague, role="officer")
    code = applicable_codes(assessment, "I")[0]

    client.force_login(officer)
    mine = page_post_data(client, assessment, "I")  # opened before the colleague's save
    client.force_login(colleague)
    theirs = page_post_data(client, assessment, "I")
    theirs.update({f"{code}-response": "1", f"{code}-explanation": "Only planned."})
    assert client.post(page_url(assessment, "I"), theirs).status_code == 302

    client.force_login(officer)
    mine.update(
        {
            f"{code}-response": "4",
            f"{code}-explanation": "All done.",
            f"{code}-evidence_url": "https://example.org/e",
            f"{code}-evidence_description": "e",
        }
    )
    response = client.post(page_url(assessment, "I"), mine)

    assert response.status_code == 200
    content = response.content.decode()
    assert "Changed by colin" in content and "1 – Planned" in content and "Only planned." in content
    answer = Answer.objects.get(assessment=assessment, question__code=code)
    assert (answer.level, answer.explanation, answer.version) == (1, "Only planned.", 1)
    assert not Evidence.objects.exists()

    # Having seen their answer, saving again replaces it deliberately.
    row = next(r for r in response.context["page"].rows if r.question.code == code)
    mine[f"{code}-version"] = row.form["version"].value()
    mine.pop(f"{code}-evidence_url"), mine.pop(f"{code}-evidence_description")
    mine[f"{code}-response"] = "3"
    assert client.post(page_url(assessment, "I"), mine).status_code == 302
    answer.refresh_from_db()
    assert (answer.level, answer.version) == (3, 2)


def test_untouched_answers_changed_by_someone_else_are_not_overwritten(client, assessment, officer):
    first, second = applicable_codes(assessment, "I")[:2]
    client.force_login(officer)
    data = page_post_data(client, assessment, "I")
    data.update({f"{first}-response": "2", f"{second}-response": "2"})
    data.update({f"{first}-explanation": "a", f"{second}-explanation": "b"})
    client.post(page_url(assessment, "I"), data)

    stale = page_post_data(client, assessment, "I")
    fresh = page_post_data(client, assessment, "I")
    fresh[f"{first}-response"] = "3"
    client.post(page_url(assessment, "I"), fresh)  # someone moves `first` to 3

    stale[f"{second}-response"] = "1"  # the stale page only touches `second`
    assert client.post(page_url(assessment, "I"), stale).status_code == 302
    levels = dict(
        Answer.objects.filter(assessment=assessment).values_list("question__code", "level")
    )
    assert levels[first] == 3 and levels[second] == 1


def test_auditor_sees_answers_read_only(client, submitted, auditor):
    client.force_login(auditor)
    response = client.get(page_url(submitted, "I"))
    assert response.status_code == 200
    assert not response.context["page"].editable
    assert "Answer to I.1." in response.content.decode()


def test_questionnaire_query_count_does_not_grow_with_the_catalogue(
    officer_client, assessment, officer, big_catalogue, django_assert_max_num_queries
):
    answer_all = services.result_for(assessment)
    inputs = [
        services.AnswerInput(q.question.id, 0, 2, False, "x")
        for p in answer_all.principles for q in p.questions
    ]  # fmt: skip
    services.save_answers(assessment=assessment, inputs=inputs, by=officer)
    assert big_catalogue >= 5 * 60
    # 15, and the live catalogue's OECD sections and the crosswalk chips (a query each)
    with django_assert_max_num_queries(17):
        response = officer_client.get(page_url(assessment, "I"))
    assert len(response.context["page"].rows) > 20


def test_a_colleagues_save_of_an_untouched_question_does_not_block_mine(
    client, assessment, officer, organization
):
    """Issue 11: A and B open principle IV; A answers IV.1, B answers only IV.2."""
    colleague = make_user("ada")
    organization.memberships.create(user=colleague, role="officer")
    first, second = applicable_codes(assessment, "IV")[:2]
    client_a, client_b = client, type(client)()
    client_a.force_login(colleague)
    client_b.force_login(officer)
    page_a = page_post_data(client_a, assessment, "IV")
    page_b = page_post_data(client_b, assessment, "IV")

    page_a.update({f"{first}-response": "2", f"{first}-explanation": "Ada's answer."})
    assert client_a.post(page_url(assessment, "IV"), page_a).status_code == 302
    page_b.update({f"{second}-response": "3", f"{second}-explanation": "Bob's answer."})
    response = client_b.post(page_url(assessment, "IV"), page_b)

    assert response.status_code == 302, response.content.decode()
    answers = {
        a.question.code: (a.level, a.explanation)
        for a in Answer.objects.filter(assessment=assessment).select_related("question")
    }
    assert answers == {first: (2, "Ada's answer."), second: (3, "Bob's answer.")}
    # Saving the same stale page again changes nothing and refuses nothing.
    assert client_b.post(page_url(assessment, "IV"), page_b).status_code == 302
    assert Answer.objects.get(question__code=first).explanation == "Ada's answer."


def test_a_question_both_changed_shows_a_conflict_card_and_keeps_my_text(
    client, assessment, officer, organization
):
    colleague = make_user("ada")
    organization.memberships.create(user=colleague, role="officer")
    first = applicable_codes(assessment, "IV")[0]
    client_a, client_b = client, type(client)()
    client_a.force_login(colleague)
    client_b.force_login(officer)
    page_a = page_post_data(client_a, assessment, "IV")
    page_b = page_post_data(client_b, assessment, "IV")
    page_a.update({f"{first}-response": "2", f"{first}-explanation": "Ada's answer."})
    client_a.post(page_url(assessment, "IV"), page_a)

    page_b.update({f"{first}-response": "1", f"{first}-explanation": "Bob's own words."})
    response = client_b.post(page_url(assessment, "IV"), page_b)

    assert response.status_code == 200
    content = response.content.decode()
    assert "Changed by ada" in content and "Ada&#x27;s answer." in content
    assert "Bob&#x27;s own words." in content  # my text is still in the form
    assert "An answer cannot be cleared" not in content
    assert Answer.objects.get(question__code=first).explanation == "Ada's answer."

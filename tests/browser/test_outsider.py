"""Journey 4: a member of another organization types the URLs of an assessment and
its files and gets "Not found" every time; a member opening the same URLs gets them."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from playwright.sync_api import expect

from assessments import services
from assessments.models import Evidence
from tests.browser.helpers import Screenshots, sign_in
from tests.conftest import answer_everything, approve


def _approved_with_evidence(assessment, officer, auditor):
    first = services.result_for(assessment).principles[0].questions[0].question
    upload = SimpleUploadedFile("policy.txt", b"Our red-teaming policy.\n", "text/plain")
    services.save_answers(
        assessment=assessment,
        inputs=[
            services.AnswerInput(
                question_id=first.id,
                seen_version=0,
                level=4,
                not_applicable=False,
                explanation="See the policy.",
                new_evidence=services.NewEvidence(description="Policy", upload=upload),
            )
        ],
        by=officer,
    )
    answer_everything(assessment, officer)
    services.submit_assessment(assessment=assessment, by=officer)
    approve(assessment, auditor)
    return Evidence.objects.get(answer__assessment=assessment)


def test_outsider_gets_not_found_for_every_url_of_the_assessment(
    new_page, assessment, officer, auditor, outsider
):
    shots = Screenshots("4-outsider-not-found")
    evidence = _approved_with_evidence(assessment, officer, auditor)
    pk = assessment.pk
    urls = {
        "overview": reverse("assessment_detail", args=[pk]),
        "questionnaire": reverse("questionnaire", args=[pk, "I"]),
        "history": reverse("assessment_history", args=[pk]),
        "report-preview": reverse("report_preview", args=[pk]),
        "report-pdf": reverse("report_pdf", args=[pk]),
        "report-json": reverse("report_json", args=[pk]),
        "report-csv": reverse("report_csv", args=[pk]),
        "evidence": reverse("evidence_download", args=[pk, evidence.pk]),
    }

    # The URLs are right: a member of the organization gets every one of them.
    member = new_page()
    sign_in(member, officer)
    for name, url in urls.items():
        assert member.request.get(url).status == 200, name

    stranger = new_page()
    sign_in(stranger, outsider)
    expect(stranger.get_by_text("No assessments yet.")).to_be_visible()
    shots(stranger, "outsider-dashboard")
    for name, url in urls.items():
        response = stranger.goto(url)
        assert response.status == 404, name
        expect(stranger.get_by_role("heading", level=1)).to_have_text("Not found")
        expect(stranger.get_by_text(assessment.title)).to_have_count(0)
        shots(stranger, name)

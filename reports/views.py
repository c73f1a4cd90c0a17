from asn1crypto import pem
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessments.models import Membership
from assessments.views import get_assessment_for_user, require_role

from . import pdf as pdf_renderer
from . import services, signing, throttle, verification
from .exports import canonical_json, render_csv
from .forms import VerifyForm
from .models import IssuedReport, ReportRender
from .progress import progress_message


@require_GET
@login_required
def report_preview(request, pk):
    assessment = get_assessment_for_user(request.user, pk)
    doc = services.report_document(assessment=assessment)
    context = {**pdf_renderer.report_context(doc), "assessment": assessment}
    return render(request, "reports/preview.html", context)


@require_GET
@login_required
def report_pdf(request, pk):
    assessment = get_assessment_for_user(request.user, pk)
    if assessment.is_locked:
        issued = _issued_or_none(assessment)
        if issued is None:
            return _not_issued_yet(request, assessment)
        return _download(bytes(issued.pdf), "application/pdf", issued.pdf_filename)
    job = services.request_draft_pdf(assessment=assessment, by=request.user)
    if job.status == ReportRender.Status.DONE:
        filename = f"{assessment.report_id}-DRAFT.pdf"
        return _download(bytes(job.pdf), "application/pdf", filename)
    return redirect("report_render", pk=pk, render_id=job.pk)


@require_GET
@login_required
def report_json(request, pk):
    assessment = get_assessment_for_user(request.user, pk)
    if assessment.is_locked:
        issued = _issued_or_none(assessment)
        if issued is None:
            return _not_issued_yet(request, assessment)
        return _download(issued.document_bytes, "application/json", f"{issued.report_id}.json")
    doc = services.report_document(assessment=assessment)
    return _download(canonical_json(doc), "application/json", f"{doc['report_id']}-DRAFT.json")


@require_GET
@login_required
def report_render(request, pk, render_id):
    """A draft PDF's render: its progress, then the download (or why it failed)."""
    assessment = get_assessment_for_user(request.user, pk)
    job = _draft_render(assessment, render_id)
    ahead = services.queue_position(job) if job.status == "queued" else 0
    message = progress_message(job, ahead=ahead)
    context = {"assessment": assessment, "render": job, "message": message}
    return render(request, "reports/render.html", context)


@require_GET
@login_required
def report_render_status(request, pk, render_id):
    """What the progress script polls: the render's status and a sentence about it."""
    assessment = get_assessment_for_user(request.user, pk)
    job = get_object_or_404(
        ReportRender.objects.defer("pdf", "document_json"), pk=render_id, assessment=assessment
    )
    ahead = services.queue_position(job) if job.status == "queued" else 0
    return JsonResponse(
        {
            "status": job.status,
            "finished": not job.in_progress,
            "step": job.step,
            "message": progress_message(job, ahead=ahead),
        }
    )


@require_POST
@login_required
def report_render_retry(request, pk, render_id):
    assessment = get_assessment_for_user(request.user, pk)
    job = _draft_render(assessment, render_id)
    services.retry_draft_render(render=job, by=request.user)
    return redirect("report_render", pk=pk, render_id=job.pk)


@require_POST
@login_required
def report_issue_retry(request, pk):
    """The auditor's Retry after the issuing of an approved assessment's report failed."""
    assessment = get_assessment_for_user(request.user, pk)
    require_role(assessment, Membership.Role.AUDITOR)
    if not assessment.is_locked:
        messages.error(request, _("Only an approved assessment has a report to issue."))
    elif _issued_or_none(assessment) is None:
        issuing = services.issuing_of(assessment)
        if issuing is None or issuing.can_retry:
            services.queue_issuing(assessment=assessment, by=request.user)
            messages.info(request, _("Issuing the report again."))
    return redirect("assessment_detail", pk=pk)


@require_GET
@login_required
def report_csv(request, pk):
    assessment = get_assessment_for_user(request.user, pk)
    doc = services.report_document(assessment=assessment)
    suffix = "-DRAFT" if doc["draft"] else ""
    return _download(render_csv(doc), "text/csv", f"{doc['report_id']}{suffix}.csv")


@require_http_methods(["GET", "POST"])
def report_verify(request):
    """Public: check a file or a fingerprint (``?fingerprint=`` from the report's QR code)."""
    asked = request.GET.get("fingerprint")
    if request.method == "GET" and asked is None:
        return render(request, "reports/verify.html", {"form": VerifyForm()})
    if not throttle.allow(request):
        return _too_many(request)
    if request.method == "GET":
        form = VerifyForm(initial={"fingerprint": asked})
        return _verify_page(request, form, by_fingerprint=verification.verify_fingerprint(asked))
    form = VerifyForm(request.POST, request.FILES)
    if not form.is_valid():
        return _verify_page(request, form)
    if upload := form.cleaned_data["pdf"]:
        return _verify_page(request, form, by_file=verification.verify_file(upload.read()))
    verdict = verification.verify_fingerprint(form.cleaned_data["fingerprint"])
    return _verify_page(request, form, by_fingerprint=verdict)


@require_GET
def report_issued_pdf(request, fingerprint):
    """Public: the issued PDF whose fingerprint is known (a 256-bit value: not guessable)."""
    if not throttle.allow(request):
        return _too_many(request)
    issued = get_object_or_404(
        IssuedReport.objects.only("report_id", "pdf"), fingerprint=fingerprint
    )
    return _download(bytes(issued.pdf), "application/pdf", issued.pdf_filename)


@require_GET
def report_issuer_certificates(request):
    """Public: the certificates our signatures chain to, for ``verify_report --trust``."""
    try:
        roots = signing.trust_roots()
    except signing.SigningNotConfigured as exc:
        raise Http404("No signing certificate is configured.") from exc
    content = b"".join(pem.armor("CERTIFICATE", cert.dump()) for cert in roots)
    return _download(content, "application/x-pem-file", "issuer-ca.pem")


def _verify_page(request, form, **verdicts):
    return render(request, "reports/verify.html", {"form": form, **verdicts})


def _too_many(request):
    minutes = max(1, settings.VERIFY_THROTTLE_SECONDS // 60)
    context = {"form": VerifyForm(), "throttled_minutes": minutes}
    return render(request, "reports/verify.html", context, status=429)


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    charset = "" if content_type == "application/pdf" else "; charset=utf-8"
    response = HttpResponse(content, content_type=content_type + charset)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _issued_or_none(assessment) -> IssuedReport | None:
    return IssuedReport.objects.filter(assessment=assessment).first()


def _not_issued_yet(request, assessment):
    messages.info(request, _("The report is being issued; it can be downloaded once it is ready."))
    return redirect("assessment_detail", pk=assessment.pk)


def _draft_render(assessment, render_id) -> ReportRender:
    return get_object_or_404(
        ReportRender.objects.defer("pdf", "document_json"),
        pk=render_id,
        assessment=assessment,
        kind=ReportRender.Kind.DRAFT,
    )

from asn1crypto import pem
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_http_methods

from assessments.views import get_assessment_for_user

from . import pdf as pdf_renderer
from . import services, signing, throttle, verification
from .exports import canonical_json, render_csv
from .forms import VerifyForm
from .models import IssuedReport


@require_GET
@login_required
def report_preview(request, pk):
    assessment = get_assessment_for_user(request.user, pk)
    doc = services.report_document(assessment=assessment)
    context = {**pdf_renderer.report_context(doc), "assessment": assessment, "for_pdf": False}
    return render(request, "reports/preview.html", context)


@require_GET
@login_required
def report_pdf(request, pk):
    assessment = get_assessment_for_user(request.user, pk)
    if assessment.is_locked:
        issued = services.issue_report(assessment=assessment)
        return _download(bytes(issued.pdf), "application/pdf", f"{issued.report_id}.pdf")
    doc = services.report_document(assessment=assessment)
    return _download(
        pdf_renderer.render_report_pdf(doc), "application/pdf", f"{doc['report_id']}-DRAFT.pdf"
    )


@require_GET
@login_required
def report_json(request, pk):
    assessment = get_assessment_for_user(request.user, pk)
    if assessment.is_locked:
        issued = services.issue_report(assessment=assessment)
        return _download(issued.document_bytes, "application/json", f"{issued.report_id}.json")
    doc = services.report_document(assessment=assessment)
    return _download(canonical_json(doc), "application/json", f"{doc['report_id']}-DRAFT.json")


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

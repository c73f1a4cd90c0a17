from django.urls import path

from . import oscal_views, views

RENDER = "assessments/<int:pk>/renders/<int:render_id>/"

urlpatterns = [
    path("assessments/<int:pk>/report/", views.report_preview, name="report_preview"),
    path("assessments/<int:pk>/report.pdf", views.report_pdf, name="report_pdf"),
    path("assessments/<int:pk>/report.json", views.report_json, name="report_json"),
    path("assessments/<int:pk>/report.csv", views.report_csv, name="report_csv"),
    path("assessments/<int:pk>/report/issue/", views.report_issue_retry, name="report_issue"),
    path(RENDER, views.report_render, name="report_render"),
    path(RENDER + "status.json", views.report_render_status, name="report_render_status"),
    path(RENDER + "retry/", views.report_render_retry, name="report_render_retry"),
    path("verify/", views.report_verify, name="report_verify"),
    path(
        "verify/issuer-ca.pem", views.report_issuer_certificates, name="report_issuer_certificates"
    ),
    path(
        "verify/<slug:fingerprint>/report.pdf",
        views.report_issued_pdf,
        name="report_issued_pdf",
    ),
    path(
        "assessments/<int:pk>/results.oscal.json",
        oscal_views.oscal_results,
        name="oscal_results",
    ),
]

from django.urls import path

from . import oscal_views, views

urlpatterns = [
    path("assessments/<int:pk>/report/", views.report_preview, name="report_preview"),
    path("assessments/<int:pk>/report.pdf", views.report_pdf, name="report_pdf"),
    path("assessments/<int:pk>/report.json", views.report_json, name="report_json"),
    path("assessments/<int:pk>/report.csv", views.report_csv, name="report_csv"),
    path("verify/", views.report_verify, name="report_verify"),
    path(
        "assessments/<int:pk>/results.oscal.json",
        oscal_views.oscal_results,
        name="oscal_results",
    ),
]

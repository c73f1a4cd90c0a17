from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from . import account, comments, revisions, schema, views
from .errors import not_found

A = "api/assessments/<int:pk>/"

urlpatterns = [
    path("account/tokens/", account.token_list, name="api_tokens"),
    path("account/tokens/<int:token_id>/revoke/", account.token_revoke, name="api_token_revoke"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", schema.docs, name="api_docs"),
    path("api/whoami/", views.WhoAmIView.as_view(), name="api_whoami"),
    path("api/catalogue/", views.CatalogueView.as_view(), name="api_catalogue"),
    path(
        "api/catalogue/oscal/catalog.json",
        views.OscalCatalogView.as_view(),
        name="api_oscal_catalog",
    ),
    path(
        "api/catalogue/oscal/profile-<slug:role>.json",
        views.OscalProfileView.as_view(),
        name="api_oscal_profile",
    ),
    path("api/organizations/", views.OrganizationsView.as_view(), name="api_organizations"),
    path("api/assessments/", views.AssessmentsView.as_view(), name="api_assessments"),
    path(A, views.AssessmentView.as_view(), name="api_assessment"),
    path(A + "answers/", views.AnswersView.as_view(), name="api_answers"),
    path(A + "answers.<str:fmt>", views.AnswersExportView.as_view(), name="api_answers_export"),
    path(A + "answers/import/", views.AnswersImportView.as_view(), name="api_answers_import"),
    path(
        A + "answers/<str:code>/evidence/",
        views.EvidenceUploadView.as_view(),
        name="api_evidence_upload",
    ),
    path(
        A + "answers/<str:code>/comments/",
        comments.CommentAddView.as_view(),
        name="api_comment_add",
    ),
    path(A + "evidence/", views.EvidenceView.as_view(), name="api_evidence"),
    path(
        A + "evidence/<int:evidence_id>/file/",
        views.EvidenceFileView.as_view(),
        name="api_evidence_file",
    ),
    path(A + "comments/", comments.CommentsView.as_view(), name="api_comments"),
    path(
        A + "comments/<int:comment_id>/replies/",
        comments.CommentReplyView.as_view(),
        name="api_comment_reply",
    ),
    path(
        A + "comments/<int:comment_id>/resolve/",
        comments.CommentResolveView.as_view(),
        name="api_comment_resolve",
    ),
    path(
        A + "comments/<int:comment_id>/reopen/",
        comments.CommentReopenView.as_view(),
        name="api_comment_reopen",
    ),
    path(A + "revision/", revisions.RevisionView.as_view(), name="api_revision"),
    path(A + "answers/copy/", revisions.CopyAnswersView.as_view(), name="api_answers_copy"),
    path(A + "submit/", views.SubmitView.as_view(), name="api_submit"),
    path(A + "return/", views.ReturnView.as_view(), name="api_return"),
    path(A + "approve/", views.ApproveView.as_view(), name="api_approve"),
    path(
        A + "accept-not-applicable/",
        views.AcceptNotApplicableView.as_view(),
        name="api_accept_not_applicable",
    ),
    path(A + "reviewed/", views.ReviewedView.as_view(), name="api_reviewed"),
    path(A + "history/", views.HistoryView.as_view(), name="api_history"),
    path(A + "report.json", views.ReportJsonView.as_view(), name="api_report_json"),
    path(A + "report.csv", views.ReportCsvView.as_view(), name="api_report_csv"),
    path(A + "report.pdf", views.ReportPdfView.as_view(), name="api_report_pdf"),
    path(A + "results.oscal.json", views.OscalResultsView.as_view(), name="api_oscal_results"),
    # Anything else under /api/: a JSON 404, not the HTML page.
    re_path(r"^api/", not_found),
]

from django.urls import path

from . import answer_views, assignment_views, review_views, views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("methodology/", views.methodology, name="methodology"),
    path("assessments/new/", views.assessment_create, name="assessment_create"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment_detail"),
    path("assessments/<int:pk>/edit/", views.assessment_edit, name="assessment_edit"),
    path(
        "assessments/<int:pk>/principles/<str:numeral>/",
        views.questionnaire,
        name="questionnaire",
    ),
    path(
        "assessments/<int:pk>/answers/<str:code>/comments/",
        views.comment_add,
        name="comment_add",
    ),
    path(
        "assessments/<int:pk>/evidence/<int:evidence_id>/",
        views.evidence_download,
        name="evidence_download",
    ),
    path("assessments/<int:pk>/submit/", views.assessment_submit, name="assessment_submit"),
    path(
        "assessments/<int:pk>/answers/<str:code>/accept-not-applicable/",
        views.not_applicable_accept,
        name="not_applicable_accept",
    ),
    path(
        "assessments/<int:pk>/principles/<str:numeral>/accept-not-applicable/",
        views.not_applicable_accept,
        name="principle_not_applicable_accept",
    ),
    path("assessments/<int:pk>/approve/", views.assessment_approve, name="assessment_approve"),
    path("assessments/<int:pk>/return/", views.assessment_return, name="assessment_return"),
    path("assessments/<int:pk>/revise/", views.assessment_revise, name="assessment_revise"),
    path("assessments/<int:pk>/history/", views.assessment_history, name="assessment_history"),
]

urlpatterns += [
    path(
        "assessments/<int:pk>/answers.<str:fmt>",
        answer_views.answers_export,
        name="answers_export",
    ),
    path(
        "assessments/<int:pk>/answers/import/",
        answer_views.answers_import,
        name="answers_import",
    ),
    path(
        "assessments/<int:pk>/answers/import/apply/",
        answer_views.answers_import_apply,
        name="answers_import_apply",
    ),
    path("assessments/<int:pk>/answers/copy/", answer_views.answers_copy, name="answers_copy"),
    path(
        "assessments/<int:pk>/answers/copy/apply/",
        answer_views.answers_copy_apply,
        name="answers_copy_apply",
    ),
]

urlpatterns += [
    path(
        "assessments/<int:pk>/principles/<str:numeral>/comments/",
        review_views.comments_post,
        name="comments_post",
    ),
    path("assessments/<int:pk>/comments/", review_views.open_comments, name="open_comments"),
    path(
        "assessments/<int:pk>/changes/", review_views.assessment_changes, name="assessment_changes"
    ),
    path("my-work/", assignment_views.my_work, name="my_work"),
    path("assessments/<int:pk>/assignments/", assignment_views.assignments, name="assignments"),
    path(
        "assessments/<int:pk>/assignments/<int:assignment_id>/reassign/",
        assignment_views.assignment_reassign,
        name="assignment_reassign",
    ),
    path(
        "assessments/<int:pk>/assignments/<int:assignment_id>/remove/",
        assignment_views.assignment_remove,
        name="assignment_remove",
    ),
    path(
        "assessments/<int:pk>/due-date/",
        assignment_views.assessment_due_date,
        name="assessment_due_date",
    ),
]

"""What the API reads and writes. Serializers validate shapes and types; the forms
and services of the assessments app decide everything else, as for the pages."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from assessments.models import Answer, Assessment, Evidence
from assessments.services import AFFILIATION_MAX_CHARS, EVIDENCE_URL_MAX_CHARS

# --- errors --------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable, snake_case: branch on this.")
    message = serializers.CharField(help_text="For people, in the request's language.")
    details = serializers.JSONField(allow_null=True, help_text="Per-field errors and the like.")


# --- catalogue -----------------------------------------------------------------


class RoleSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()


class QuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    order = serializers.IntegerField()
    text = serializers.CharField()
    guidance = serializers.CharField(allow_blank=True)
    evidence_expected = serializers.CharField(allow_blank=True)
    weights = serializers.DictField(
        child=serializers.IntegerField(), help_text="Role code → weight 0–3 (0: does not apply)."
    )


class PrincipleSerializer(serializers.Serializer):
    numeral = serializers.CharField()
    order = serializers.IntegerField()
    title = serializers.CharField()
    text = serializers.CharField()
    commentary = serializers.CharField(allow_blank=True)
    source = serializers.CharField()
    oecd_sections = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="The OECD HAIP reporting sections its questions feed.",
    )
    wording_version = serializers.IntegerField()
    wording_note = serializers.CharField(
        allow_blank=True,
        help_text="Where translated wording comes from (e.g. an unofficial translation).",
    )
    questions = QuestionSerializer(many=True)


class CatalogueSerializer(serializers.Serializer):
    language = serializers.CharField(
        help_text="The language of the wording (also Content-Language)."
    )
    principles = PrincipleSerializer(many=True)
    roles = RoleSerializer(many=True)


# --- organizations and assessments ------------------------------------------------


class OrganizationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    role = serializers.CharField(help_text="Your membership role in it.")
    roles = serializers.ListField(child=serializers.CharField(), help_text="Its lifecycle roles.")


class ScoreSerializer(serializers.Serializer):
    score = serializers.FloatField(allow_null=True)
    band = serializers.CharField(allow_null=True)
    band_label = serializers.CharField(allow_null=True)
    applicable = serializers.IntegerField()
    answered = serializers.IntegerField()
    provisional = serializers.BooleanField()


class AssessmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    organization = serializers.IntegerField(source="organization_id")
    organization_name = serializers.CharField(source="organization.name")
    title = serializers.CharField()
    scope = serializers.CharField(allow_blank=True)
    period_start = serializers.DateField(allow_null=True)
    period_end = serializers.DateField(allow_null=True)
    roles = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=Assessment.Status.choices)
    revision = serializers.IntegerField()
    predecessor = serializers.IntegerField(source="predecessor_id", allow_null=True)
    report_id = serializers.CharField()
    member_role = serializers.CharField(help_text="Your membership role in its organization.")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    approved_at = serializers.DateTimeField(allow_null=True)

    def get_roles(self, obj) -> list[str]:
        return [role.code for role in obj.roles.all()]


class AssessmentDetailSerializer(AssessmentSerializer):
    result = ScoreSerializer(help_text="The score as it stands (provisional until answered).")


class AssessmentCreateSerializer(serializers.Serializer):
    organization = serializers.IntegerField(
        required=False, help_text="Defaults to the token's organization."
    )
    title = serializers.CharField(max_length=200)
    scope = serializers.CharField()
    period_start = serializers.DateField(required=False, allow_null=True)
    period_end = serializers.DateField(required=False, allow_null=True)
    roles = serializers.ListField(
        child=serializers.CharField(max_length=20),
        required=False,
        max_length=20,
        help_text="Lifecycle role codes; default: the organization's.",
    )


class AssessmentUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    scope = serializers.CharField(required=False)
    period_start = serializers.DateField(required=False, allow_null=True)
    period_end = serializers.DateField(required=False, allow_null=True)
    roles = serializers.ListField(
        child=serializers.CharField(max_length=20), required=False, min_length=1, max_length=20
    )


# --- answers and evidence ----------------------------------------------------------


class EvidenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    question = serializers.CharField(help_text="The question's code.")
    description = serializers.CharField()
    url = serializers.CharField(allow_blank=True)
    file_name = serializers.CharField(allow_blank=True)
    content_type = serializers.CharField(allow_blank=True)
    size = serializers.IntegerField(allow_null=True)
    sha256 = serializers.CharField(allow_blank=True)
    download = serializers.CharField(allow_null=True, help_text="API address of the file.")
    added_by = serializers.CharField(allow_null=True)
    added_at = serializers.DateTimeField()


class AnswerSerializer(serializers.Serializer):
    code = serializers.CharField()
    principle = serializers.CharField()
    question_id = serializers.IntegerField()
    level = serializers.IntegerField(allow_null=True, min_value=0, max_value=4)
    not_applicable = serializers.BooleanField()
    not_applicable_accepted = serializers.BooleanField()
    explanation = serializers.CharField(allow_blank=True)
    version = serializers.IntegerField(help_text="Send it back when you change the answer.")
    updated_by = serializers.CharField(allow_null=True)
    updated_at = serializers.DateTimeField(allow_null=True)
    reviewed = serializers.BooleanField(
        help_text="An auditor marked it reviewed (a change to the answer clears the mark)."
    )
    reviewed_by = serializers.CharField(allow_null=True)
    reviewed_at = serializers.DateTimeField(allow_null=True)
    evidence = EvidenceSerializer(many=True)


class CurrentAnswerSerializer(serializers.Serializer):
    level = serializers.IntegerField(allow_null=True)
    not_applicable = serializers.BooleanField()
    explanation = serializers.CharField(allow_blank=True)
    version = serializers.IntegerField()
    updated_by = serializers.CharField(allow_null=True)


class LinkSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=EVIDENCE_URL_MAX_CHARS)
    description = serializers.CharField(max_length=300)


class AnswerChangeSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=20)
    version = serializers.IntegerField(
        min_value=0, help_text="The version you read (0 when unanswered)."
    )
    level = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=4)
    not_applicable = serializers.BooleanField(required=False)
    explanation = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    add_link = LinkSerializer(required=False, help_text="One new piece of evidence: a link.")
    remove_evidence = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, max_length=100
    )


class AnswersChangeSerializer(serializers.Serializer):
    answers = AnswerChangeSerializer(many=True, max_length=500, allow_empty=False)


class SavedSerializer(serializers.Serializer):
    changed = serializers.IntegerField()
    answers = AnswerSerializer(many=True)


class EvidenceUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="PDF, PNG, JPEG, plain text, CSV, DOCX or XLSX.")
    description = serializers.CharField(max_length=300, required=False, allow_blank=True)
    version = serializers.IntegerField(min_value=0, help_text="The answer's version you read.")


# --- review ------------------------------------------------------------------------


class CommentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    question = serializers.CharField()
    parent = serializers.IntegerField(
        allow_null=True, help_text="The thread this is a reply to; null: it starts a thread."
    )
    author = serializers.CharField()
    text = serializers.CharField()
    created_at = serializers.DateTimeField()
    blocking = serializers.BooleanField(
        help_text="An open blocking thread keeps the assessment from being submitted."
    )
    resolved = serializers.BooleanField(help_text="Threads only; a reply follows its thread.")
    resolved_at = serializers.DateTimeField(allow_null=True)
    resolved_by = serializers.CharField(allow_null=True)


class CommentCreateSerializer(serializers.Serializer):
    text = serializers.CharField()
    blocking = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Auditors: the assessment cannot be submitted again until it is resolved.",
    )


class ReplySerializer(serializers.Serializer):
    text = serializers.CharField()


class ReviewSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ApproveSerializer(serializers.Serializer):
    """The auditor's opinion, as the approve form takes it: review scope, sampling,
    opinion, affiliation and independence are needed (400 ``opinion_required``
    otherwise, with the form's messages per field)."""

    review_scope = serializers.CharField(required=False, allow_blank=True)
    sampling = serializers.CharField(required=False, allow_blank=True)
    opinion = serializers.CharField(required=False, allow_blank=True)
    affiliation = serializers.CharField(
        required=False, allow_blank=True, max_length=AFFILIATION_MAX_CHARS
    )
    independent = serializers.BooleanField(required=False, allow_null=True)
    include_comments = serializers.BooleanField(required=False, default=True)
    report_language = serializers.ChoiceField(
        choices=[code for code, _ in settings.LANGUAGES],
        required=False,
        help_text="The issued report's language; default: the installation's.",
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    confirm_unreviewed = serializers.BooleanField(
        required=False,
        default=False,
        help_text=(
            "Approve although some answers are not marked reviewed (the page asks to "
            "confirm this too); without it such an approval is 409 `unreviewed_answers`."
        ),
    )


class ReviewedSerializer(serializers.Serializer):
    codes = serializers.ListField(
        child=serializers.CharField(max_length=20), required=False, max_length=500
    )
    principle = serializers.CharField(required=False, max_length=5)
    reviewed = serializers.BooleanField(
        required=False, default=True, help_text="false: remove the reviewed mark."
    )

    def validate(self, data):
        if bool(data.get("codes")) == bool(data.get("principle")):
            raise serializers.ValidationError(_("Give either codes or a principle."))
        return data


class MarkedSerializer(serializers.Serializer):
    changed = serializers.ListField(
        child=serializers.CharField(), help_text="The codes whose mark changed."
    )


class AcceptNotApplicableSerializer(serializers.Serializer):
    codes = serializers.ListField(
        child=serializers.CharField(max_length=20), required=False, max_length=500
    )
    principle = serializers.CharField(required=False, max_length=5)

    def validate(self, data):
        if bool(data.get("codes")) == bool(data.get("principle")):
            raise serializers.ValidationError(_("Give either codes or a principle."))
        return data


class AcceptedSerializer(serializers.Serializer):
    accepted = serializers.ListField(child=serializers.CharField())


class StatusSerializer(serializers.Serializer):
    status = serializers.CharField()
    message = serializers.CharField()


class RenderSerializer(serializers.Serializer):
    render = serializers.IntegerField(allow_null=True)
    status = serializers.CharField()
    message = serializers.CharField()


class EventSerializer(serializers.Serializer):
    action = serializers.CharField()
    by = serializers.CharField()
    at = serializers.DateTimeField()
    comment = serializers.CharField(allow_blank=True)


class ChangeSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    by = serializers.CharField()
    question = serializers.CharField()
    field = serializers.CharField()
    old = serializers.CharField(allow_blank=True)
    new = serializers.CharField(allow_blank=True)


class HistorySerializer(serializers.Serializer):
    events = EventSerializer(many=True)
    changes = ChangeSerializer(many=True)
    comments = CommentSerializer(many=True)


class ImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A .csv, .xlsx or .yaml answers file.")
    apply = serializers.BooleanField(
        required=False, default=False, help_text="false: dry run only; true: import."
    )
    digest = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text="With apply: the dry run's digest; 409 `stale_import` if anything changed.",
    )


class PlannedRowSerializer(serializers.Serializer):
    line = serializers.IntegerField(allow_null=True)
    code = serializers.CharField(allow_blank=True)
    status = serializers.CharField()
    before = serializers.CharField(allow_blank=True)
    after = serializers.CharField(allow_blank=True)
    reasons = serializers.ListField(child=serializers.CharField())


class ImportResultSerializer(serializers.Serializer):
    applied = serializers.BooleanField()
    changed = serializers.IntegerField()
    counts = serializers.DictField(child=serializers.IntegerField())
    digest = serializers.CharField(
        help_text="What the dry run decided; send it back with the apply to be sure."
    )
    notes = serializers.ListField(child=serializers.CharField())
    rows = PlannedRowSerializer(many=True)


class CopyAnswersSerializer(serializers.Serializer):
    source = serializers.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        help_text="The assessment to copy from: another of the same organization.",
    )
    principles = serializers.ListField(
        child=serializers.CharField(max_length=5),
        allow_empty=False,
        max_length=50,
        help_text="The numerals of the principles whose answers are copied.",
    )
    apply = serializers.BooleanField(
        required=False, default=False, help_text="false: dry run only; true: copy."
    )
    digest = serializers.CharField(
        required=False, allow_blank=True, max_length=64, help_text="The dry run's digest."
    )


class WhoAmISerializer(serializers.Serializer):
    username = serializers.CharField()
    token = serializers.CharField(allow_null=True, help_text="The token's name, if one is used.")
    organization = serializers.IntegerField(allow_null=True)
    access = serializers.CharField()
    expires_at = serializers.DateTimeField(allow_null=True)


# --- plain data for responses -------------------------------------------------------


def _person(user) -> str | None:
    return user.get_username() if user is not None else None


def evidence_data(evidence: Evidence, *, code: str, assessment_id: int) -> dict:
    download = None
    if evidence.file:
        download = reverse("api_evidence_file", args=[assessment_id, evidence.pk])
    return {
        "id": evidence.pk,
        "question": code,
        "description": evidence.description,
        "url": evidence.url,
        "file_name": evidence.file_name,
        "content_type": evidence.content_type,
        "size": evidence.size,
        "sha256": evidence.sha256,
        "download": download,
        "added_by": _person(evidence.added_by),
        "added_at": evidence.added_at,
    }


def comment_data(comment) -> dict:
    """A comment with its thread state; load it with ``author``, ``resolved_by`` and
    ``answer__question`` (``api.views._comments``)."""
    return {
        "id": comment.pk,
        "question": comment.answer.question.code,
        "parent": comment.parent_id,
        "author": comment.author.get_username(),
        "text": comment.text,
        "created_at": comment.created_at,
        "blocking": comment.blocking,
        "resolved": comment.resolved_at is not None,
        "resolved_at": comment.resolved_at,
        "resolved_by": _person(comment.resolved_by) if comment.resolved_by_id else None,
    }


def answer_data_of(answer: Answer | None) -> dict | None:
    """The current state of an answer (the body of a 409), or None when unanswered."""
    if answer is None:
        return None
    return {
        "level": answer.level,
        "not_applicable": answer.not_applicable,
        "explanation": answer.explanation,
        "version": answer.version,
        "updated_by": _person(answer.updated_by) if answer.updated_by_id else None,
    }


def answer_row(*, code: str, principle: str, question_id: int, answer, assessment_id: int):
    evidence = list(answer.evidence.all()) if answer else []
    return {
        "code": code,
        "principle": principle,
        "question_id": question_id,
        "level": answer.level if answer else None,
        "not_applicable": answer.not_applicable if answer else False,
        "not_applicable_accepted": bool(answer and answer.na_accepted_at),
        "explanation": answer.explanation if answer else "",
        "version": answer.version if answer else 0,
        "updated_by": _person(answer.updated_by) if answer and answer.updated_by_id else None,
        "updated_at": answer.updated_at if answer else None,
        "reviewed": bool(answer and answer.reviewed_at),
        "reviewed_by": _person(answer.reviewed_by) if answer and answer.reviewed_by_id else None,
        "reviewed_at": answer.reviewed_at if answer else None,
        "evidence": [evidence_data(ev, code=code, assessment_id=assessment_id) for ev in evidence],
    }


MAX_UPLOAD_HELP = settings.EVIDENCE_MAX_BYTES

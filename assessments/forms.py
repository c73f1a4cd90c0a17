from django import forms
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from principles.models import LifecycleRole

from .models import Answer, Assessment, Organization
from .services import OpinionInput
from .uploads import ALLOWED, ALLOWED_LABEL, check_evidence_file

NOT_APPLICABLE = "na"
RESPONSE_CHOICES = [
    *[(str(level.value), f"{level.value} – {level.label}") for level in Answer.Level],
    (NOT_APPLICABLE, "Not applicable"),
]


class RolesField(forms.ModelMultipleChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            queryset=LifecycleRole.objects.order_by("order"),
            widget=forms.CheckboxSelectMultiple,
            label="Lifecycle roles covered by this assessment",
            help_text="Only questions that apply to at least one of these roles are asked.",
            error_messages={"required": "Declare at least one lifecycle role."},
            **kwargs,
        )

    def label_from_instance(self, obj):
        return f"{obj.name}: {obj.description}"


def check_length(value: str, *, limit: int) -> str:
    """The same rule and words as the services' limits, for a message by the field."""
    if len(value) > limit:
        raise forms.ValidationError(
            f"This may be at most {limit:,} characters; it has {len(value):,}.", code="max_length"
        )
    return value


class DateField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AssessmentForm(forms.Form):
    title = forms.CharField(max_length=200)
    scope = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Which AI systems and which parts of the organization are covered.",
    )
    period_start = DateField(
        label="Period from", help_text="First day of the period the assessment covers."
    )
    period_end = DateField(label="Period to", help_text="Last day of that period.")
    roles = RolesField()

    def clean_scope(self):
        return check_length(self.cleaned_data["scope"], limit=settings.SCOPE_MAX_CHARS)

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "The period cannot end before it starts.")
        return data


class NewAssessmentForm(AssessmentForm):
    organization = forms.ModelChoiceField(queryset=Organization.objects.none())
    field_order = ["organization", "title", "scope", "period_start", "period_end", "roles"]

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.fields["roles"].required = False
        self.fields[
            "roles"
        ].help_text = "Leave empty to start from the roles in the organization's profile."


class AnswerForm(forms.Form):
    """One question on a questionnaire page (prefixed with the question code)."""

    response = forms.ChoiceField(
        choices=RESPONSE_CHOICES,
        widget=forms.RadioSelect,
        required=False,
        label="Implementation level",
    )
    explanation = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="What is in place, and where an auditor can see it. "
        "“Not applicable” needs a justification here.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    evidence_description = forms.CharField(
        max_length=300, required=False, label="New evidence: description"
    )
    evidence_url = forms.URLField(
        max_length=500, required=False, label="Link (URL)", assume_scheme="https"
    )
    evidence_file = forms.FileField(
        required=False,
        label="New evidence: file (instead of a link)",
        help_text=f"{ALLOWED_LABEL}; the size limit is shown on the page.",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(f".{ext}" for ext in ALLOWED)}),
    )
    remove_evidence = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple, label="Remove evidence"
    )

    def __init__(self, *args, evidence=(), had_answer=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.existing_evidence = list(evidence)
        self.had_answer = had_answer
        self.checked_file = None
        self.fields["remove_evidence"].choices = [
            (str(ev.pk), ev.description) for ev in self.existing_evidence
        ]

    def new_evidence_fields(self):
        return [self["evidence_description"], self["evidence_url"], self["evidence_file"]]

    def clean_explanation(self):
        return check_length(self.cleaned_data["explanation"], limit=settings.EXPLANATION_MAX_CHARS)

    def clean_evidence_file(self):
        upload = self.cleaned_data.get("evidence_file")
        if upload:
            self.checked_file = check_evidence_file(upload)
        return upload

    def clean(self):
        data = super().clean()
        response = data.get("response")
        explanation = (data.get("explanation") or "").strip()
        data["explanation"] = explanation
        if response == NOT_APPLICABLE and not explanation:
            self.add_error(
                "explanation", "Say why this question does not apply: a justification is required."
            )
        if not response and self.had_answer:
            self.add_error(
                "response", "An answer cannot be cleared: choose a level or Not applicable."
            )
        new_evidence = bool(data.get("evidence_url") or data.get("evidence_file"))
        if data.get("evidence_url") and data.get("evidence_file"):
            self.add_error("evidence_url", "Give either a link or a file per piece of evidence.")
        if data.get("evidence_url") and not data.get("evidence_description"):
            self.add_error("evidence_description", "Describe what the link shows.")
        if data.get("evidence_description") and not new_evidence:
            self.add_error("evidence_url", "Add a link or a file for this evidence.")
        kept = len(self.existing_evidence) - len(data.get("remove_evidence") or [])
        limit = settings.EVIDENCE_MAX_ITEMS_PER_ANSWER
        if new_evidence and kept + 1 > limit:
            self.add_error(
                "evidence_file" if data.get("evidence_file") else "evidence_url",
                f"An answer can have at most {limit} pieces of evidence; remove one first.",
            )
        if response == str(Answer.Level.FULLY) and kept + int(new_evidence) < 1:
            self.add_error(
                "response",
                "Level 4 – Fully implemented needs at least one piece of evidence: "
                "add a link or a file below.",
            )
        if response and response != NOT_APPLICABLE:
            data["level"] = int(response)
        else:
            data["level"] = None
        data["not_applicable"] = response == NOT_APPLICABLE
        return data


class CommentForm(forms.Form):
    text = forms.CharField(label="Auditor's comment", widget=forms.Textarea(attrs={"rows": 2}))

    def clean_text(self):
        return check_length(self.cleaned_data["text"], limit=settings.COMMENT_MAX_CHARS)


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label="Comment",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when returning the assessment.",
    )

    def clean_comment(self):
        return check_length(self.cleaned_data["comment"].strip(), limit=settings.COMMENT_MAX_CHARS)


YES_NO = [("yes", "Yes"), ("no", "No")]


class ApproveForm(forms.Form):
    """The auditor's opinion, required to approve (see ``services.OpinionInput``)."""

    review_scope = forms.CharField(
        label="Scope of your review",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What you reviewed: principles, systems, period, documents.",
    )
    sampling = forms.CharField(
        label="Sampling performed",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Which answers and evidence you checked, and how you chose them.",
    )
    opinion = forms.CharField(
        label="Your opinion",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Your conclusion, printed as the report's attestation.",
    )
    affiliation = forms.CharField(
        label="Your affiliation", max_length=200, help_text="Your firm or department."
    )
    independent = forms.TypedChoiceField(
        label="Are you independent of the assessed organization?",
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    include_comments = forms.BooleanField(
        label="Include the auditors' working comments as an appendix of the report",
        required=False,
        initial=True,
    )
    report_language = forms.ChoiceField(
        label=_("Language of the report"),
        choices=settings.LANGUAGES,
        required=False,  # a client that sends none gets the default language
        help_text=_(
            "The report is issued in this language: headings, labels and the catalogue's "
            "wording. Answers, explanations and your opinion stay as written."
        ),
    )
    comment = forms.CharField(
        label="Comment for the review trail",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        # Shown on the same page as the return form: ids must not collide.
        kwargs.setdefault("auto_id", "id_approve_%s")
        super().__init__(*args, **kwargs)
        languages = dict(settings.LANGUAGES)
        active = (get_language() or "en").split("-")[0]
        self.fields["report_language"].initial = active if active in languages else "en"

    def clean(self):
        data = super().clean()
        limits = {
            "review_scope": settings.COMMENT_MAX_CHARS,
            "sampling": settings.COMMENT_MAX_CHARS,
            "opinion": settings.EXPLANATION_MAX_CHARS,
            "comment": settings.COMMENT_MAX_CHARS,
        }
        for name, limit in limits.items():
            if len(data.get(name) or "") > limit:
                self.add_error(name, f"This may be at most {limit:,} characters.")
        return data

    def clean_report_language(self):
        return self.cleaned_data.get("report_language") or settings.LANGUAGE_CODE

    def opinion_input(self):
        data = self.cleaned_data
        return OpinionInput(
            affiliation=data["affiliation"],
            independent=data["independent"],
            review_scope=data["review_scope"],
            sampling=data["sampling"],
            opinion=data["opinion"],
            report_language=data["report_language"],
            include_comments=data["include_comments"],
        )


class ImportAnswersForm(forms.Form):
    file = forms.FileField(
        label="Answers file",
        help_text="A .csv, .xlsx or .yaml file laid out as the answer exports are.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.yaml,.yml"}),
    )


class CopyAnswersForm(forms.Form):
    source = forms.ModelChoiceField(
        queryset=Assessment.objects.none(), label="Copy answers from", empty_label=None
    )
    principles = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple,
        label="Principles",
        error_messages={"required": "Choose at least one principle."},
    )

    def __init__(self, *args, sources, principle_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = sources
        self.fields["source"].label_from_instance = lambda a: (
            f"{a.title} (revision {a.revision}, {a.get_status_display().lower()})"
        )
        self.fields["principles"].choices = principle_choices

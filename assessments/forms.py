import copy

from django import forms
from django.conf import settings
from django.utils.functional import lazy
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import format_lazy
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from principles.models import LifecycleRole

from .models import Answer, Assessment, Organization
from .services import OpinionInput
from .uploads import ALLOWED, ALLOWED_LABEL, check_evidence_file

NOT_APPLICABLE = "na"


def _level_label(level):
    return f"{level.value} – {level.label}"


level_choice_label = lazy(_level_label, str)
RESPONSE_CHOICES = [
    *[(str(level.value), level_choice_label(level)) for level in Answer.Level],
    (NOT_APPLICABLE, _("Not applicable")),
]


class RolesField(forms.ModelMultipleChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            queryset=LifecycleRole.objects.order_by("order"),
            widget=forms.CheckboxSelectMultiple,
            label=_("Lifecycle roles covered by this assessment"),
            help_text=_("Only questions that apply to at least one of these roles are asked."),
            error_messages={"required": _("Declare at least one lifecycle role.")},
            **kwargs,
        )

    def label_from_instance(self, obj):
        return f"{obj.name}: {obj.description}"


def check_length(value: str, *, limit: int) -> str:
    """The same rule and words as the services' limits, for a message by the field."""
    if len(value) > limit:
        raise forms.ValidationError(
            gettext("This may be at most %(limit)s characters; it has %(length)s.")
            % {"limit": f"{limit:,}", "length": f"{len(value):,}"},
            code="max_length",
        )
    return value


class DateField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AssessmentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    scope = forms.CharField(
        label=_("Scope"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Which AI systems and which parts of the organization are covered."),
    )
    period_start = DateField(
        label=_("Period from"), help_text=_("First day of the period the assessment covers.")
    )
    period_end = DateField(label=_("Period to"), help_text=_("Last day of that period."))
    roles = RolesField()

    def clean_scope(self):
        return check_length(self.cleaned_data["scope"], limit=settings.SCOPE_MAX_CHARS)

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period cannot end before it starts."))
        return data


class NewAssessmentForm(AssessmentForm):
    organization = forms.ModelChoiceField(
        label=_("Organization"), queryset=Organization.objects.none()
    )
    field_order = ["organization", "title", "scope", "period_start", "period_end", "roles"]

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.fields["roles"].required = False
        self.fields["roles"].help_text = _(
            "Leave empty to start from the roles in the organization's profile."
        )


class IdsField(forms.Field):
    """Row ids posted as a list; anything that is not an id is ignored (the rows are
    looked up among the user's own anyway)."""

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        ids = []
        for item in value or []:
            try:
                ids.append(int(item))
            except (TypeError, ValueError):
                continue
        return ids


class AnswerForm(forms.Form):
    """One question on a questionnaire page (prefixed with the question code)."""

    response = forms.ChoiceField(
        choices=RESPONSE_CHOICES,
        widget=forms.RadioSelect,
        required=False,
        label=_("Implementation level"),
    )
    explanation = forms.CharField(
        label=_("Explanation"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_(
            "Required for every answer: what is in place, and where an auditor can see it; "
            "for “Not applicable”, why the question does not apply."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    evidence_description = forms.CharField(
        max_length=300, required=False, label=_("New evidence: description")
    )
    evidence_url = forms.URLField(
        max_length=500, required=False, label=_("Link (URL)"), assume_scheme="https"
    )
    evidence_file = forms.FileField(
        required=False,
        label=_("New evidence: file (instead of a link)"),
        help_text=format_lazy(
            _("{types}; the size limit is shown on the page."), types=ALLOWED_LABEL
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(f".{ext}" for ext in ALLOWED)}),
    )
    remove_evidence = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple, label=_("Remove evidence")
    )
    # Files kept from a failed save (PendingUpload): attached by the next save unless removed.
    pending_upload = IdsField(widget=forms.MultipleHiddenInput)
    pending_remove = IdsField(widget=forms.CheckboxSelectMultiple, label=_("Do not attach"))

    def __init__(self, *args, evidence=(), had_answer=False, pending=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.existing_evidence = list(evidence)
        self.had_answer = had_answer
        self.checked_file = None
        self.pending = list(pending)
        if self.existing_evidence:  # the only field this form changes: its own copy
            self.fields["remove_evidence"] = copy.deepcopy(self.fields["remove_evidence"])
            self.fields["remove_evidence"].choices = [
                (str(ev.pk), ev.description) for ev in self.existing_evidence
            ]

    def pending_shown(self):
        """The kept files this page offers to attach (posted back as hidden ids)."""
        if not self.is_bound:
            return self.pending
        wanted = {str(v) for v in self["pending_upload"].value() or []}
        removed = {str(v) for v in self["pending_remove"].value() or []}
        return [p for p in self.pending if str(p.pk) in wanted and str(p.pk) not in removed]

    def view(self) -> "AnswerFormView":
        """What the questionnaire's template shows of this form, computed once."""
        return AnswerFormView(self)

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
                "explanation",
                _("Say why this question does not apply: a justification is required."),
            )
        elif response and not explanation:
            self.add_error(
                "explanation",
                _("Explain this answer: an explanation is required for every level."),
            )
        if not response and self.had_answer:
            self.add_error(
                "response", _("An answer cannot be cleared: choose a level or Not applicable.")
            )
        removed_pending = set(data.get("pending_remove") or [])
        data["pending"] = [
            p
            for p in self.pending
            if p.pk in set(data.get("pending_upload") or []) and p.pk not in removed_pending
        ]
        new_evidence = bool(data.get("evidence_url") or data.get("evidence_file"))
        if data.get("evidence_url") and data.get("evidence_file"):
            self.add_error("evidence_url", _("Give either a link or a file per piece of evidence."))
        if data.get("evidence_url") and not data.get("evidence_description"):
            self.add_error("evidence_description", _("Describe what the link shows."))
        if data.get("evidence_description") and not new_evidence:
            self.add_error("evidence_url", _("Add a link or a file for this evidence."))
        kept = len(self.existing_evidence) - len(data.get("remove_evidence") or [])
        limit = settings.EVIDENCE_MAX_ITEMS_PER_ANSWER
        kept += len(data["pending"])
        if new_evidence and kept + 1 > limit:
            self.add_error(
                "evidence_file" if data.get("evidence_file") else "evidence_url",
                gettext(
                    "An answer can have at most %(limit)s pieces of evidence; remove one first."
                )
                % {"limit": limit},
            )
        if response == str(Answer.Level.FULLY) and kept + int(new_evidence) < 1:
            self.add_error(
                "response",
                _(
                    "Level 4 – Fully implemented needs at least one piece of evidence: "
                    "add a link or a file below."
                ),
            )
        if not new_evidence and data["pending"] and kept > limit:
            self.add_error(
                "pending_remove",
                _("An answer can have at most %(limit)s pieces of evidence; remove one first.")
                % {"limit": limit},
            )
        if response and response != NOT_APPLICABLE:
            data["level"] = int(response)
        else:
            data["level"] = None
        data["not_applicable"] = response == NOT_APPLICABLE
        return data


class _SharedFields(dict):
    """Fields that forms share instead of deep-copying them for each instance.

    A questionnaire page holds one AnswerForm per question, and copying nine fields
    for each was a good part of the page's time. Safe because nothing changes a
    field after the class is made, except ``remove_evidence``, copied when changed.
    """

    def __deepcopy__(self, memo):
        return dict(self)


AnswerForm.base_fields = _SharedFields(AnswerForm.base_fields)


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Auditor's comment"), widget=forms.Textarea(attrs={"rows": 2}))
    blocking = forms.BooleanField(
        label=_("Blocking: the assessment cannot be submitted again until this is resolved"),
        required=False,
    )

    def clean_text(self):
        return check_length(self.cleaned_data["text"], limit=settings.COMMENT_MAX_CHARS)


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when returning the assessment."),
    )

    def clean_comment(self):
        return check_length(self.cleaned_data["comment"].strip(), limit=settings.COMMENT_MAX_CHARS)


YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class ApproveForm(forms.Form):
    """The auditor's opinion, required to approve (see ``services.OpinionInput``)."""

    review_scope = forms.CharField(
        label=_("Scope of your review"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you reviewed: principles, systems, period, documents."),
    )
    sampling = forms.CharField(
        label=_("Sampling performed"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Which answers and evidence you checked, and how you chose them."),
    )
    opinion = forms.CharField(
        label=_("Your opinion"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Your conclusion, printed as the report's attestation."),
    )
    affiliation = forms.CharField(
        label=_("Your affiliation"), max_length=200, help_text=_("Your firm or department.")
    )
    independent = forms.TypedChoiceField(
        label=_("Are you independent of the assessed organization?"),
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    include_comments = forms.BooleanField(
        label=_("Include the auditors' working comments as an appendix of the report"),
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
        label=_("Comment for the review trail"),
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
                self.add_error(
                    name,
                    gettext("This may be at most %(limit)s characters.") % {"limit": f"{limit:,}"},
                )
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
        label=_("Answers file"),
        help_text=_("A .csv, .xlsx or .yaml file laid out as the answer exports are."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.yaml,.yml"}),
    )


class CopyAnswersForm(forms.Form):
    source = forms.ModelChoiceField(
        queryset=Assessment.objects.none(), label=_("Copy answers from"), empty_label=None
    )
    principles = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple,
        label=_("Principles"),
        error_messages={"required": _("Choose at least one principle.")},
    )

    def __init__(self, *args, sources, principle_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = sources
        self.fields["source"].label_from_instance = lambda a: (
            gettext("%(title)s (revision %(revision)s, %(status)s)")
            % {"title": a.title, "revision": a.revision, "status": a.get_status_display().lower()}
        )
        self.fields["principles"].choices = principle_choices


CHECKED = mark_safe(" checked")  # noqa: S308 (a constant)


def _response_labels() -> list[tuple[str, str]]:
    """RESPONSE_CHOICES with their labels in the active language, once per language."""
    language = get_language()
    labels = _RESPONSE_LABELS.get(language)
    if labels is None:
        labels = _RESPONSE_LABELS[language] = [(v, str(label)) for v, label in RESPONSE_CHOICES]
    return labels


_RESPONSE_LABELS: dict[str, list[tuple[str, str]]] = {}


class FieldView:
    """A form field as plain values: name, id, value, label, help text, errors."""

    __slots__ = ("name", "id", "value", "label", "help", "errors", "kind")

    def __init__(self, bound, kind=""):
        self.name = bound.html_name
        self.id = bound.auto_id
        value = bound.value()
        self.value = "" if value is None else value
        self.label = bound.label
        self.help = bound.help_text
        self.errors = list(bound.errors)
        self.kind = kind


class AnswerFormView:
    """An ``AnswerForm`` as the plain values its template needs.

    A questionnaire page holds one form per question; reading each value through
    Django's bound fields in the template (several property lookups per value, per
    radio option) was about half of the page's work. The markup stays in
    ``_answer_form.html``.
    """

    def __init__(self, form: AnswerForm):
        self.version = FieldView(form["version"])
        self.non_field_errors = list(form.non_field_errors())
        response = FieldView(form["response"])
        current = str(response.value)
        self.response = response
        # The six radio buttons as one piece of markup (in a template they were a
        # third of the form's work): every value is escaped by format_html.
        invalid = " is-invalid" if response.errors else ""
        self.radios = format_html_join(
            "\n",
            '<div class="form-check form-check-inline"><input type="radio" '
            'class="form-check-input{}" name="{}" id="{}_{}" value="{}"{}> '
            '<label class="form-check-label" for="{}_{}">{}</label></div>',
            (
                (invalid, response.name, response.id, index, value,
                 CHECKED if value == current else "", response.id, index, label)
                for index, (value, label) in enumerate(_response_labels())
            ),
        )  # fmt: skip
        self.explanation = FieldView(form["explanation"])
        self.existing_evidence = form.existing_evidence
        if form.existing_evidence:
            remove = form["remove_evidence"]
            removed = {str(v) for v in remove.value() or []}
            self.remove_name = remove.html_name
            self.evidence_rows = [
                (ev, str(ev.pk) in removed, f"{remove.auto_id}_{ev.pk}")
                for ev in form.existing_evidence
            ]
        self.pending_shown = form.pending_shown() if form.pending else []
        if self.pending_shown:
            self.pending_upload_name = form["pending_upload"].html_name
            self.pending_remove = FieldView(form["pending_remove"])
        self.new_evidence = [
            FieldView(form["evidence_description"], "text"),
            FieldView(form["evidence_url"], "url"),
            FieldView(form["evidence_file"], "file"),
        ]

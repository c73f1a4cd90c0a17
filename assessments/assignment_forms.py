"""Forms of the assignments page: what to assign, to whom, by when."""

from django import forms
from django.utils.translation import gettext_lazy as _

from principles.catalogue import Catalogue

from .forms import DateField

PRINCIPLE, QUESTION = "p", "q"


def target_choices(catalogue: Catalogue) -> list:
    """Each principle, then its questions, grouped by principle (``p:IV``, ``q:IV.2``)."""
    groups = []
    for principle in catalogue.principles:
        options = [
            (
                f"{PRINCIPLE}:{principle.numeral}",
                _("Whole principle %(numeral)s. %(title)s")
                % {"numeral": principle.numeral, "title": principle.title},
            )
        ]
        options += [
            (f"{QUESTION}:{q.code}", f"{q.code} {q.text[:80]}") for q in principle.questions
        ]
        groups.append((f"{principle.numeral}. {principle.title}", options))
    return groups


class AssigneeField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        full = obj.get_full_name()
        return f"{full} ({obj.get_username()})" if full else obj.get_username()


class AssignForm(forms.Form):
    target = forms.ChoiceField(label=_("Principle or question"))
    assignee = AssigneeField(queryset=None, label=_("Assign to"))
    due_date = DateField(
        label=_("Due date"),
        required=False,
        help_text=_("Optional; without one, the assessment's due date applies."),
    )

    def __init__(self, *args, catalogue: Catalogue, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = target_choices(catalogue)
        self.fields["assignee"].queryset = members

    def target_kwargs(self) -> dict:
        kind, _sep, code = self.cleaned_data["target"].partition(":")
        return {"numeral": code} if kind == PRINCIPLE else {"question_code": code}


class ReassignForm(forms.Form):
    """One row of the list; rendered field by field in a compact line, hence the classes."""

    assignee = AssigneeField(
        queryset=None,
        label=_("Assigned to"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    due_date = DateField(
        label=_("Due date"),
        required=False,
        widget=forms.DateInput(
            attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d"
        ),
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = members


class DueDateForm(forms.Form):
    due_date = DateField(
        label=_("Due date of the assessment"),
        required=False,
        help_text=_("Leave empty for none. Reminders go out three days before and when late."),
    )

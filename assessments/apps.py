from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"

    def ready(self):
        from . import assignments, questionnaire, stamps

        stamps.connect()

        # The questionnaire's filter bar: "Assigned to me" next to the built-in filters.
        questionnaire.register_filter(
            "mine",
            _("Assigned to me"),
            assignments.row_is_assigned_to,
            prepare=lambda page, user: user.pk,
        )

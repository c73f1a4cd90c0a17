from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"

    def ready(self):
        from . import assignments, questionnaire

        # The questionnaire's filter bar (the editing work's registry), when present.
        register = getattr(questionnaire, "register_filter", None)
        if register is not None:
            register(
                "mine",
                _("Assigned to me"),
                assignments.row_is_assigned_to,
                prepare=lambda page, user: user.pk,
            )

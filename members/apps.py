from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    """People and access: owners, invitations, the members page (above assessments)."""

    name = "members"
    verbose_name = _("Members and invitations")

    def ready(self):
        from . import checks  # noqa: F401  (registers the e-mail system check)

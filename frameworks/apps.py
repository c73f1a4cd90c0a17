from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FrameworksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "frameworks"
    verbose_name = _("Other frameworks: OECD HAIP report draft and crosswalk coverage")

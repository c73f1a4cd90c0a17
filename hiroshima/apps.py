from django.apps import AppConfig


class HiroshimaConfig(AppConfig):
    """The project package as an app: only for its management commands (runserver)."""

    name = "hiroshima"
    verbose_name = "Hiroshima AI Process self-assessment"

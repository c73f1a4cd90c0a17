from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"

    def ready(self):
        from . import signals  # noqa: F401 (connects the approval handler)

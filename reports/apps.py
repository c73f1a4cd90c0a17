from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"

    def ready(self):
        from . import (
            checks,  # noqa: F401  (registers the system checks)
            signals,  # noqa: F401 (connects the approval handler)
        )

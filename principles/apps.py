from django.apps import AppConfig


class PrinciplesConfig(AppConfig):
    name = "principles"
    verbose_name = "Principle catalogue"

    def ready(self):
        from . import stamps

        stamps.connect()

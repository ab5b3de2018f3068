from django.apps import AppConfig


class DosingConfig(AppConfig):
    """Infusion regimen, planned schedule and infusion records (issue 3)."""

    name = "dosing"
    verbose_name = "Dosing"

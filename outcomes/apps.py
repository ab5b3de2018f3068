from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    """Daily observations, labs, chest CT, adverse events and study outcome (issue 4)."""

    name = "outcomes"
    verbose_name = "Outcomes"

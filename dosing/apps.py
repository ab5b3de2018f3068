from django.apps import AppConfig


class DosingConfig(AppConfig):
    """Infusion regimen, planned schedule, infusion records and protocol deviations."""

    name = "dosing"
    verbose_name = "Dosing"

    def ready(self):
        import dosing.checks  # noqa: F401 (registers the system check)
        from dosing.receivers import create_schedule_on_enrolment
        from patients.signals import participant_enrolled

        participant_enrolled.connect(create_schedule_on_enrolment, dispatch_uid="dosing.create_schedule")

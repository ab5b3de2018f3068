from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "patients"
    verbose_name = "Enrolment"

    def ready(self):
        from django.db.models.signals import post_migrate

        from patients.roles import sync_role_permissions

        # Role permissions follow the models: when dosing or outcomes add a model, the next migrate
        # grants its permissions to the roles that should have them (see patients/roles.py).
        post_migrate.connect(sync_role_permissions, dispatch_uid="patients.sync_role_permissions")
        # What every case report form relies on, checked when the project starts (manage.py check).
        # The access log: logins, lockouts, password, role and site changes.
        import patients.access_log_receivers  # noqa: F401
        import patients.casebook.checks  # noqa: F401

        # Django's admin (installed first) has loaded every app's admin module by now: a registered case
        # report form whose app gave it no admin gets the generic one (patients/casebook/registry.py).
        from patients.admin.participants import register_crf_admins

        register_crf_admins()

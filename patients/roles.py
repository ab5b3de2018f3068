"""The trial's roles and what each may do: one table, applied to the auth groups.

Groups are created by a migration (patients/migrations/0002_roles.py). Their permissions are synced
after every ``migrate`` from ``ROLE_PERMISSIONS``, so when a later app adds a clinical model, its
permissions reach the roles without a hand-written data migration per model.

Site scoping is separate: a role says *what* a user may do, their site memberships say *where*.
"""

from patients.casebook.choices import Role
from patients.casebook.registry import registry

CLINICIAN, COORDINATOR, MONITOR, STATISTICIAN = Role.CLINICIAN, Role.COORDINATOR, Role.MONITOR, Role.STATISTICIAN
UNBLINDED_STATISTICIAN, PHARMACIST, DSMB_MEMBER = Role.UNBLINDED_STATISTICIAN, Role.PHARMACIST, Role.DSMB_MEMBER
UNBLINDING_APPROVER = Role.UNBLINDING_APPROVER
ROLES = tuple(Role.values)

# App labels whose models hold trial data. Every model in them is audited (tests/test_audit.py).
CLINICAL_APPS = ("patients", "dosing", "outcomes")
# Reference data that only a superuser (the trial's system administrator) changes.
REFERENCE_MODELS = {
    "patients.site",
    "patients.sitemembership",
    "dosing.regimen",
    "outcomes.analyte",
    # The access log is read by the system administrator (superuser) only.
    "patients.accessevent",
}
# The trial's design and randomisation list: set up by the roles named in ROLE_PERMISSIONS' extras, never
# written by the clinical roles' actions.
DESIGN_MODELS = {
    "patients.trialdesign",
    "patients.eligibilitycriterion",
    "patients.visit",
    "patients.visitform",
    "patients.arm",
    "dosing.armregimen",
    "patients.randomisationlist",
    "patients.stratum",
    "patients.randomisationslot",
}
# The blinded trial's pharmacy: what each kit holds (which is the allocation), the pharmacist's only.
PHARMACY_MODELS = {"dosing.preparation"}
# Written only through patients/unblinding.py (request, decision); read by the roles below.
UNBLINDING_MODELS = {"patients.unblindingrequest"}
# The outbox (patients/outbox.py): written by the acts that send mail; read, and resent, by data management.
OUTBOX_MODELS = {"patients.outgoingemail"}

# Per role: the actions ("add", "change", "view") on every clinical model, plus extra permissions.
# Nobody has "delete": no clinical model defines that permission at all (patients/casebook/records.py).
ROLE_PERMISSIONS = {
    # Enters and edits data at their sites (web forms, not the admin).
    # Investigators request emergency unblinding; the designated approver has the Unblinding approver role too.
    CLINICIAN: {
        "actions": ("add", "change", "view"),
        "extra": ("patients.sign_casebook", "patients.request_unblinding", "patients.view_unblindingrequest"),
    },
    # Reviews everything at their sites in the admin, corrects with a reason.
    COORDINATOR: {
        "actions": ("add", "change", "view"),
        "extra": (
            "patients.export_data",
            "patients.lock_casebook",
            "patients.view_report",
            # Sets the design up (blinding, allocation, strata); in an open trial the arms as well. Sees how
            # many slots each stratum has left, never the slots.
            "patients.view_unblindingrequest",
            # The visit schedule and the eligibility criteria are part of the design.
            "patients.add_eligibilitycriterion",
            "patients.change_eligibilitycriterion",
            "patients.view_eligibilitycriterion",
            "patients.add_visit",
            "patients.change_visit",
            "patients.view_visit",
            "patients.add_visitform",
            "patients.change_visitform",
            "patients.view_visitform",
            "patients.add_trialdesign",
            "patients.change_trialdesign",
            "patients.view_trialdesign",
            "patients.add_arm",
            "patients.change_arm",
            "dosing.add_armregimen",
            "dosing.change_armregimen",
            "patients.view_stratum",
            # What the trial's e-mails became: a message that could not be sent is theirs to chase.
            "patients.view_outgoingemail",
            "patients.resend_outgoingemail",
        ),
    },
    # Reads, raises queries and verifies records against source (SDV); changes no clinical data.
    MONITOR: {
        "actions": ("view",),
        "extra": (
            "patients.add_dataquery",
            "patients.change_dataquery",
            "patients.view_unblindingrequest",
            "patients.verify_data",
            "patients.view_report",
        ),
    },
    # Exports de-identified data only; sees no record pages.
    STATISTICIAN: {"actions": (), "extra": ("patients.export_data", "patients.view_report")},
    # Sees allocation: sets up the arms and their regimens, generates or imports the randomisation list and
    # signs its report off; exports and reports by arm. No record pages. Study-wide: every site by the role,
    # no memberships needed (issue 29, 4: set up as the guide said, the report showed 0 enrolled).
    UNBLINDED_STATISTICIAN: {
        "actions": (),
        "extra": (
            "patients.view_all_sites",
            "patients.export_data",
            "patients.view_report",
            "patients.view_unblinded",
            "patients.view_trialdesign",
            "patients.add_arm",
            "patients.change_arm",
            "patients.view_arm",
            "dosing.add_armregimen",
            "dosing.change_armregimen",
            "dosing.view_armregimen",
            "dosing.view_regimen",
            "patients.add_randomisationlist",
            "patients.view_randomisationlist",
            "patients.sign_off_randomisationlist",
            "patients.view_stratum",
            "patients.view_randomisationslot",
            "patients.view_site",
        ),
    },
    # Reads the closed report (by arm) over every site; no record pages, no exports.
    DSMB_MEMBER: {
        "actions": (),
        "extra": ("patients.view_report", "patients.view_unblinded", "patients.view_all_sites"),
    },
    # Decides emergency unblinding requests (patients/unblinding.py) at their sites: given beside another role.
    UNBLINDING_APPROVER: {
        "actions": (),
        "extra": ("patients.approve_unblinding", "patients.view_unblindingrequest"),
    },
    # Prepares and releases the kits at their sites (the admin's Preparations); no record pages.
    PHARMACIST: {
        "actions": (),
        "extra": (
            "patients.view_unblinded",
            "dosing.add_preparation",
            "dosing.change_preparation",
            "dosing.view_preparation",
            "dosing.view_regimen",
        ),
    },
}

# Roles that work in the Django admin (users need is_staff as well).
ADMIN_ROLES = (COORDINATOR, MONITOR, UNBLINDED_STATISTICIAN, PHARMACIST)


def role_permission_codes(role: str, models) -> set[str]:
    """The 'app_label.codename' permissions of a role, given the installed models.

    A case report form's permissions follow its registry entry (patients/casebook/registry.py): its enterers add,
    change and view it, its reviewers view it. Other clinical records follow ROLE_PERMISSIONS' actions."""
    spec = ROLE_PERMISSIONS[role]
    codes = set(spec["extra"])
    crfs = {crf.label_lower: crf for crf in registry.all()}
    for model in models:
        meta = model._meta
        label = f"{meta.app_label}.{meta.model_name}"
        if label in crfs:
            crf = crfs[label]
            actions = ("add", "change", "view") if role in crf.enter_roles else ()
            actions += ("view",) if role in crf.review_roles else ()
            codes.update(crf.permission(action) for action in actions)
            continue
        if (
            meta.app_label not in CLINICAL_APPS
            or label in REFERENCE_MODELS | DESIGN_MODELS | PHARMACY_MODELS | UNBLINDING_MODELS | OUTBOX_MODELS
            or meta.auto_created
        ):
            continue
        if meta.model_name.startswith("historical"):
            # History is read through the record's own "view" permission in the admin.
            continue
        for action in spec["actions"]:
            if action in meta.default_permissions:
                codes.add(f"{meta.app_label}.{action}_{meta.model_name}")
    if role in (COORDINATOR, MONITOR):
        codes.update(
            {
                "patients.view_site",
                "patients.view_arm",
                "dosing.view_regimen",
                "dosing.view_armregimen",
                "outcomes.view_analyte",
            }
        )
    return codes


def sync_role_permissions(sender=None, apps=None, using="default", **kwargs):
    """Give each role group exactly the permissions ROLE_PERMISSIONS grants (post_migrate handler)."""
    from django.apps import apps as global_apps
    from django.contrib.auth.models import Group, Permission

    # post_migrate fires once per installed app; syncing each time is idempotent and cheap, and the
    # last run sees the permissions of every app.
    installed_models = global_apps.get_models()
    for role in ROLES:
        group, _ = Group.objects.using(using).get_or_create(name=role)
        wanted = role_permission_codes(role, installed_models)
        perms = []
        for code in sorted(wanted):
            app_label, codename = code.split(".")
            perm = Permission.objects.using(using).filter(content_type__app_label=app_label, codename=codename).first()
            if perm is not None:
                perms.append(perm)
        group.permissions.set(perms)

"""The permission matrix: every URL the project has (collected from the URL resolver, so a new URL is in
the matrix the day it is added) x every role (anonymous, inactive, clinician, coordinator, monitor,
statistician) x a record of the user's own site and of another site -> the expected answer, and no answer
(page, list, history, redirect, download) shows a study ID of the other site (site scoping).

The expectations are rules, not a list: what each kind of page needs (a login, the admin, a permission of
the role, the record's site). A URL the rules do not know fails the test until a rule says what it needs.
"""

import re
from collections import Counter

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from outcomes.models import AdverseEvent, ChestCt, DailyObservation, LabResult
from patients import services
from patients.casebook import services as casebook_services
from patients.casebook.registry import registry
from patients.models import EndOfStudy, Participant
from patients.outbox import mail_enqueue
from tests.factories import (
    PASSWORD,
    UserFactory,
    ae_values,
    crf_values,
    ct_values,
    end_study,
    give_infusion,
    lab_values,
    observation_values,
    record,
    treated_participant,
)
from tests.helpers import url_patterns

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
ROLES = (
    "anonymous",
    "inactive",
    "clinician",
    "coordinator",
    "monitor",
    "statistician",
    "unblinded",
    "pharmacist",
    "dsmb",
)
NOT_STAFF = {"anonymous", "inactive", "clinician", "statistician", "dsmb"}
# A randomised design's list and a blinded one's kits: this (phase 1) world has none, so only their list and
# add pages are walked here; tests/test_blinded_walk.py walks every page of a randomised, blinded world.
RANDOMISED_ONLY = {
    "patients.randomisationlist",
    "patients.stratum",
    "patients.randomisationslot",
    "dosing.preparation",
    "patients.unblindingrequest",
}
# Admin pages where nobody may add, whatever the role (signing needs the password; logs write themselves).
NO_ADMIN_ADD = {
    "patients.casebooksignature",
    "patients.accessevent",
    "dosing.plannedinfusion",
    # One design per database (the migration's row); strata and slots are made with the list.
    "patients.trialdesign",
    "patients.stratum",
    "patients.randomisationslot",
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
}


def casebook(site, user):
    participant = treated_participant(user=user, site=site)
    give_infusion(participant, 1, user=user, viability_percent="75.0", deviation_reason="Only lot available")
    record(DailyObservation, participant, observation_values(participant), user=user)
    record(LabResult, participant, lab_values(participant), user=user)
    record(ChestCt, participant, ct_values(participant), user=user)
    record(AdverseEvent, participant, ae_values(participant), user=user)
    casebook_services.query_raise(record=participant, user=user, text="Weight?")
    casebook_services.casebook_sign(participant=participant, user=user, password=PASSWORD, meaning="complete_accurate")
    finished = treated_participant(user=user, site=site, arm_code="control")
    end_study(finished, user=user, on=finished.day0_date)
    gone = treated_participant(user=user, site=site, arm_code="control")
    services.participant_withdraw(
        participant=gone, user=user, withdrawal_date=gone.day0_date, reason="consent_withdrawn"
    )
    # Any other registered form (e.g. the tests' example form) gets a record too, so its pages are walked.
    for crf in registry.with_ward_form():
        if not crf.model.objects.filter(participant__site=site).exists():
            record(crf.model, participant, crf_values(crf, participant), user=user)
    return participant


@pytest.fixture
def world(site_a, site_b):
    users = {
        "clinician": UserFactory(username="m_clin", role="Clinician", sites=[site_a]),
        "coordinator": UserFactory(username="m_coord", role="Coordinator", sites=[site_a]),
        "monitor": UserFactory(username="m_mon", role="Monitor", sites=[site_a]),
        "statistician": UserFactory(username="m_stat", role="Statistician", sites=[site_a]),
        "unblinded": UserFactory(username="m_ustat", role="Unblinded statistician", sites=[site_a]),
        "pharmacist": UserFactory(username="m_pharm", role="Pharmacist", sites=[site_a]),
        "dsmb": UserFactory(username="m_dsmb", role="DSMB member", sites=[site_a]),
        "inactive": UserFactory(username="m_gone", role="Coordinator", sites=[site_a]),
    }
    users["inactive"].is_active = False
    users["inactive"].save()
    # The investigator who builds both casebooks (a coordinator who also signs).
    builder = UserFactory(username="m_builder", role="Coordinator", sites=[site_a, site_b])
    builder.groups.add(Group.objects.get(name="Clinician"))
    own, other = casebook(site_a, builder), casebook(site_b, builder)
    for site, participant in ((site_a, own), (site_b, other)):  # what the outbox holds of each site
        mail_enqueue(topic="test", subject=f"About {participant.study_id}", body="-", recipients=["a@b.c"], site=site)
    AccessAttempt.objects.create(
        username="x", ip_address="10.0.0.1", failures_since_start=1, attempt_time=timezone.now()
    )
    AccessLog.objects.create(username="x", ip_address="10.0.0.1", attempt_time=timezone.now())
    AccessFailureLog.objects.create(username="x", ip_address="10.0.0.1", attempt_time=timezone.now())
    return {"users": users, "own": own, "other": other, "sites": {"own": site_a, "other": site_b}}


def instance_for(model, world, which):
    """A record of ``model`` at the own or the other site (the same one for models without a site)."""
    site = world["sites"][which]
    if model is Participant:
        return Participant.objects.filter(site=site).first()
    if any(f.name == "participant" for f in model._meta.fields):
        return model.objects.filter(participant__site=site).first()
    if model._meta.label_lower in SITE_SCOPED:
        return model.objects.filter(site=site).first()
    if model._meta.label_lower == "patients.site":
        return site
    return model.objects.order_by("pk").first()


# Models that belong to a site without a participant: the outbox's messages.
SITE_SCOPED = {"patients.outgoingemail"}


def scoped(model) -> bool:
    return (
        model is Participant
        or model._meta.label_lower == "patients.site"
        or model._meta.label_lower in SITE_SCOPED
        or any(f.name == "participant" for f in model._meta.fields)
    )


# The ward's record pages: every registered case report form with a ward form (patients/casebook/registry.py).
CLINIC_KINDS = {crf.key: crf.model for crf in registry.with_ward_form()}


def clinic_url(name, route, world, which):
    participant = world[which]
    kwargs = {}
    if "<str:study_id>" in route:
        kwargs["study_id"] = participant.study_id
    if "<slug:visit>" in route:
        kwargs["visit"] = "discharge"  # phase 1's schedule has it
    if "<int:pk>" in route:
        if name in ("query-answer", "query-review"):
            model = type(participant.data_queries.first())
        else:
            model = CLINIC_KINDS[name.rsplit("-", 1)[0]]
        owner = (
            participant
            if model is not EndOfStudy
            else Participant.objects.filter(site=participant.site, ends_of_study__isnull=False).first()
        )
        kwargs["pk"] = model.objects.filter(participant=owner).first().pk
        if model is EndOfStudy:
            kwargs["study_id"] = owner.study_id
    return reverse(name, kwargs=kwargs)


def expect_clinic(name, role, which, perms):
    """The clinician pages (not the admin)."""
    if name == "login":
        return "200"
    if name == "logout":
        return "405"  # POST only
    if role in ("anonymous", "inactive"):
        return "302login"
    if name == "home":
        # To the participant list (or the monitor's review list); staff without record pages to the admin,
        # unless their role has a page of next steps (the unblinded roles, the exporters).
        if perms("patients.view_participant"):
            return "302"
        staff_only = (
            role not in NOT_STAFF and not perms("patients.view_unblinded") and not perms("patients.export_data")
        )
        return "302" if staff_only else "200"
    gates = {
        "participant-list": "patients.view_participant",
        "subject-matrix": "patients.view_participant",
        "participant-screen": "patients.add_participant",
        "analysis-export": "patients.export_data",
        "odm-export": "patients.export_data",
        "sdtm-export": "patients.export_data",
        "report": "patients.view_report",
        "casebook-review-list": "patients.verify_data",
    }
    if name in gates:
        return "200" if perms(gates[name]) else "403"
    if name == "casebook-review":  # the monitor's page: the permission first, then the participant
        if not perms("patients.verify_data"):
            return "403"
        return "200" if which == "own" or perms("patients.view_all_sites") else "404"
    if name == "casebook-sign":  # the permission is checked before the participant is looked up
        return "403" if not perms("patients.sign_casebook") else ("200" if which == "own" else "404")
    if which == "other" and not perms("patients.view_all_sites"):
        return "404"  # another site's participant is not found (unless the role sees every site: the DSMB)
    if name == "participant-detail":
        return "200" if perms("patients.view_participant") else "403"
    if name in ("query-answer", "query-review"):
        return "405"  # POST only
    if name == "participant-unblinding":
        return "200" if perms("patients.request_unblinding") or perms("patients.approve_unblinding") else "403"
    if name == "participant-enrol":
        return "200" if perms("patients.change_participant") else "403"
    if name == "lab-sample-new":
        return "200" if perms("outcomes.add_labresult") else "403"
    if name == "casebook-print":
        return "200" if perms("patients.view_participant") else "403"
    if name == "observation-print":
        return "200" if perms("outcomes.add_dailyobservation") else "403"
    if name == "visit-missed":  # recorded as a protocol deviation
        return "200" if perms("dosing.add_protocoldeviation") else "403"
    kind, action = name.rsplit("-", 1)
    model = CLINIC_KINDS[kind]._meta
    needed = f"{model.app_label}.{'add' if action == 'new' else 'change'}_{model.model_name}"
    return "200" if perms(needed) else "403"


def expect_admin(name, model, role, which, perms):
    if name == "admin:login":
        return "302" if role not in NOT_STAFF else "200"  # staff already logged in go to the index
    if name == "admin:logout":
        return "302" if role in NOT_STAFF else "405"  # not logged in to the admin: sent on; else POST only
    if role in NOT_STAFF:
        return "302admin"
    if name in ("admin:index", "admin:password_change", "admin:password_change_done", "admin:jsi18n"):
        return "200"
    if name == "admin:app_list":  # the patients app's page: for staff who may see one of its tables
        patients_models = [m._meta.model_name for m in admin.site._registry if m._meta.app_label == "patients"]
        visible = any(perms(f"patients.{a}_{m}") for m in patients_models for a in ("view", "change", "add"))
        return "200" if visible else "404"
    if name is None and model is None:
        return "404"  # the admin's catch-all: an unknown address
    if name == "admin:autocomplete":
        return "403"  # without its query parameters
    if name == "admin:view_on_site":  # to the participant's page, scoped like the participant admin
        return "302" if which == "own" and perms("patients.view_participant") else "404"
    label, model_name = model._meta.app_label, model._meta.model_name
    can_view = perms(f"{label}.view_{model_name}") or perms(f"{label}.change_{model_name}")
    can_add = perms(f"{label}.add_{model_name}") and model._meta.label_lower not in NO_ADMIN_ADD
    # A study-wide role (the unblinded statistician, issue 29, 4) finds the other site's records as its own.
    other_scoped = which == "other" and scoped(model) and not perms("patients.view_all_sites")
    action = name.removeprefix(f"admin:{label}_{model_name}_") if name else "redirect"
    if action in ("changelist", "to_prepare"):  # to_prepare: the pharmacy's work list
        return "200" if can_view else "403"
    if action == "add":
        return "200" if can_add else "403"
    if action == "redirect":
        return "302"
    if action == "delete":
        return "403"  # nobody deletes
    if action == "change":
        if other_scoped:
            return "302" if can_view else "403"  # not found: back to the admin index
        return "200" if can_view else "403"
    if action in ("history", "simple_history"):
        if other_scoped:
            return "404"
        return "200" if can_view else "403"
    if action == "review":
        return "404" if other_scoped or not can_view else "200"
    if action == "void":  # the record's void page: for roles that may change it, at their sites
        if other_scoped:
            return "404"
        return "200" if perms(f"{label}.change_{model_name}") else "403"
    if action == "export":
        return "200" if perms("patients.export_data") else "403"
    if action == "process_import":
        return "405"  # POST only, refused before anything else
    if action == "import":
        allowed = perms(f"{label}.add_{model_name}") and perms(f"{label}.change_{model_name}")
        return "200" if allowed else "403"
    if action == "enrol":
        if other_scoped:
            return "404"
        return "200" if perms("patients.change_participant") else "403"
    if action == "password_change":
        return "200" if perms("auth.change_user") else "403"
    raise AssertionError(f"No rule for {name}: add one to expect_admin")


def admin_url(name, route, pattern, model, world, which):
    obj = instance_for(model, world, which) if model is not None else None
    if model is not None and obj is None:
        raise AssertionError(f"The matrix's world has no {model._meta.label_lower} at the {which} site")
    if name == "admin:view_on_site":
        participant = world[which]
        return reverse(name, args=[ContentType.objects.get_for_model(Participant).pk, participant.pk])
    if name == "admin:app_list":
        return reverse(name, kwargs={"app_label": "patients"})
    if name is None and model is None:  # the admin's catch-all for unknown addresses
        return "/admin/no-such-page/"
    if name is None:  # "<object_id>/" redirects to the change page
        return "/" + route.replace("<path:object_id>", str(obj.pk))
    if name.endswith("_simple_history"):
        version = obj.history.order_by("history_id").first()
        if version is None:  # reference data loaded by a migration has no history row yet
            obj.save()
            version = obj.history.order_by("history_id").first()
        return reverse(name, args=[obj.pk, version.history_id])
    converters = getattr(pattern.pattern, "converters", {})
    kwargs = {}
    if "object_id" in converters:
        kwargs["object_id"] = obj.pk
    if "id" in converters:
        kwargs["id"] = obj.pk
    return reverse(name, kwargs=kwargs)


def model_of(route):
    match = re.match(r"admin/(\w+)/(\w+)/", route)
    if not match:
        return None
    for model in admin.site._registry:
        if (model._meta.app_label, model._meta.model_name) == match.groups():
            return model
    return None


def outcome(response) -> str:
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith("/accounts/login/"):
            return "302login"
        if location.startswith("/admin/login/"):
            return "302admin"
        return "302"
    return str(response.status_code)


def page_text(response) -> str:
    """What the user receives, as text (a streamed download is the analysis bundle, tested on its own)."""
    if response.streaming:
        return ""
    text = response.content.decode("utf-8", errors="ignore")
    # CSRF tokens are random letters and could hold a study ID by chance: leave them out.
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)


def test_every_url_answers_every_role_as_the_rules_say(client, world):
    patterns = list(url_patterns())
    assert len(patterns) > 200
    # Every user of the matrix works at the own site only: no answer may show a study ID of the other, but to
    # a study-wide role (patients.view_all_sites).
    other_site_ids = set(Participant.objects.filter(site=world["sites"]["other"]).values_list("study_id", flat=True))
    wrong, seen = [], Counter()
    for role in ROLES:
        user = world["users"].get(role)
        client.logout()
        if user is not None:
            client.force_login(user)
        refreshed = get_user_model().objects.get(pk=user.pk) if user is not None else None

        def perms(code, refreshed=refreshed):
            return bool(refreshed and refreshed.is_active and refreshed.has_perm(code))

        for name, route, pattern in patterns:
            if route.startswith("static/") or "media" in route:
                continue
            for which in ("own", "other"):
                if name and not name.startswith("admin:") or (name is None and not route.startswith("admin/")):
                    url = clinic_url(name, route, world, which)
                    expected = expect_clinic(name, role, which, perms)
                else:
                    model = model_of(route)
                    label = model._meta.label_lower if model is not None else None
                    if label in RANDOMISED_ONLY:
                        if not (name or "").endswith(("_changelist", "_add", "_to_prepare")):
                            continue
                        url = reverse(name)
                    else:
                        url = admin_url(name, route, pattern, model, world, which)
                    expected = expect_admin(name, model, role, which, perms)
                response = client.get(url)
                got = outcome(response)
                seen[expected] += 1
                if got != expected:
                    wrong.append(f"{role:<12} {which:<5} {url:<70} expected {expected}, got {got}")
                leaked = [study_id for study_id in other_site_ids if study_id in page_text(response)]
                if leaked and not perms("patients.view_all_sites"):
                    # Whatever the answer, nothing of another site's casebooks is in it (for a role that is not
                    # study-wide).
                    wrong.append(f"{role:<12} {which:<5} {url:<70} shows {', '.join(leaked)} of the other site")
    assert wrong == [], "\n" + "\n".join(wrong[:80]) + f"\n({len(wrong)} in all)"
    # Each kind of answer occurs: the matrix tests refusals, not only successes.
    assert {"200", "302login", "302admin", "403", "404"} <= set(seen)

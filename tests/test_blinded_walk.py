"""Blinding on every surface: in a blinded, randomised, placebo-controlled trial, every URL the resolver has
(ward pages, admin lists, change and history pages, downloads) and every export (each admin export, the
analysis bundle, the summary report as page, CSV and XLSX) is requested by every blinded role, for a
participant of each arm, and no answer names an arm (its code or label) or what it receives.

The arms have names no page would otherwise hold, so an absence means something; the unblinded
statistician, walking the same URLs, does see them (so the walk can see a leak when there is one)."""

import io
import re
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from outcomes.models import AdverseEvent, ChestCt, DailyObservation, LabResult
from patients import services, unblinding
from patients.casebook import services as casebook_services
from patients.casebook.choices import Treatment
from patients.casebook.registry import registry
from patients.models import Participant
from tests.factories import (
    UserFactory,
    ae_values,
    crf_values,
    ct_values,
    end_study,
    give_infusion,
    lab_values,
    observation_values,
    randomised_design,
    record,
    signed_off_list,
    treated_participant,
)
from tests.helpers import admin_export, url_patterns
from tests.test_permission_matrix import admin_url, clinic_url, model_of

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

ARMS = (
    ("quillon", "Arm Quillon", Treatment.ACTIVE, 2),
    ("vantrel", "Arm Vantrel", Treatment.PLACEBO, 1),
)
# What would unblind: the arms' codes and names (any case), the kits' product lots (tests/factories.prepare_kit)
# and what each arm receives (as the app labels it: the design's title may well say "placebo-controlled",
# which reveals nothing).
ARM_WORDS = ["quillon", "vantrel", "saline-p2-01", "ucmsc-p2-01"]
TREATMENT_LABELS = [label for value, label in Treatment.choices if value != Treatment.NONE]
BLINDED_ROLES = ("Clinician", "Coordinator", "Monitor", "Statistician")


def casebook(participant, user):
    give_infusion(participant, 1, user=user)
    record(DailyObservation, participant, observation_values(participant), user=user)
    record(LabResult, participant, lab_values(participant), user=user)
    record(ChestCt, participant, ct_values(participant), user=user)
    record(AdverseEvent, participant, ae_values(participant, relation="possible"), user=user)
    casebook_services.query_raise(record=participant, user=user, text="Weight?")
    for crf in registry.with_ward_form():
        if crf.key in ("end-of-study", "withdrawal"):
            continue  # they end follow-up: the world gives them participants of their own
        if not crf.model.objects.filter(participant=participant).exists():
            record(crf.model, participant, crf_values(crf, participant), user=user)


@pytest.fixture
def world(site_a, site_b):
    randomised_design(arms=ARMS)
    statistician = UserFactory(username="w_ustat", role="Unblinded statistician")
    signed_off_list(user=statistician, slots_per_stratum=6, block_multiples=[1], seed=1)
    builder = UserFactory(username="w_builder", role="Coordinator", sites=[site_a, site_b])
    builder.groups.add(Group.objects.get(name="Clinician"))
    # Enrolled from the list until both arms have someone at site A (a block of 3 holds both).
    for _ in range(3):
        casebook(treated_participant(user=builder, site=site_a, arm_code=None), builder)
    finished = treated_participant(user=builder, site=site_a, arm_code=None)
    end_study(finished, user=builder, on=finished.day0_date)
    gone = treated_participant(user=builder, site=site_a, arm_code=None)
    services.participant_withdraw(
        participant=gone, user=builder, withdrawal_date=gone.day0_date, reason="consent_withdrawn"
    )
    other = treated_participant(user=builder, site=site_b, arm_code=None)
    arms_at_a = set(Participant.objects.filter(site=site_a).values_list("arm__code", flat=True))
    assert arms_at_a == {"quillon", "vantrel"}
    users = {role: UserFactory(username=f"w_{role[:5].lower()}", role=role, sites=[site_a]) for role in BLINDED_ROLES}
    users["Unblinded statistician"] = statistician
    own = {arm: Participant.objects.filter(site=site_a, arm__code=arm).first() for arm in ("quillon", "vantrel")}
    # One emergency unblinding, by the builder, approved by a designated approver: neither walks below.
    approver = UserFactory(username="w_approver", role="Monitor", sites=[site_a])
    approver.user_permissions.add(Permission.objects.get(codename="approve_unblinding"))
    asked = unblinding.unblinding_request(participant=own["quillon"], user=builder, reason="Anaphylaxis")
    unblinding.unblinding_decide(unblinding=asked, user=approver, approve=True)
    return {
        "users": users,
        "own": own,
        "other": other,
        "sites": {"own": site_a, "other": site_b},
        "requester": builder,
    }


def texts(response) -> list[str]:
    """Everything the user receives, as text: a page, a CSV, each member of a zip (the analysis bundle, an
    XLSX workbook)."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if body[:2] == b"PK":
        archive = zipfile.ZipFile(io.BytesIO(body))
        return [archive.read(name).decode("utf-8", errors="ignore") for name in archive.namelist()]
    text = body.decode("utf-8", errors="ignore")
    return [re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)]


def revealed(response) -> list[str]:
    found = set()
    for text in texts(response):
        found.update(word for word in ARM_WORDS if word in text.lower())
        found.update(label for label in TREATMENT_LABELS if label in text)
    return sorted(found)


def walk_urls(world, participant):
    """(url) for every URL pattern, with the participant (and their records) of one arm as the own site's."""
    walk_world = {**world, "own": participant}
    for name, route, pattern in url_patterns():
        if route.startswith("static/") or "media" in route:
            continue
        if name and not name.startswith("admin:") or (name is None and not route.startswith("admin/")):
            yield clinic_url(name, route, walk_world, "own")
        else:
            model = model_of(route)
            try:
                yield admin_url(name, route, pattern, model, walk_world, "own")
            except AssertionError:  # no such record in this world (e.g. an end of study): nothing to show
                continue


def exports():
    """Every admin export page, the analysis bundle, the report's page and downloads."""
    for name, _route, _pattern in url_patterns():
        if name and name.startswith("admin:") and name.endswith("_export"):
            yield "admin", reverse(name)
    yield "get", reverse("analysis-export")
    yield "get", reverse("analysis-export") + "?dates=study_days"
    yield "get", reverse("odm-export")
    yield "get", reverse("sdtm-export")
    for suffix in ("", "?format=csv", "?format=xlsx"):
        yield "get", reverse("report") + suffix


def test_no_blinded_role_sees_an_arm_anywhere(client, world):
    leaks = []
    for role in BLINDED_ROLES:
        client.force_login(world["users"][role])
        for arm, participant in world["own"].items():
            for url in walk_urls(world, participant):
                response = client.get(url)
                assert response.status_code != 500, url
                if words := revealed(response):
                    leaks.append(f"{role:<13} {arm:<8} {url:<70} shows {', '.join(words)}")
        for how, url in exports():
            if how == "admin" and client.get(url).status_code != 200:
                continue  # no export for this role: its refusal was walked above
            response = admin_export(client, url) if how == "admin" else client.get(url)
            if words := revealed(response):
                leaks.append(f"{role:<13} export   {url:<70} shows {', '.join(words)}")
    assert leaks == [], "\n" + "\n".join(leaks[:80]) + f"\n({len(leaks)} in all)"


def test_the_unblinded_statistician_does_see_allocation(client, world):
    client.force_login(world["users"]["Unblinded statistician"])
    seen = set()
    for url in (
        reverse("admin:patients_randomisationslot_changelist"),
        reverse("admin:patients_arm_changelist"),
        reverse("report"),
        reverse("analysis-export"),
    ):
        seen.update(revealed(client.get(url)))
    # The ODM file holds the allocation as a form of its own for this reader.
    assert {"quillon", "vantrel"} <= {w.lower() for w in revealed(client.get(reverse("odm-export")))}
    # So does the SDTM package (DM's arm variables), the submission package only this role makes.
    assert {"quillon", "vantrel"} <= {w.lower() for w in revealed(client.get(reverse("sdtm-export")))}
    assert {"quillon", "vantrel"} <= {w.lower() for w in seen}
    # And the investigator who had one participant unblinded sees that participant's arm, on its page only.
    client.force_login(world["requester"])
    participant = world["own"]["quillon"]
    assert "quillon" in revealed(client.get(reverse("participant-unblinding", args=[participant.study_id])))
    assert revealed(client.get(participant.get_absolute_url())) == []


def test_a_blinded_user_with_the_permission_becomes_unblinded(client, world):
    monitor = get_user_model().objects.get(username=world["users"]["Monitor"].username)
    monitor.user_permissions.add(Permission.objects.get(codename="view_unblinded"))
    client.force_login(monitor)
    assert "quillon" in revealed(client.get(world["own"]["quillon"].get_absolute_url()))

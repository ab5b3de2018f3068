"""Every clinical changelist in the admin runs the same number of queries for 1 and for 3 participants'
data (list_select_related and annotations instead of a query per row)."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from outcomes.models import AdverseEvent, ChestCt, DailyObservation, LabResult
from patients.casebook import services as casebook_services
from patients.roles import CLINICAL_APPS
from tests.factories import (
    PASSWORD,
    ae_values,
    ct_values,
    give_infusion,
    lab_values,
    observation_values,
    record,
    treated_participant,
)

pytestmark = pytest.mark.django_db

CHANGELISTS = sorted(
    f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
    for model in admin.site._registry
    if model._meta.app_label in CLINICAL_APPS
    and model._meta.label_lower
    # The access log is the system administrator's; the list and its slots the unblinded statistician's; the
    # kits' preparations the pharmacist's.
    not in ("patients.accessevent", "patients.randomisationlist", "patients.randomisationslot", "dosing.preparation")
)


def add_casebook(user, site):
    participant = treated_participant(user=user, site=site)
    give_infusion(participant, 1, user=user)
    record(DailyObservation, participant, observation_values(participant), user=user)
    record(LabResult, participant, lab_values(participant), user=user)
    record(ChestCt, participant, ct_values(participant), user=user)
    record(AdverseEvent, participant, ae_values(participant), user=user)
    casebook_services.query_raise(record=participant, user=user, text="?")
    casebook_services.casebook_sign(participant=participant, user=user, password=PASSWORD, meaning="complete_accurate")


def counts(client):
    result = {}
    for name in CHANGELISTS:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(name)).status_code == 200, name
        result[name] = len(queries)
    return result


def test_changelists_run_a_constant_number_of_queries(client, coordinator, site_a):
    # The coordinator also signs here (an investigator who coordinates), to have signatures in the lists.
    coordinator.groups.add(Group.objects.get(name="Clinician"))
    client.force_login(coordinator)
    add_casebook(coordinator, site_a)
    small = counts(client)
    for _ in range(2):
        add_casebook(coordinator, site_a)
    assert counts(client) == small
    assert len(CHANGELISTS) >= 15

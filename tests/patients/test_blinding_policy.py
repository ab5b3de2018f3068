"""The blinding policy (issue 30, 2): one object answers what a reader may know of the allocation, from what the
models declare next to their fields; a field that looks derived from the arm and is not declared fails
``manage.py check`` (casebook.E010) before any reader sees it."""

import pytest
from django.apps import apps
from django.db import models
from django.test.utils import isolate_apps

from dosing.models import Infusion, PlannedInfusion, Preparation
from patients.casebook import checks
from patients.casebook.blinding import BlindingPolicy, reads_allocation, undeclared_allocation
from patients.casebook.choices import Treatment
from patients.models import Arm, Participant
from tests.factories import UserFactory, randomised_design

pytestmark = pytest.mark.django_db


def test_an_undeclared_field_derived_from_the_arm_fails_the_check(monkeypatch):
    with isolate_apps("patients") as isolated:

        class CohortNote(models.Model):
            participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")
            given_arm = models.ForeignKey(Arm, on_delete=models.PROTECT, related_name="+")
            arm_label = models.CharField(max_length=20)
            received = models.CharField(max_length=10, choices=Treatment.choices)
            note = models.TextField()

            class Meta:
                app_label = "patients"

            def __str__(self):
                return self.note

        class DeclaredNote(models.Model):
            allocation_fields = ("given_arm", "received")
            given_arm = models.ForeignKey(Arm, on_delete=models.PROTECT, related_name="+")
            received = models.CharField(max_length=10, choices=Treatment.choices)

            class Meta:
                app_label = "patients"

            def __str__(self):
                return self.received

        assert undeclared_allocation(CohortNote) == ["given_arm", "arm_label", "received"]
        assert undeclared_allocation(DeclaredNote) == []
        monkeypatch.setattr(checks, "apps", isolated)
        errors = checks.allocation_is_declared()
    assert [(e.id, e.obj) for e in errors] == [("casebook.E010", CohortNote)] * 3
    assert "patients.CohortNote.given_arm" in errors[0].msg and "allocation_fields" in errors[0].hint


def test_the_project_declares_every_field_derived_from_the_arm():
    monkeypatch_free = checks.allocation_is_declared()
    assert monkeypatch_free == []
    assert all(undeclared_allocation(model) == [] for model in apps.get_models())


def test_what_the_models_declare_is_what_a_path_reads():
    assert reads_allocation(Participant, "arm") and reads_allocation(Participant, "arm__code__iexact")
    assert reads_allocation(Infusion, "participant__arm__id") and reads_allocation(Infusion, "lot_number")
    assert reads_allocation(Infusion, "preparation__cells_millions") and reads_allocation(PlannedInfusion, "regimen")
    # A historical copy follows the model it copies: its arm is the arm.
    assert reads_allocation(Participant.history.model, "arm") and reads_allocation(
        Participant, "randomisation_slot__block"
    )
    assert not reads_allocation(Participant, "site__code") and not reads_allocation(Infusion, "sequence_number")
    assert not reads_allocation(Participant, "armchair")  # a field named like the arm is not the arm


def test_the_reader_and_the_trial_are_asked_apart(site_a):
    design = randomised_design()  # blinded
    coordinator = UserFactory(role="Coordinator", sites=[site_a])
    dsmb = UserFactory(role="DSMB member")
    blind, unblinded = BlindingPolicy.of(coordinator), BlindingPolicy.of(dsmb)
    assert blind.trial_blinded and unblinded.trial_blinded
    assert blind.hides_allocation and not unblinded.hides_allocation and unblinded.closed_report
    assert blind.hidden_fields(Infusion) == {"cells_administered_millions", "lot_number", "viability_percent"}
    assert blind.hidden_fields(Participant) == {"arm"} and unblinded.hidden_fields(Participant) == frozenset()
    assert blind.visible(Participant, ["study_id", "arm", "site__code", "-arm__code"]) == ["study_id", "site__code"]
    assert not blind.may_read_table(Preparation) and unblinded.may_read_table(Preparation)
    assert BlindingPolicy.of(coordinator) is blind  # asked once per user object (per request)
    design.blinded = False
    design.save(update_fields=["blinded"])
    opened = BlindingPolicy(UserFactory(role="Coordinator", sites=[site_a]))
    assert not opened.trial_blinded and not opened.hides_allocation and not opened.closed_report

import importlib

import pytest
from django.apps import apps

from patients.roles import sync_role_permissions
from tests.factories import SiteFactory, UserFactory


@pytest.fixture(autouse=True)
def report_computed_per_request(settings):
    """The report is kept until the data change (ucmsc_crf/report_cache.py), and the data's version moves on
    commit, which a test's transaction never does: tests/test_report_cache.py tests the keeping; elsewhere
    every request computes the report, so a test's changes show in the next one."""
    settings.CRF_REPORT_CACHE_SECONDS = 0


@pytest.fixture
def site_a(db):
    return SiteFactory(code="01", name="Site A")


@pytest.fixture
def site_b(db):
    return SiteFactory(code="02", name="Site B")


@pytest.fixture
def clinician(site_a):
    return UserFactory(username="clin_a", role="Clinician", sites=[site_a])


@pytest.fixture
def coordinator(site_a):
    return UserFactory(username="coord_a", role="Coordinator", sites=[site_a])


@pytest.fixture
def monitor(site_a):
    return UserFactory(username="mon_a", role="Monitor", sites=[site_a])


@pytest.fixture
def coordinator_b(site_b):
    return UserFactory(username="coord_b", role="Coordinator", sites=[site_b])


@pytest.fixture
def clinician_b(site_b):
    return UserFactory(username="clin_b", role="Clinician", sites=[site_b])


# Data migrations' reference data: a transactional test's flush empties these tables for the tests after it.
# Each is (module, function).
REFERENCE_DATA_MIGRATIONS = [
    ("patients.migrations.0002_arms_and_roles", "roles"),
    ("patients.migrations.0002_arms_and_roles", "phase1_design"),
    ("patients.migrations.0002_arms_and_roles", "phase1_schedule"),
    ("patients.migrations.0006_phase1_criteria", "phase1_criteria"),
    ("dosing.migrations.0002_phase1_regimen", "forwards"),
    ("outcomes.migrations.0002_analyte_catalogue", "forwards"),
]


@pytest.fixture
def reference_data(transactional_db):
    """Design, arms, roles, regimen and analyte catalogue, put back by the migrations' own (idempotent)
    functions and the roles' sync."""
    for module, function in REFERENCE_DATA_MIGRATIONS:
        getattr(importlib.import_module(module), function)(apps, None)
    sync_role_permissions()

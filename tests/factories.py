"""factory_boy factories. Participants are built valid; tests break one thing at a time."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.forms.models import model_to_dict
from django.utils import timezone

from patients import services
from patients.casebook.choices import Allocation, Severity, Sex, Treatment
from patients.casebook.design import PHASE1_DESIGN
from patients.casebook.saving import record_save
from patients.choices import ConsentGiver, YesNoUnknown
from patients.eligibility import current_criteria
from patients.models import Arm, Participant, Site, SiteMembership, TrialDesign
from patients.roles import ADMIN_ROLES

PASSWORD = "a-long-test-password-1"


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{n + 10:02d}")
    name = factory.LazyAttribute(lambda o: f"Hospital {o.code}")


class UserFactory(factory.django.DjangoModelFactory):
    """A user with a role and site memberships: UserFactory(role="Clinician", sites=[site])."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(Group.objects.get(name=extracted))
            if extracted in ADMIN_ROLES:
                self.is_staff = True
        self.save()

    @factory.post_generation
    def sites(self, create, extracted, **kwargs):
        for site in extracted or ():
            SiteMembership.objects.create(user=self, site=site)


def eligible_answers() -> dict[str, str]:
    return {criterion.code: criterion.required_answer for criterion in current_criteria()}


class ParticipantFactory(factory.django.DjangoModelFactory):
    """A person in screening (no eligibility answers yet; see ``screened_participant``)."""

    class Meta:
        model = Participant

    site = factory.SubFactory(SiteFactory)
    initials = "ABC"
    sex = Sex.FEMALE
    date_of_birth = datetime.date(1970, 5, 17)
    weight_kg = Decimal("68.0")
    height_cm = Decimal("165.0")
    admission_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=3))
    symptom_onset_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=8))
    severity = Severity.MODERATE
    hypertension = YesNoUnknown.NO
    diabetes = YesNoUnknown.NO
    cardiovascular_disease = YesNoUnknown.NO
    chronic_lung_disease = YesNoUnknown.NO
    chronic_kidney_disease = YesNoUnknown.NO
    chronic_liver_disease = YesNoUnknown.UNKNOWN
    screening_datetime = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=2))


def blind_trial():
    """Make the design blinded after the tests' participants were enrolled under the open one (which the
    admin refuses; here only what blinded users see matters, not how the participants got enrolled)."""
    TrialDesign.objects.update_or_create(pk=1, defaults={**PHASE1_DESIGN, "blinded": True})


def follow_up_after_discharge():
    """Make the design follow participants after discharge (phase 2/3), as the coordinator sets it before
    enrolment; here set directly, like blind_trial, because the tests' participants may already exist."""
    TrialDesign.objects.update_or_create(
        pk=1, defaults={**model_to_dict(TrialDesign.current(), exclude=["id"]), "follow_up_after_discharge": True}
    )


# A placebo-controlled design's arms: (code, name, treatment, ratio weight).
PLACEBO_ARMS = (
    ("active", "Active cells", Treatment.ACTIVE, 2),
    ("placebo", "Placebo saline", Treatment.PLACEBO, 1),
)


def randomised_design(*, blinded=True, stratify_by_site=True, factors=(), arms=PLACEBO_ARMS) -> TrialDesign:
    """Set a randomised design up as a coordinator and the unblinded statistician would in the admin (each
    row through full_clean), before anyone is enrolled: its arms replace phase 1's, each infused arm on the
    phase 1 regimen."""
    from dosing.models import ArmRegimen, Regimen

    regimen = Regimen.objects.get(code="ucmsc-phase1")
    ArmRegimen.objects.all().delete()
    Arm.objects.all().delete()
    design = TrialDesign.current()
    design.code, design.title = "ucmsc-phase2", "UC-MSC phase 2 (randomised, placebo-controlled)"
    design.blinded, design.allocation = blinded, Allocation.RANDOMISATION_LIST
    design.stratify_by_site, design.stratification_factors = stratify_by_site, list(factors)
    design.full_clean()
    design.save()
    for code, name, treatment, weight in arms:
        arm = Arm(code=code, name=name, treatment=treatment, ratio_weight=weight)
        arm.full_clean()
        arm.save()
        if arm.receives_infusions:
            ArmRegimen.objects.create(arm=arm, regimen=regimen)
    return design


def signed_off_list(*, user, **options):
    """A generated randomisation list, signed off by the unblinded statistician who made it (a list allocates
    nobody before: patients/randomisation/services.slot_allocate)."""
    from patients.randomisation.services import list_generate, list_sign_off

    made = list_generate(user=user, **options)
    list_sign_off(randomisation_list=made, user=user, password=PASSWORD)
    made.refresh_from_db()
    return made


def screened_participant(*, user, site=None, answers=None, **fields) -> Participant:
    """Screen through the service, as a clinician would: eligible unless ``answers`` says otherwise."""
    defaults = factory.build(dict, FACTORY_CLASS=ParticipantFactory)
    defaults.pop("site")
    defaults.update(fields)
    return services.participant_screen(
        site=site or SiteFactory(), user=user, answers=eligible_answers() if answers is None else answers, **defaults
    )


def consent(participant, *, user, when=None):
    return services.consent_record(
        participant=participant,
        user=user,
        consent_datetime=when or timezone.now() - datetime.timedelta(days=1),
        form_version="1.0",
        given_by=ConsentGiver.PARTICIPANT,
    )


def _arm(code):
    """The investigator's choice; none (``arm_code=None``) in a randomised design, where the list decides."""
    return Arm.objects.get(code=code) if code else None


def enrolled_participant(*, user, site=None, arm_code="ucmsc", **fields) -> Participant:
    participant = screened_participant(user=user, site=site, **fields)
    consent(participant, user=user)
    return services.participant_enrol(
        participant=participant, user=user, requested_arm=_arm(arm_code), enrolment_datetime=None
    )


def treated_participant(
    *, user, site=None, days_ago=10, arm_code="ucmsc", consent_before=datetime.timedelta(hours=2), **fields
) -> Participant:
    """Enrolled ``days_ago`` days ago (so all three infusions can lie in the past), consented before that.

    Enrolment is at 00:30 local on day 0 (or a minute ago, if that is still to come today), never at the
    current time of day: infusions are planned at 14:00, and an enrolment "10 days ago at this very time"
    put consent after the 14:00 infusion whenever the suite ran after 16:00."""
    now = timezone.now()
    day0 = timezone.localdate(now) - datetime.timedelta(days=days_ago)
    early = datetime.datetime.combine(day0, datetime.time(0, 30), tzinfo=timezone.get_current_timezone())
    enrolment = min(early, now - datetime.timedelta(minutes=1))
    fields.setdefault("admission_date", timezone.localdate(enrolment) - datetime.timedelta(days=2))
    fields.setdefault("symptom_onset_date", timezone.localdate(enrolment) - datetime.timedelta(days=7))
    fields.setdefault("screening_datetime", enrolment - consent_before - datetime.timedelta(hours=1))
    participant = screened_participant(user=user, site=site, **fields)
    consent(participant, user=user, when=enrolment - consent_before)
    return services.participant_enrol(
        participant=participant, user=user, requested_arm=_arm(arm_code), enrolment_datetime=enrolment
    )


def planned_start(participant, sequence_number, *, at=datetime.time(14, 0), shift_days=0) -> datetime.datetime:
    """14:00 local on the planned day of infusion k (optionally shifted)."""
    from dosing.models import regimen_for

    day = regimen_for(participant).planned_date(participant.day0_date, sequence_number)
    day += datetime.timedelta(days=shift_days)
    return datetime.datetime.combine(day, at, tzinfo=timezone.get_current_timezone())


def infusion_values(participant, sequence_number, *, user, start=None, minutes=45, **overrides) -> dict:
    start = start or planned_start(participant, sequence_number)
    values = {
        "participant": participant,
        "sequence_number": sequence_number,
        "start_datetime": start,
        "end_datetime": start + datetime.timedelta(minutes=minutes),
        "cells_administered_millions": Decimal("30.0"),
        "volume_ml": Decimal("100.0"),
        "lot_number": f"LOT-{sequence_number}",
        "viability_percent": Decimal("92.0"),
        "administered_by": user,
        "route": "iv",
        "ecg": "normal",
        "spo2_lowest": 95,
        "spo2_highest": 98,
        "temperature_before_c": Decimal("36.8"),
        "temperature_after_c": Decimal("36.9"),
        "heart_rate_before": 80,
        "heart_rate_after": 82,
        "systolic_before": 120,
        "diastolic_before": 75,
        "systolic_after": 122,
        "diastolic_after": 76,
    }
    if TrialDesign.current().blinded:
        # The ward names the kit the pharmacy prepared (prepare_kit) and records nothing of what it holds.
        for field in ("cells_administered_millions", "viability_percent"):
            values[field] = None
        values["lot_number"] = ""
        values["kit_code"] = kit_code_for(participant, sequence_number)
    values.update(overrides)
    return values


def kit_code_for(participant, sequence_number) -> str:
    return f"KIT-{participant.study_id}-{sequence_number}"


def prepare_kit(participant, sequence_number, *, user, prepared=None, released=True, **overrides):
    """The pharmacist's preparation of a participant's kit for one infusion, released unless said otherwise:
    cells and viability for active product, none for placebo. Prepared an hour before the planned infusion."""
    from dosing.models import Preparation

    prepared = prepared or planned_start(participant, sequence_number) - datetime.timedelta(hours=1)
    active = participant.arm.treatment == Treatment.ACTIVE
    values = {
        "participant": participant,
        "sequence_number": sequence_number,
        "kit_code": kit_code_for(participant, sequence_number),
        "product_lot": "UCMSC-P2-01" if active else "SALINE-P2-01",
        "cells_millions": Decimal("30.0") if active else None,
        "viability_percent": Decimal("92.0") if active else None,
        "volume_ml": Decimal("100.0"),
        "label_verified": released,
        "appearance_ok": released,
        "release_tests_passed": released,
        "prepared_datetime": prepared,
        "released_datetime": prepared + datetime.timedelta(minutes=20) if released else None,
        "prepared_by": user,
    }
    values.update(overrides)
    return record_save(Preparation(**values), user=user, validate=True)


def give_infusion(participant, sequence_number, *, user, **overrides):
    """Record an infusion through the model layer (full_clean, then save), as every path does. In a blinded
    trial the pharmacy prepares its kit first (unless the test did)."""
    from dosing.models import Infusion, Preparation

    values = infusion_values(participant, sequence_number, user=user, **overrides)
    own_kit = kit_code_for(participant, sequence_number)
    if values.get("kit_code") == own_kit and not Preparation.objects.filter(kit_code=own_kit).exists():
        prepare_kit(participant, sequence_number, user=user)
    return record_save(Infusion(**values), user=user, validate=True)


def local_datetime(day: datetime.date, hour: int = 12, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=timezone.get_current_timezone())


def observation_values(participant, *, on=None, **overrides) -> dict:
    values = {
        "observation_date": on or participant.day0_date,
        "temperature_c": Decimal("36.8"),
        "heart_rate": 82,
        "respiratory_rate": 18,
        "systolic_bp": 122,
        "diastolic_bp": 76,
        "spo2_percent": 96,
        "fio2_percent": 21,
        "oxygen_support": "room_air",
        "oxygen_flow_l_min": None,
        "pao2_fio2_mmhg": None,
        "who_score": 4,
        "fever": "absent",
        "cough": "present",
        "fatigue": "absent",
        "shortness_of_breath": "absent",
        "chest_tightness": "absent",
        "myalgia": "not_assessed",
        "diarrhoea": "absent",
        "other_symptoms": "absent",
        "other_symptoms_details": "",
    }
    values.update(overrides)
    return values


def lab_values(participant, *, analyte="il6", sample=None, **overrides) -> dict:
    from outcomes.models import Analyte

    values = {
        "analyte": Analyte.objects.get(code=analyte),
        "sample_datetime": sample or local_datetime(participant.day0_date, 7),
        "value": Decimal("12.5"),
        "detection_limit": "",
        "comment": "",
    }
    values.update(overrides)
    return values


def ct_values(participant, *, on=None, **overrides) -> dict:
    values = {
        "scan_date": on or participant.day0_date,
        "ground_glass_opacity": "present",
        "consolidation": "absent",
        "crazy_paving": "absent",
        "pleural_effusion": "absent",
        "other_findings": "",
        "extent_score": 8,
        "comparison": "first",
    }
    values.update(overrides)
    return values


def ae_values(participant, **overrides) -> dict:
    treated = participant.arm.receives_infusions
    onset = local_datetime(participant.day0_date + datetime.timedelta(days=1), 12)
    values = {
        "term": "Headache",
        "meddra_preferred_term": "",
        "meddra_code": "",
        "onset_datetime": onset,
        "resolution_datetime": onset + datetime.timedelta(hours=6),
        "grade": 1,
        "serious": False,
        "serious_death": False,
        "serious_life_threatening": False,
        "serious_hospitalisation": False,
        "serious_disability": False,
        "serious_congenital_anomaly": False,
        "serious_important_medical_event": False,
        "relation": "unlikely" if treated else "not_related",
        "attributed_to_progression": False,
        "expectedness": "expected",
        "action_taken": "none" if treated else "not_applicable",
        "outcome": "recovered",
        "infusion": None,
        "site_aware_datetime": None,
        "reported_datetime": None,
    }
    values.update(overrides)
    return values


def record(model, participant, values, *, user):
    """Save a record through the model layer (full_clean, then save), as every path does."""
    return record_save(model(participant=participant, **values), user=user, validate=True)


def end_study(participant, *, user, on, reason="discharged", **fields):
    from patients.models import EndOfStudy

    return services.end_of_study_record(
        end_of_study=EndOfStudy(participant=participant, end_reason=reason, end_date=on, **fields), user=user
    )


def qct_values(participant, *, on=None, **overrides) -> dict:
    return {
        "scan_date": on or participant.day0_date,
        "lesion_percent": Decimal("12.4"),
        "solid_percent": Decimal("3.1"),
        "ground_glass_percent": Decimal("9.2"),
        "software": "uAI Discover-NCP 1.2",
        "reader": "R01",
        **overrides,
    }


def walk_values(participant, *, on=None, **overrides) -> dict:
    return {
        "test_date": on or participant.day0_date,
        "distance_m": 420,
        "spo2_before": 97,
        "spo2_after": 93,
        "heart_rate_before": 78,
        "heart_rate_after": 112,
        "borg_dyspnoea": Decimal("3"),
        "stopped_early": False,
        "stop_reason": "",
        "oxygen_used": False,
        "oxygen_flow_l_min": None,
        **overrides,
    }


def lung_function_values(participant, *, on=None, **overrides) -> dict:
    return {
        "test_date": on or participant.day0_date,
        "fvc_l": Decimal("3.40"),
        "fvc_pct_predicted": 82,
        "fev1_l": Decimal("2.80"),
        "fev1_pct_predicted": 85,
        "fev1_fvc_pct_predicted": 101,
        "vc_max_l": Decimal("3.50"),
        "vc_max_pct_predicted": 83,
        "dlco_mmol_min_kpa": Decimal("6.10"),
        "dlco_pct_predicted": 71,
        "reference_equation": "gli2012",
        "reference_equation_other": "",
        **overrides,
    }


def mmrc_values(participant, *, on=None, **overrides) -> dict:
    return {"assessment_date": on or participant.day0_date, "grade": 1, **overrides}


def follow_up_values(participant, *, on=None, **overrides) -> dict:
    return {
        "visit_date": on or participant.day0_date,
        "vital_status": "alive",
        "readmitted": "no",
        "readmission_details": "",
        "new_symptoms": "no",
        "new_symptoms_details": "",
        "home_oxygen": "none",
        **overrides,
    }


# Values of one valid record per registered case report form, for fixtures that walk every form (the
# permission matrix, the registry test). A new form adds its line here, or its model offers example_values.
CRF_VALUES = {
    "observations": observation_values,
    "labs": lab_values,
    "ct": ct_values,
    "adverse-events": ae_values,
    "qct": qct_values,
    "six-minute-walk": walk_values,
    "lung-function": lung_function_values,
    "mmrc": mmrc_values,
    "follow-up": follow_up_values,
}


def crf_values(crf, participant) -> dict:
    if crf.key in CRF_VALUES:
        return CRF_VALUES[crf.key](participant)
    if hasattr(crf.model, "example_values"):
        return crf.model.example_values(participant)
    raise LookupError(
        f"No fixture values for the case report form {crf.key!r}: add them to tests/factories.CRF_VALUES."
    )

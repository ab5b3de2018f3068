"""factory_boy factories. Participants are built valid; tests break one thing at a time."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from patients import services
from patients.choices import ConsentGiver, Severity, Sex, YesNoUnknown
from patients.eligibility import CRITERIA
from patients.models import Arm, Participant, Site, SiteMembership

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
            if extracted in ("Coordinator", "Monitor"):
                self.is_staff = True
        self.save()

    @factory.post_generation
    def sites(self, create, extracted, **kwargs):
        for site in extracted or ():
            SiteMembership.objects.create(user=self, site=site)


def eligible_answers() -> dict[str, str]:
    return {criterion.code: criterion.required_answer for criterion in CRITERIA}


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


def enrolled_participant(*, user, site=None, arm_code="ucmsc", **fields) -> Participant:
    participant = screened_participant(user=user, site=site, **fields)
    consent(participant, user=user)
    return services.participant_enrol(
        participant=participant, user=user, requested_arm=Arm.objects.get(code=arm_code), enrolment_datetime=None
    )

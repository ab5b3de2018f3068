"""Demo data shaped like the published phase 1 trial (NCT04252118): one site, 18 enrolled
participants, 9 UC-MSC and 9 control, moderate and severe disease.

Baseline values are not published; those here are plausible choices made from a fixed seed, not facts.
Everything is written through the services, so the demo passes the same rules and audit as real data.
"""

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from patients import roles, services
from patients.casebook.choices import Severity, Sex
from patients.choices import ConsentGiver, YesNoUnknown
from patients.eligibility import current_criteria
from patients.models import Arm, Participant, Site, SiteMembership

DEMO_PASSWORD = "demo-ucmsc-2020!"
DEMO_USERS = [
    # username, role, is_staff
    ("clinician", roles.CLINICIAN, False),
    ("coordinator", roles.COORDINATOR, True),
    ("monitor", roles.MONITOR, True),
    ("statistician", roles.STATISTICIAN, False),
]
SITE_CODE = "01"
SITE_NAME = "Demo hospital (phase 1)"
PARTICIPANTS_PER_ARM = 9
# Severity at enrolment per arm, in order of enrolment (M moderate, S severe). The paper gives only that
# treated T1 and T4 were moderate and T6 severe; the rest is a plausible choice, controls a little sicker.
SEVERITY_PATTERN = {"ucmsc": "MMSMMSMSM", "control": "MSMSMSMSM"}
FIRST_ADMISSION = datetime.date(2020, 1, 28)


@transaction.atomic
def seed_demo(*, seed: int = 2020, participants: int = 2 * PARTICIPANTS_PER_ARM, sites: int = 1) -> dict:
    """Create the demo sites, users and participants if they are not there yet. Idempotent.

    The default is the published trial (one site, 18 participants); ``participants`` and ``sites`` scale it
    up for performance work: the participants are shared out over the sites, arms alternating, each site's
    casebooks shaped like the phase 1 ones.
    """
    all_sites = [
        Site.objects.get_or_create(
            code=f"{number:02d}" if number > 1 else SITE_CODE,
            defaults={"name": SITE_NAME if number == 1 else f"Demo hospital {number}"},
        )[0]
        for number in range(1, sites + 1)
    ]
    site = all_sites[0]
    users = {}
    for username, role, is_staff in DEMO_USERS:
        user, created = get_user_model().objects.get_or_create(username=username, defaults={"is_staff": is_staff})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        user.groups.add(Group.objects.get(name=role))
        for each in all_sites:
            SiteMembership.objects.get_or_create(user=user, site=each)
        users[role] = user

    for number, each in enumerate(all_sites):
        count = participants // sites + (1 if number < participants % sites else 0)
        if not Participant.objects.filter(site=each).exists():
            _seed_participants(site=each, user=users[roles.COORDINATOR], rng=random.Random(seed + number), count=count)
    return {
        "site": site,
        "sites": all_sites,
        "users": users,
        "participants": Participant.objects.filter(site__in=all_sites).count(),
    }


def _seed_participants(*, site, user, rng: random.Random, count: int) -> None:
    arms = [Arm.objects.get(code="ucmsc"), Arm.objects.get(code="control")]
    tz = timezone.get_current_timezone()
    # Alternate arms so both are spread over the enrolment period, as in a parallel-assigned trial.
    for index in range(count):
        arm = arms[index % 2]
        # A larger demo keeps admitting one person a day; everything stays in the past.
        admission = FIRST_ADMISSION + datetime.timedelta(days=index)
        pattern = SEVERITY_PATTERN[arm.code]
        severe = pattern[(index // 2) % len(pattern)] == "S"
        participant = screen_demo_person(
            site=site,
            user=user,
            rng=rng,
            admission=admission,
            severe=severe,
            screening_datetime=datetime.datetime.combine(admission, datetime.time(9, 0), tzinfo=tz)
            + datetime.timedelta(days=1),
        )
        enrolment = datetime.datetime.combine(
            admission + datetime.timedelta(days=rng.randint(1, 3)), datetime.time(10, 30), tzinfo=tz
        )
        services.consent_record(
            participant=participant,
            user=user,
            consent_datetime=enrolment - datetime.timedelta(hours=2),
            form_version="1.0",
            given_by=ConsentGiver.PARTICIPANT,
        )
        services.participant_enrol(participant=participant, user=user, requested_arm=arm, enrolment_datetime=enrolment)


def screen_demo_person(*, site, user, rng: random.Random, admission, severe: bool, screening_datetime) -> Participant:
    """Screen one plausible, eligible demo person (values from ``rng``) through the screening service."""
    sex = rng.choice([Sex.MALE, Sex.FEMALE])
    height = Decimal(rng.randint(152, 182))
    return services.participant_screen(
        site=site,
        user=user,
        answers={criterion.code: criterion.required_answer for criterion in current_criteria()},
        initials="".join(rng.choice("ABCDEFGHJKLMNPQRSTWXYZ") for _ in range(rng.choice([2, 3]))),
        sex=sex,
        # 30 to 70 years before the screening year (phase 1's 2020: born 1950-1990), so a demo seeded
        # today never screens someone who has aged past the protocol's 75.
        date_of_birth=datetime.date(
            screening_datetime.year - 70 + rng.randint(0, 40), rng.randint(1, 12), rng.randint(1, 28)
        ),
        # Weight from a plausible BMI (19-30 kg/m2) rather than independently of height.
        weight_kg=(Decimal(rng.uniform(19, 30)) * (height / 100) ** 2).quantize(Decimal("0.1")),
        height_cm=height,
        admission_date=admission,
        symptom_onset_date=admission - datetime.timedelta(days=rng.randint(3, 10)),
        severity=Severity.SEVERE if severe else Severity.MODERATE,
        hypertension=rng.choice([YesNoUnknown.YES, YesNoUnknown.NO, YesNoUnknown.NO]),
        diabetes=rng.choice([YesNoUnknown.YES, YesNoUnknown.NO, YesNoUnknown.NO, YesNoUnknown.NO]),
        cardiovascular_disease=rng.choice([YesNoUnknown.YES, YesNoUnknown.NO, YesNoUnknown.NO, YesNoUnknown.NO]),
        chronic_lung_disease=YesNoUnknown.NO,
        chronic_kidney_disease=YesNoUnknown.NO,
        chronic_liver_disease=rng.choice([YesNoUnknown.NO, YesNoUnknown.UNKNOWN]),
        screening_datetime=screening_datetime,
    )

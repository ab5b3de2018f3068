"""Paper archive migration benchmark (issue 19): ``--participants`` people screened on paper, migrated through
the participants' admin import (patients/archive_migration.py: screening, eligibility, consent, enrolment,
end of study, each through the ward form's service), against ``bulk_create`` of the same participants' rows
measured in the same run. Not a test: a measurement; the target is 1,000 participants in under a minute.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ucmsc_archive .venv/bin/python bench/archive_bench.py \
        [--participants 1000] [--sites 4] [--repeat 3] [--keep]

The database named by DATABASE_URL is scratch: dropped and created afresh (its name must contain "archive")
and migrated. The file: one row per person, a tenth of them screen failures (never consented or enrolled),
the others consented, enrolled to alternating arms on their screening day and discharged or dead weeks
later, over ``--sites`` sites, imported by a coordinator of every site. For each of ``--repeat`` runs it
times (a) ``bulk_create`` of the participants' rows (no rules, no history), rolled back: the anchor; (b) the
dry run (the admin's preview); (c) the confirmation (rolled back but for the last run, whose participants are
counted), and prints the medians: seconds, participants/s, and (b) and (c) as a fraction of (a).
Exits 1 if the import refuses a row.
"""

import argparse
import datetime
import os
import statistics
import sys
import time

import tablib
from import_bench import _Undo, import_seconds
from load_world import drop_database, scratch_database
from scale import production_settings


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=1000, help="people in the archive (default 1000)")
    parser.add_argument("--sites", type=int, default=4, help="sites they were screened at (default 4)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each, medians (default 3)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database afterwards")
    return parser.parse_args()


def archive(count: int, sites, investigators) -> tablib.Dataset:
    from django.utils import timezone

    from patients.eligibility import CRITERIA

    today = timezone.localdate()
    data = None
    for number in range(count):
        site = sites[number % len(sites)]
        admitted = today - datetime.timedelta(days=40 + number % 700)
        screened = datetime.datetime.combine(
            admitted + datetime.timedelta(days=1), datetime.time(9), tzinfo=datetime.UTC
        )
        failed = number % 10 == 0
        row = {
            "archive_id": f"PA-{number:06d}",
            "site": site.code,
            "initials": "ABC",
            "sex": "F" if number % 2 else "M",
            "date_of_birth": datetime.date(1955 + number % 40, 1 + number % 12, 1 + number % 28).isoformat(),
            "weight_kg": f"{55 + number % 40}.0",
            "height_cm": f"{150 + number % 40}.0",
            "admission_date": admitted.isoformat(),
            "symptom_onset_date": (admitted - datetime.timedelta(days=3 + number % 7)).isoformat(),
            "severity": "severe" if number % 3 else "moderate",
            **{name: "no" for name in ("hypertension", "diabetes", "cardiovascular_disease")},
            **{name: "unknown" for name in ("chronic_lung_disease", "chronic_kidney_disease", "chronic_liver_disease")},
            "other_comorbidities": "",
            "screening_datetime": screened.isoformat(),
            **{criterion.code: criterion.required_answer for criterion in CRITERIA},
            "consent_datetime": "",
            "consent_form_version": "",
            "consent_given_by": "",
            "consent_representative_relationship": "",
            "consent_obtained_by": "",
            "enrolment_datetime": "",
            "arm": "",
            "end_reason": "",
            "end_date": "",
            "icu_admission_date": "",
            "icu_discharge_date": "",
            "end_details": "",
        }
        if failed:
            row["exc_malignancy"] = "yes"
        else:
            row.update(
                {
                    "consent_datetime": (screened + datetime.timedelta(hours=1)).isoformat(),
                    "consent_form_version": "1.0",
                    "consent_given_by": "participant",
                    "consent_obtained_by": investigators[site.pk].username,
                    "enrolment_datetime": (screened + datetime.timedelta(hours=3)).isoformat(),
                    "arm": "ucmsc" if number % 2 else "control",
                    "end_reason": "died" if number % 25 == 1 else "discharged",
                    "end_date": (admitted + datetime.timedelta(days=10 + number % 25)).isoformat(),
                }
            )
        if data is None:
            data = tablib.Dataset(headers=list(row))
        data.append(list(row.values()))
    return data


def bulk_create_seconds(data, sites) -> float:
    """The anchor: the file's participants as bare rows (study IDs made up), in one bulk_create, rolled back."""
    from django.db import transaction
    from django.utils.dateparse import parse_date, parse_datetime

    from patients.archive_migration import SCREENING_FIELDS
    from patients.models import Participant

    by_code = {site.code: site for site in sites}
    rows = []
    for number, row in enumerate(data.dict):
        values = {key: row[key] for key in ("archive_id", *SCREENING_FIELDS)}
        for key in ("date_of_birth", "admission_date", "symptom_onset_date"):
            values[key] = parse_date(values[key])
        values["screening_datetime"] = parse_datetime(values["screening_datetime"])
        rows.append(
            Participant(
                site=by_code[row["site"]], study_id=f"B-{number:06d}", sequence_number=100000 + number, **values
            )
        )
    try:
        with transaction.atomic():
            start = time.perf_counter()
            Participant.objects.bulk_create(rows, batch_size=1000)
            elapsed = time.perf_counter() - start
            raise _Undo
    except _Undo:
        pass
    return elapsed


def main() -> int:
    args = parse_args()
    url = os.environ.get("DATABASE_URL", "")
    name = scratch_database(url, "archive")
    production_settings()
    import django

    django.setup()
    from django.core.management import call_command

    from patients.archive_migration import ArchiveMigrationResource
    from patients.models import Participant
    from tests.factories import SiteFactory, UserFactory

    call_command("migrate", verbosity=0)
    sites = [SiteFactory(code=f"{number + 1:02d}", name=f"Site {number + 1}") for number in range(args.sites)]
    investigators = {
        site.pk: UserFactory(username=f"investigator-{site.code}", role="Clinician", sites=[site]) for site in sites
    }
    coordinator = UserFactory(username="archive-coordinator", role="Coordinator", sites=sites)
    data = archive(args.participants, sites, investigators)
    anchors, dries, confirms = [], [], []
    for run in range(args.repeat):
        anchors.append(bulk_create_seconds(data, sites))
        dries.append(import_seconds(ArchiveMigrationResource, coordinator, data, dry_run=True, keep=False))
        last = run == args.repeat - 1
        confirms.append(import_seconds(ArchiveMigrationResource, coordinator, data, dry_run=False, keep=last))
        print(
            f"run {run + 1}: bulk_create {anchors[-1]:.2f} s, dry run {dries[-1]:.1f} s, confirm {confirms[-1]:.1f} s"
        )
    if Participant.objects.count() != args.participants:
        raise SystemExit(f"{Participant.objects.count()} participants stored for {args.participants} rows")
    anchor, dry, confirm = (statistics.median(times) for times in (anchors, dries, confirms))
    count = args.participants
    print("| participants | bulk_create s (anchor) | dry run s, per s (x anchor) | confirm s, per s (x anchor) |")
    print("|---|---|---|---|")
    print(
        f"| {count:,} | {anchor:.2f} | {dry:.1f}, {count / dry:,.0f}/s ({anchor / dry:.4f}) "
        f"| {confirm:.1f}, {count / confirm:,.0f}/s ({anchor / confirm:.4f}) |"
    )
    if not args.keep:
        drop_database(url, name)
    return 0


if __name__ == "__main__":
    sys.exit(main())

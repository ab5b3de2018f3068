"""Benchmark of the observations export (issue 7): not a test, a measurement.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ucmsc_bench .venv/bin/python bench/export_bench.py \
        [--participants 1000] [--days 100] [--keep]

Creates the database tables if needed (migrate), generates N participants x D days of daily observations
(plus 5 labs on every 10th day) at a bench-only site "BX", then times, each in a fresh child process so
its peak RSS is its own (spawned: a fresh interpreter with Django loaded):

  (a) the analysis export of the observations domain (ucmsc_crf.analysis: COPY on PostgreSQL),
  (b) the django-import-export admin export of the same rows (the resource the admin uses),
  (c) PostgreSQL ``COPY (SELECT ...) TO STDOUT WITH CSV`` of the same rows through psycopg 3,

and prints rows/s and peak RSS for each, and the ratios a/c and a/b. The bench site's rows are removed at
the end unless --keep. It refuses to run on a database holding participants of any other site.
"""

import argparse
import datetime
import multiprocessing
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ucmsc_crf.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from load_world import peak_rss_mb  # noqa: E402

from outcomes.models import Analyte, DailyObservation, LabResult  # noqa: E402
from patients.casebook.exports import export_resource_for  # noqa: E402
from patients.models import Arm, Consent, Participant, Site  # noqa: E402
from ucmsc_crf.analysis.bundle import domain_blocks  # noqa: E402
from ucmsc_crf.analysis.columns import Options  # noqa: E402
from ucmsc_crf.analysis.domains import domains  # noqa: E402

SITE = "BX"
BATCH = 5000


def generate(participants: int, days: int) -> int:
    site, _ = Site.objects.get_or_create(code=SITE, defaults={"name": "Benchmark (generated)"})
    if Participant.objects.filter(site=site).exists():
        if Participant.objects.filter(site=site).count() == participants:
            return DailyObservation.objects.filter(participant__site=site).count()
        cleanup()
        site = Site.objects.create(code=SITE, name="Benchmark (generated)")
    user, _ = get_user_model().objects.get_or_create(username="bench")
    rng = random.Random(7)
    day0 = datetime.date(2020, 1, 1)
    enrolled = datetime.datetime(2020, 1, 1, 10, tzinfo=timezone.get_current_timezone())
    people = [
        Participant(
            site=site,
            sequence_number=i,
            study_id=f"{SITE}-{i:05d}",
            initials="BX",
            sex=rng.choice("MF"),
            date_of_birth=datetime.date(1950 + i % 40, 1 + i % 12, 1 + i % 28),
            weight_kg=Decimal("70.0"),
            height_cm=Decimal("170.0"),
            admission_date=day0 - datetime.timedelta(days=1),
            symptom_onset_date=day0 - datetime.timedelta(days=6),
            severity=rng.choice(["moderate", "severe"]),
            hypertension="no",
            diabetes="no",
            cardiovascular_disease="no",
            chronic_lung_disease="no",
            chronic_kidney_disease="no",
            chronic_liver_disease="unknown",
            screening_datetime=enrolled - datetime.timedelta(hours=3),
        )
        for i in range(1, participants + 1)
    ]
    with transaction.atomic():
        # Bulk inserts: no history, no study-ID counter. Bench data only, never trial data.
        Participant.objects.bulk_create(people, batch_size=BATCH)
        people = list(Participant.objects.filter(site=site).order_by("pk"))
        Consent.objects.bulk_create(
            [
                Consent(
                    participant=p,
                    consent_datetime=enrolled - datetime.timedelta(hours=2),
                    form_version="1.0",
                    given_by="participant",
                    obtained_by=user,
                )
                for p in people
            ],
            batch_size=BATCH,
        )
        arms = list(Arm.objects.values_list("pk", flat=True))
        with connection.cursor() as cursor:
            # Enrolment by SQL (the queryset refuses bulk updates): the database triggers still check consent.
            cursor.execute(
                "UPDATE patients_participant SET status = 'completed', arm_id = %s, enrolment_datetime = %s, "
                "day0_date = %s WHERE site_id = %s",
                [arms[0], enrolled, day0, site.pk],
            )
        batch = []
        for p in people:
            for d in range(days):
                batch.append(
                    DailyObservation(
                        participant=p,
                        observation_date=day0 + datetime.timedelta(days=d),
                        temperature_c=Decimal(f"{rng.uniform(36, 39.5):.1f}"),
                        heart_rate=rng.randint(60, 120),
                        respiratory_rate=rng.randint(12, 30),
                        systolic_bp=rng.randint(100, 150),
                        diastolic_bp=rng.randint(60, 90),
                        spo2_percent=rng.randint(88, 99),
                        fio2_percent=21,
                        oxygen_support="room_air",
                        who_score=4,
                        fever=rng.choice(["present", "absent"]),
                        cough=rng.choice(["present", "absent", "not_assessed"]),
                        fatigue="absent",
                        shortness_of_breath="absent",
                        chest_tightness="absent",
                        myalgia="absent",
                        diarrhoea="absent",
                        other_symptoms="absent",
                        review_status="submitted",
                    )
                )
                if len(batch) >= BATCH:
                    DailyObservation.objects.bulk_create(batch)
                    batch = []
        DailyObservation.objects.bulk_create(batch)
        analytes = list(Analyte.objects.filter(code__in=["wbc", "lymphocytes", "crp", "il6", "igg"]))
        labs = []
        for p in people:
            for d in range(0, days, 10):
                sampled = enrolled + datetime.timedelta(days=d, hours=-3)
                labs += [
                    LabResult(
                        participant=p,
                        analyte=a,
                        sample_datetime=sampled,
                        value=Decimal(f"{rng.uniform(1, 100):.3f}"),
                        unit=a.unit,
                    )
                    for a in analytes
                ]
            if len(labs) >= BATCH:
                LabResult.objects.bulk_create(labs)
                labs = []
        LabResult.objects.bulk_create(labs)
    return participants * days


def observations_domain():
    return next(d for d in domains(Options()) if d.name == "daily_observations")


def run_a(site_id, use_copy=None):
    counter = [0]
    size = sum(len(b) for b in _scoped_blocks(site_id, counter, use_copy))
    return counter[0], size


def run_a_orm(site_id):
    return run_a(site_id, use_copy=False)


def _scoped_blocks(site_id, counter, use_copy):
    domain = observations_domain()
    original = domain.queryset
    domain.queryset = lambda user: original(user).filter(participant__site_id=site_id)
    return domain_blocks(domain, user=None, options=Options(), counter=counter, use_copy=use_copy)


def run_b(site_id):
    export = export_resource_for(DailyObservation)()
    queryset = DailyObservation.objects.filter(participant__site_id=site_id).select_related(*export.related_paths)
    data = export.export(queryset=queryset.order_by("participant__study_id", "observation_date"))
    return len(data), len(data.csv.encode())


def run_c(site_id):
    size = 0
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        query = (
            "COPY (SELECT o.* FROM outcomes_dailyobservation o JOIN patients_participant p ON p.id = o.participant_id "
            "WHERE p.site_id = %s ORDER BY p.study_id, o.observation_date) TO STDOUT WITH (FORMAT csv, HEADER)"
        )
        with cursor.copy(query, (site_id,)) as copy:
            for block in copy:
                size += len(block)
        rows = cursor.rowcount
    return rows, size


def _child(name, site_id, queue):
    connection.close()
    before = peak_rss_mb()
    started = time.perf_counter()
    runs = {"a": run_a, "a-orm": run_a_orm, "b": run_b, "c": run_c, "idle": lambda s: (0, 0)}
    rows, size = runs[name](site_id)
    elapsed = time.perf_counter() - started
    queue.put((rows, size, elapsed, before, peak_rss_mb()))


def measure(name, site_id):
    queue = multiprocessing.get_context("spawn").Queue()
    connection.close()
    process = multiprocessing.get_context("spawn").Process(target=_child, args=(name, site_id, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def cleanup():
    site = Site.objects.filter(code=SITE).first()
    if site is None:
        return
    with connection.cursor() as cursor:
        for table in ("outcomes_labresult", "outcomes_dailyobservation", "patients_consent"):
            cursor.execute(
                f"DELETE FROM {table} WHERE participant_id IN (SELECT id FROM patients_participant WHERE site_id = %s)",
                [site.pk],
            )
        cursor.execute("DELETE FROM patients_participant WHERE site_id = %s", [site.pk])
        cursor.execute("DELETE FROM patients_site WHERE id = %s", [site.pk])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument("--days", type=int, default=100)
    parser.add_argument("--keep", action="store_true", help="keep the generated rows")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    if Participant.objects.exclude(site__code=SITE).exists():
        sys.exit("This database holds trial participants: run the benchmark on a scratch database.")
    started = time.perf_counter()
    rows = generate(args.participants, args.days)
    print(f"{connection.vendor}: {rows:,} observation rows ready in {time.perf_counter() - started:.1f} s")
    site_id = Site.objects.get(code=SITE).pk
    results = {}
    _, _, _, _, idle_peak = measure("idle", site_id)
    print(f"child process baseline peak RSS: {idle_peak:.0f} MB")
    labels = {
        "a": "analysis export",
        "a-orm": "analysis, ORM path",
        "b": "import-export admin",
        "c": "COPY TO STDOUT",
    }
    for name in ("a", "a-orm", "b", "c"):
        if name in ("c", "a-orm") and connection.vendor != "postgresql":
            continue
        count, size, elapsed, _, peak = measure(name, site_id)
        results[name] = count / elapsed
        print(
            f"({name:>5}) {labels[name]:<22} {count:>9,} rows {size / 1e6:7.1f} MB {elapsed:6.2f} s "
            f"{results[name]:>10,.0f} rows/s  peak RSS {peak:6.0f} MB"
        )
    if "c" in results:
        print(f"a/c = {results['a'] / results['c']:.2f} (target >= 0.33)")
    print(f"a/b = {results['a'] / results['b']:.1f} (target >= 10)")
    if not args.keep:
        cleanup()


if __name__ == "__main__":
    main()

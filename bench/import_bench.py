"""Import benchmark (issue 19): daily observations and lab results loaded through the resources the admin
uses (every rule, site scoping, casebook locks, one history row per record), against ``bulk_create`` of the
same rows measured in the same run. Not a test: a measurement.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ucmsc_import .venv/bin/python bench/import_bench.py \
        [--participants 100] [--keep]

The database named by DATABASE_URL is scratch: dropped and created afresh (its name must contain "import"),
migrated, and given ``--participants`` generated participants (tests/world.py) whose daily observations and
lab results are held back: those are the files imported, as a transcribed paper archive or a lab system's
export would bring them. For each file it times, in this process with production settings:

  (a) ``bulk_create`` of the same records (no rules, no history), rolled back: the anchor;
  (b) the import's dry run (the admin's preview), and (c) its confirmation, as a coordinator of every site
      (all but the last repetition rolled back; the last one's records and history rows are counted);

and prints the medians of ``--repeat`` runs as rows/s, each as a fraction of (a); SQL queries per row; and the
import's peak Python memory (tracemalloc, a dry run) for the first half of the file and for the whole file,
which shows whether memory grows with the number of rows. Exits 1 if the import refuses a row.
"""

import argparse
import os
import statistics
import sys
import time

import tablib
from load_world import drop_database, scratch_database
from scale import production_settings


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=100, help="generated participants (default 100)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each, medians (default 3)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database afterwards")
    return parser.parse_args()


class _Undo(Exception):
    pass


def bulk_create_seconds(model, records) -> float:
    from django.db import transaction

    copies = [model(**{f.attname: getattr(r, f.attname) for f in model._meta.concrete_fields}) for r in records]
    try:
        with transaction.atomic():
            start = time.perf_counter()
            model.objects.bulk_create(copies, batch_size=2000)
            elapsed = time.perf_counter() - start
            raise _Undo
    except _Undo:
        pass
    return elapsed


def import_seconds(resource_class, user, data, *, dry_run: bool, keep: bool = True) -> float:
    """One import, timed; a confirmation that is not kept is rolled back after the clock stops."""
    from django.db import transaction

    try:
        with transaction.atomic():
            start = time.perf_counter()
            result = resource_class(user=user).import_data(
                data, dry_run=dry_run, use_transactions=True, rollback_on_validation_errors=True, file_name="bench.csv"
            )
            elapsed = time.perf_counter() - start
            if not keep:
                raise _Undo
    except _Undo:
        pass
    if result.has_errors() or result.has_validation_errors():
        problems = [str(e.error) for e in result.base_errors] + [
            f"row {row.number}: {row.error_dict}" for row in result.invalid_rows[:3]
        ]
        raise SystemExit(f"the import refused the file: {problems[:3]}")
    return elapsed


def peak_memory_mb(resource_class, user, data) -> float:
    """The dry run's peak Python memory (tracemalloc), in MB."""
    import tracemalloc

    tracemalloc.start()
    try:
        resource_class(user=user).import_data(data, dry_run=True, use_transactions=True, file_name="bench.csv")
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def queries_per_row(resource_class, user, data, sample: int = 200) -> float:
    from django.db import connection

    head = tablib.Dataset(*list(data)[:sample], headers=data.headers)
    count = [0]

    def counted(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counted):
        resource_class(user=user).import_data(head, dry_run=True, use_transactions=True, file_name="bench.csv")
    return count[0] / len(head)


def main() -> int:
    args = parse_args()
    url = os.environ.get("DATABASE_URL", "")
    name = scratch_database(url, "import")
    production_settings()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from outcomes.models import DailyObservation, LabResult
    from outcomes.resources import DailyObservationResource, LabResultResource
    from tests.factories import UserFactory
    from tests.world import dataset_for, generate

    call_command("migrate", verbosity=0)
    world = generate(args.participants, withhold=(DailyObservation, LabResult))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    coordinator = UserFactory(username="import-coordinator", role="Coordinator", sites=world.sites)
    print(f"{args.participants} participants generated; importing what they hold back", flush=True)
    print(
        "| file | rows | bulk_create rows/s (anchor) | dry run rows/s (x anchor) | confirm rows/s (x anchor) "
        "| queries/row | peak memory, half / whole file |"
    )
    print("|---|---|---|---|---|---|---|")
    for model, resource_class in ((DailyObservation, DailyObservationResource), (LabResult, LabResultResource)):
        records = world.withheld[model]
        data = dataset_for(resource_class(user=coordinator), records)
        per_row = queries_per_row(resource_class, coordinator, data)
        half = tablib.Dataset(*list(data)[: len(data) // 2], headers=data.headers)
        memory = [peak_memory_mb(resource_class, coordinator, part) for part in (half, data)]
        anchors, dries, confirms = [], [], []
        for run in range(args.repeat):
            anchors.append(bulk_create_seconds(model, records))
            dries.append(import_seconds(resource_class, coordinator, data, dry_run=True))
            confirms.append(
                import_seconds(resource_class, coordinator, data, dry_run=False, keep=run == args.repeat - 1)
            )
        stored = model.objects.count()
        if stored != len(records) or model.history.count() != len(records):
            raise SystemExit(f"{stored} {model._meta.verbose_name_plural} stored for {len(records)} rows")
        anchor, dry, confirm = (len(records) / statistics.median(times) for times in (anchors, dries, confirms))
        print(
            f"| {model._meta.verbose_name_plural} | {len(records):,} | {anchor:,.0f} | {dry:,.0f} ({dry / anchor:.3f}) "
            f"| {confirm:,.0f} ({confirm / anchor:.3f}) | {per_row:.2f} | {memory[0]:.1f} / {memory[1]:.1f} MB |",
            flush=True,
        )
    if not args.keep:
        drop_database(url, name)
    return 0


if __name__ == "__main__":
    sys.exit(main())

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
  (b) the import's dry run (the admin's preview), and (c) its confirmation, as a coordinator of every site;

and prints rows/s, each as a fraction of (a), and SQL queries per row (counted on the first 200 rows).
Exits 1 if the import refuses a row.
"""

import argparse
import os
import sys
import time

import tablib
from load_world import drop_database, scratch_database
from scale import production_settings


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=100, help="generated participants (default 100)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database afterwards")
    return parser.parse_args()


class _Undo(Exception):
    pass


def dataset_for(resource, records) -> tablib.Dataset:
    """The file an import would bring: the resource's own columns, each value as its widget writes it."""
    fields = resource.get_import_fields()
    data = tablib.Dataset(headers=[field.column_name for field in fields])
    for record in records:
        data.append([resource.export_field(field, record) for field in fields])
    return data


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


def import_seconds(resource_class, user, data, *, dry_run: bool) -> float:
    start = time.perf_counter()
    result = resource_class(user=user).import_data(
        data, dry_run=dry_run, use_transactions=True, rollback_on_validation_errors=True, file_name="bench.csv"
    )
    elapsed = time.perf_counter() - start
    if result.has_errors() or result.has_validation_errors():
        problems = [str(e.error) for e in result.base_errors] + [
            f"row {row.number}: {row.error_dict}" for row in result.invalid_rows[:3]
        ]
        raise SystemExit(f"the import refused the file: {problems[:3]}")
    return elapsed


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
    from tests.world import generate

    call_command("migrate", verbosity=0)
    world = generate(args.participants, withhold=(DailyObservation, LabResult))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    coordinator = UserFactory(username="import-coordinator", role="Coordinator", sites=world.sites)
    print(f"{args.participants} participants generated; importing what they hold back", flush=True)
    print(
        "| file | rows | bulk_create rows/s (anchor) | dry run rows/s (x anchor) | confirm rows/s (x anchor) "
        "| queries/row |"
    )
    print("|---|---|---|---|---|---|")
    for model, resource_class in ((DailyObservation, DailyObservationResource), (LabResult, LabResultResource)):
        records = world.withheld[model]
        data = dataset_for(resource_class(user=coordinator), records)
        anchor = len(records) / bulk_create_seconds(model, records)
        per_row = queries_per_row(resource_class, coordinator, data)
        dry = len(records) / import_seconds(resource_class, coordinator, data, dry_run=True)
        confirm = len(records) / import_seconds(resource_class, coordinator, data, dry_run=False)
        stored = model.objects.count()
        if stored != len(records) or model.history.count() != len(records):
            raise SystemExit(f"{stored} {model._meta.verbose_name_plural} stored for {len(records)} rows")
        print(
            f"| {model._meta.verbose_name_plural} | {len(records):,} | {anchor:,.0f} | {dry:,.0f} ({dry / anchor:.4f}) "
            f"| {confirm:,.0f} ({confirm / anchor:.4f}) | {per_row:.1f} |",
            flush=True,
        )
    if not args.keep:
        drop_database(url, name)
    return 0


if __name__ == "__main__":
    sys.exit(main())

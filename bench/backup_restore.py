"""Backup and restore round trip (PostgreSQL): dump the database, restore it into a fresh one, and check
that nothing was lost or changed.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ucmsc_demo .venv/bin/python bench/backup_restore.py [--keep]

1. ``pg_dump --format=custom`` of DATABASE_URL (the documented backup);
2. ``pg_restore`` into a new database ``<name>_restore_check`` (the documented restore);
3. compares the row count of every table, and the SHA-256 of every CSV of the analysis bundle
   (``manage.py export_analysis``, every site, run against each database);
4. exits 1 on any difference. The restored database is dropped unless --keep.
"""

import argparse
import hashlib
import io
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def table_counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
                "AND table_type = 'BASE TABLE' ORDER BY table_name"
            )
        ]
        return {
            table: conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()[0]
            for table in tables
        }


def bundle_checksums(url: str) -> dict[str, str]:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "bundle.zip"
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_DEBUG": os.environ.get("DJANGO_DEBUG", "1")}
        subprocess.run(
            [sys.executable, "manage.py", "export_analysis", str(out)],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        archive = zipfile.ZipFile(io.BytesIO(out.read_bytes()))
        # README.txt holds the export time; the data files must be identical byte for byte.
        return {
            name: hashlib.sha256(archive.read(name)).hexdigest() for name in archive.namelist() if name.endswith(".csv")
        }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", action="store_true", help="keep the restored database")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to the PostgreSQL database to back up.")
    source = urlsplit(url).path.lstrip("/")
    target = f"{source}_restore_check"
    admin_url = with_database(url, "postgres")
    with tempfile.TemporaryDirectory() as folder:
        dump = Path(folder) / f"{source}.dump"
        subprocess.run(["pg_dump", "--format=custom", "--file", str(dump), "--dbname", url], check=True)
        print(f"backup: pg_dump --format=custom -> {dump.stat().st_size:,} bytes")
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(target)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target)))
        restored_url = with_database(url, target)
        subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", "--dbname", restored_url, str(dump)], check=True)
        print(f"restore: pg_restore into {target}")
    try:
        before, after = table_counts(url), table_counts(restored_url)
        differing = {
            t: (before.get(t), after.get(t)) for t in set(before) | set(after) if before.get(t) != after.get(t)
        }
        print(f"tables: {len(before)}, rows: {sum(before.values()):,}; differing tables: {len(differing)}")
        sums_before, sums_after = bundle_checksums(url), bundle_checksums(restored_url)
        changed = sorted(name for name in sums_before if sums_before[name] != sums_after.get(name))
        print(f"analysis bundle: {len(sums_before)} CSV files; differing checksums: {len(changed)}")
        for table, (was, now) in sorted(differing.items()):
            print(f"  DIFFERENT {table}: {was} -> {now}")
        for name in changed:
            print(f"  DIFFERENT {name}")
        ok = not differing and not changed and sums_before.keys() == sums_after.keys()
        print("restore check: " + ("identical" if ok else "FAILED"))
    finally:
        if not args.keep:
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(target)))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

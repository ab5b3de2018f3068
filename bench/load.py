"""Load test (issue 9): gunicorn on PostgreSQL, two app servers, clinicians entering data at once.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ucmsc_load .venv/bin/python bench/load.py \
        [--duration 60] [--clinicians 20] [--editors 2] [--servers 2] [--workers 2] [--threads 8] [--keep]

The database named by DATABASE_URL is scratch: it is dropped and created afresh (its name must contain
"load"), migrated, and given one site, 20 + 1 enrolled participants and a clinician account per client.
Then it starts ``--servers`` gunicorn processes (gunicorn.conf.py; production settings: DEBUG off,
manifest static files) on consecutive ports from 8101, all on that one database, and runs for
``--duration`` seconds:

- each of ``--clinicians`` clients logs in and enters daily observations for its own participant, one
  day after another: open the form (GET), save it (POST). Every tenth save is deliberately wrong
  (diastolic above systolic) and must be refused with the field's message;
- ``--editors`` clients work on one shared participant: in turn they correct the same observation
  (opened at a version, saved with a reason: one of two racing edits is refused "changed ... since you
  opened it") and record the next day (both aim at the same day: one is refused "already recorded");
- two clients load the login page, a view that reads nothing from the database: the anchor that makes
  the latencies comparable between machines.

Every client sends each request to the next server in turn, so a session begun on one server is used on
the other: the servers share nothing but the database.

Afterwards it checks, from the database: no 5xx and no failed connection; every accepted observation in
the database exactly once and nothing else; every refused save refused with a validation or conflict
message and leaving no trace; audit (history) rows equal to the accepted writes, each with its user; the
shared record's version equals one plus the accepted edits; no traceback in the servers' logs. It prints
requests/s and p50/p95 latency per request kind and exits 1 if a check failed.
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

from load_checks import check, report
from load_clients import run_clients
from load_world import drop_database, scratch_database, server_env, set_up, start_servers, stop_servers


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (default 60)")
    parser.add_argument("--clinicians", type=int, default=20, help="clients, each with its own participant")
    parser.add_argument("--editors", type=int, default=2, help="clients sharing one participant")
    parser.add_argument("--servers", type=int, default=2, help="gunicorn processes (on free ports)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument("--threads", type=int, default=8, help="threads per gunicorn worker")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database afterwards")
    return parser.parse_args()


# --- the scratch database -------------------------------------------------------------------------------


def main() -> int:
    args = parse_args()
    url = os.environ.get("DATABASE_URL", "")
    name = scratch_database(url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ucmsc_crf.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")  # this process only sets up and checks; servers run DEBUG off
    import django

    django.setup()
    from django.db import connection

    fixture = set_up(args)
    connection.close()
    with tempfile.TemporaryDirectory(prefix="ucmsc-load-") as tmp:
        logs = Path(tmp)
        servers = start_servers(args, server_env(args, url, str(logs / "static")), logs)
        try:
            samples, ledger, seconds = run_clients(args, fixture, [port for port, _, _ in servers])
        finally:
            stop_servers(servers)
        checks = check(fixture, samples, ledger, logs)
        if not all(passed for _, passed, _ in checks):
            for path in sorted(logs.glob("gunicorn-*.log")):
                print(f"--- {path.name} (last 40 lines)\n" + "\n".join(path.read_text().splitlines()[-40:]))
    passed = report(samples, seconds, checks, args)
    connection.close()
    if not args.keep:
        drop_database(url, name)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())

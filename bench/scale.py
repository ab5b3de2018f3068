"""Scale benchmark (issue 19): the app's pages and reports at two trial sizes, each timed against the login
page measured in the same run. Not a test: a measurement.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ucmsc_scale .venv/bin/python bench/scale.py \
        [--sizes 1000,10000] [--repeat 3] [--keep] [--no-checks]

The database named by DATABASE_URL is scratch: dropped and created afresh (its name must contain "scale"),
migrated, then grown in steps to each size with the bulk generator (tests/world.py: 10 sites, a realistic
casebook per participant, one history row per record). At each size it requests every page below through
Django's test client in this process, with production settings (DEBUG off, cached templates), as the user
who would open it, ``--repeat`` times after one warm-up, and prints the median time, the number of SQL
queries, and the ratios: to the login page (a page that reads nothing from the database, requested just before
each of the page's requests: a paired anchor) and, for the last
size, to the first. Exits 1 if a page answers anything but 200.
"""

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from load_world import drop_database, scratch_database  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="participants at each step (default 1000,10000)")
    parser.add_argument("--repeat", type=int, default=3, help="timed requests per page and size (default 3)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database afterwards")
    parser.add_argument("--no-checks", action="store_true", help="skip the nightly data checks' timing")
    return parser.parse_args()


def production_settings() -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "ucmsc_crf.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_SESSION_COOKIE_SECURE": "0",
            "DJANGO_CSRF_COOKIE_SECURE": "0",
            "DJANGO_SECURE_HSTS_SECONDS": "0",
            "DJANGO_LOG_LEVEL": "WARNING",
            # Manifest static files, as in production: collected into a scratch directory first.
            "DJANGO_STATIC_ROOT": tempfile.mkdtemp(prefix="ucmsc-scale-static-"),
        }
    )


def pages(participant) -> list[tuple[str, str, str]]:
    """(what, who, url): every page issue 19 names, as the user who opens it."""
    from django.urls import reverse

    return [
        ("login page (the anchor, against itself)", "", reverse("login")),
        ("participant list", "coordinator", reverse("participant-list")),
        ("subject matrix", "coordinator", reverse("subject-matrix")),
        # Filtered by the visits' states: from the states kept per block (matrix_states.py), and right after a
        # record change (that participant's block worked out again).
        ("subject matrix, needs my action", "coordinator", reverse("subject-matrix") + "?needs=action"),
        (
            "subject matrix, needs my action, after a record change",
            "coordinator",
            reverse("subject-matrix") + "?needs=action&after=change",
        ),
        ("participant page", "coordinator", reverse("participant-detail", args=[participant.study_id])),
        ("trial summary report", "coordinator", reverse("report")),
        # The same page when a record has just changed (one participant's block gathered again, report_cache.py),
        # and after a change to the trial's set-up (an arm, an analyte, the schedule: every block gathered again).
        ("trial summary report, after a record change", "coordinator", reverse("report") + "?after=change"),
        ("trial summary report, after a set-up change", "coordinator", reverse("report") + "?after=setup"),
        ("admin: participants", "admin", reverse("admin:patients_participant_changelist")),
        ("admin: daily observations", "admin", reverse("admin:outcomes_dailyobservation_changelist")),
        ("admin: lab results", "admin", reverse("admin:outcomes_labresult_changelist")),
    ]


def measure(client, url: str, repeat: int, participant, anchor) -> tuple[float, int, float]:
    """The page's median time and queries, and the median time of the login page requested (by ``anchor``, a
    client of its own) just before each of the page's requests: a paired anchor, so a page is compared with
    the login page measured under the same conditions, not minutes earlier."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from patients.casebook.data_version import _move, _move_blocks, block_of

    response = client.get(url)  # warm-up: caches, the first compile of templates
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    times, logins = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        anchor.get(reverse("login"))
        logins.append(time.perf_counter() - start)
        if url.endswith("after=change"):
            _move_blocks({block_of(participant.pk)})  # as a committed change to one of their records does
        elif url.endswith("after=setup"):
            _move()  # as a committed change to the trial's set-up does
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            client.get(url)
            times.append(time.perf_counter() - start)
    return statistics.median(times), len(queries), statistics.median(logins)


class _Undo(Exception):
    pass


def data_checks() -> tuple[float, float, int, int]:
    """The nightly data checks' first run and a rerun at this size, in a transaction rolled back afterwards
    (so every size's first run is a first run): seconds each, findings, queries raised."""
    from django.db import transaction

    from ucmsc_crf.data_checks import run_data_checks

    try:
        with transaction.atomic():
            start = time.perf_counter()
            first = run_data_checks()
            middle = time.perf_counter()
            again = run_data_checks()
            end = time.perf_counter()
            if again["raised"]:
                raise SystemExit(f"the rerun raised {again['raised']} queries again")
            raise _Undo
    except _Undo:
        pass
    return middle - start, end - middle, first["findings"], first["raised"]


def main() -> int:
    args = parse_args()
    url = os.environ.get("DATABASE_URL", "")
    name = scratch_database(url, "scale")
    production_settings()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from patients.models import Participant
    from tests.factories import UserFactory
    from tests.world import generate

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    sizes = [int(s) for s in args.sizes.split(",")]
    results: dict[int, dict[str, tuple[float, int]]] = {}
    checks: dict[int, tuple] = {}
    sites = 10
    admin = UserFactory(username="scale-admin", is_superuser=True, is_staff=True)
    coordinator = None
    grown = 0
    for size in sizes:
        start = time.perf_counter()
        world = generate(size - grown, sites=sites)
        elapsed = time.perf_counter() - start
        print(
            f"generated {size - grown} participants ({world.total_rows} rows, with as many history rows) "
            f"in {elapsed:.1f} s: {world.total_rows / elapsed:,.0f} rows/s",
            flush=True,
        )
        sites, grown = world.sites, size
        # Bulk-loaded tables have no planner statistics until autovacuum gets to them: a live trial's have.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        if coordinator is None:
            coordinator = UserFactory(username="scale-coordinator", role="Coordinator", sites=world.sites)
        # The same participant at every size: the first whose stay has ended, a full casebook.
        participant = Participant.objects.filter(status="completed").order_by("pk").first()
        clients = {"": Client()}
        for who, user in (("coordinator", coordinator), ("admin", admin)):
            clients[who] = Client()
            clients[who].force_login(user)
        results[size] = {
            what: measure(clients[who], page, args.repeat, participant, clients[""])
            for what, who, page in pages(participant)
        }
        if args.no_checks:
            continue
        checks[size] = data_checks()
        print(
            f"data checks at {size:,}: first run {checks[size][0]:.1f} s ({checks[size][2]:,} findings, "
            f"{checks[size][3]:,} queries raised), rerun {checks[size][1]:.1f} s",
            flush=True,
        )
    # Each page against the login page requested just before each of its requests (the anchor: the process
    # itself gets slower as the run goes on, login included), and how that ratio grows from the first size to
    # the last.
    first, last = sizes[0], sizes[-1]

    def ratio(size, what) -> float:
        page, _, login = results[size][what]
        return page / login

    header = ["page"] + [f"{s:,}: ms (queries), login ms, x login" for s in sizes]
    if len(sizes) > 1:
        header.append(f"x login, {last:,} / {first:,}")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for what in results[first]:
        cells = [what] + [
            f"{results[s][what][0] * 1000:.1f} ({results[s][what][1]}), {results[s][what][2] * 1000:.1f}, "
            f"{ratio(s, what):.1f}"
            for s in sizes
        ]
        if len(sizes) > 1:
            cells.append(f"{ratio(last, what) / ratio(first, what):.2f}")
        print("| " + " | ".join(cells) + " |")
    for size in checks:
        first, again, findings, raised = checks[size]
        print(f"| data checks, first run ({findings:,} findings) | {size:,}: {first:.1f} s | rerun {again:.1f} s |")
    if not args.keep:
        drop_database(url, name)
    return 0


if __name__ == "__main__":
    sys.exit(main())

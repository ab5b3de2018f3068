"""Benchmark of the CDISC exports (issue 31: the ODM file; issue 32: the SDTM package, ``--writer sdtm``): the
time and peak memory of the whole trial's file against the analysis bundle of the same data, measured in the
same run. Not a test: a measurement.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ucmsc_odm .venv/bin/python bench/odm_bench.py \
        [--participants 1000] [--repeat 3] [--keep] [--reuse]

The database named by DATABASE_URL is scratch: dropped and created afresh (its name must contain "odm"),
migrated, and filled by the bulk generator (tests/world.py: 10 sites, a realistic casebook per participant,
one history row per record). Then, ``--repeat`` times, each export runs in a fresh child process (spawned, so
its peak RSS is its own), the bundle and the ODM file in turn, as one study-wide unblinded user (the fullest
file); each writes its bytes to nowhere. Printed: each run's seconds, megabytes and peak RSS, and the median
ratio ODM / bundle (the issue's target: within 3 x). ``--keep`` leaves the database; ``--reuse`` measures on
the one a ``--keep`` run left (growing 10,000 participants takes minutes; measuring a change should not).

``--http`` measures them as a user pays for them: each download from a fresh gunicorn (one worker, started
for it, the user logged in first), timed from the request to the last byte read, with the worker's peak RSS.
"""

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from load_world import drop_database, peak_rss_mb, scratch_database, server_env, start_servers, stop_servers  # noqa: E402

USERNAME = "odm-bench"


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ucmsc_crf.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    import django

    django.setup()


def _export(what: str, queue) -> None:
    _setup()
    from django.contrib.auth import get_user_model

    from ucmsc_crf.analysis.bundle import bundle_chunks
    from ucmsc_crf.odm.writer import odm_chunks
    from ucmsc_crf.sdtm.package import package_chunks

    user = get_user_model().objects.get(username=USERNAME)
    start = time.perf_counter()
    size = 0
    writers = {"bundle": bundle_chunks, "odm": odm_chunks, "sdtm": package_chunks}
    for chunk in writers[what](user=user):
        size += len(chunk)
    queue.put((time.perf_counter() - start, size, peak_rss_mb()))


def measure(what: str) -> tuple[float, int, float]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=_export, args=(what, queue))
    child.start()
    while True:  # a child that fails puts nothing: say so instead of waiting for ever
        try:
            result = queue.get(timeout=5)
            break
        except Exception:  # queue.Empty
            if not child.is_alive():
                sys.exit(f"the {what} export failed in its process (exit code {child.exitcode}): see above")
    child.join()
    return result


PATHS = {"bundle": "/export/analysis.zip", "odm": "/export/odm.xml", "sdtm": "/export/sdtm.zip"}


def measure_http(what: str, url: str, logs: Path) -> tuple[float, int, float]:
    """One download from a gunicorn started for it: (seconds to the last byte, bytes, the worker's peak MiB)."""
    import http.cookiejar
    import re
    import urllib.parse
    import urllib.request

    from tests.factories import PASSWORD

    server = argparse.Namespace(servers=1, workers=1, threads=1)
    servers = start_servers(server, server_env(server, url, str(logs / "static")), logs)
    port, master, _ = servers[0]
    try:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        base = f"http://127.0.0.1:{port}"
        page = opener.open(f"{base}/accounts/login/").read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = {"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": token}
        opener.open(f"{base}/accounts/login/", data=urllib.parse.urlencode(form).encode()).read()
        start = time.perf_counter()
        size = 0
        with opener.open(f"{base}{PATHS[what]}", timeout=600) as response:
            while block := response.read(1 << 20):
                size += len(block)
        seconds = time.perf_counter() - start
        rss = _worker_peak_mb(master.pid)
    finally:
        stop_servers(servers)
    return seconds, size, rss


def _worker_peak_mb(master: int) -> float:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    peaks = []
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return max(peaks, default=0.0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database afterwards")
    parser.add_argument("--reuse", action="store_true", help="measure on the database a --keep run left")
    parser.add_argument("--http", action="store_true", help="download over HTTP from a fresh gunicorn each time")
    parser.add_argument("--writer", choices=["odm", "sdtm"], default="odm", help="what is measured against the bundle")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if args.reuse:
        name = ""
        _setup()
        from django.core.management import call_command

        from patients.models import Participant

        call_command("migrate", verbosity=0)  # the code measured may have moved on since the --keep run

        print(f"reusing {Participant.objects.count():,} participants", flush=True)
    else:
        name = scratch_database(url, "odm")
        _setup()
        _grow(args.participants)
    ratios = []
    logs = Path(tempfile.mkdtemp(prefix="odm-bench-"))
    for run in range(1, args.repeat + 1):
        if args.http:
            bundle, other = measure_http("bundle", url, logs), measure_http(args.writer, url, logs)
        else:
            bundle, other = measure("bundle"), measure(args.writer)
        ratios.append(other[0] / bundle[0])
        for what, (seconds, size, rss) in (("bundle", bundle), (args.writer, other)):
            print(f"run {run} {what:<6} {seconds:7.1f} s {size / 1e6:8.1f} MB  peak RSS {rss:6.0f} MiB", flush=True)
    target = " (target: within 3 x)" if args.writer == "odm" else ""
    print(f"{args.writer.upper()} / bundle, median of {args.repeat}: {statistics.median(ratios):.2f} x{target}")
    if name and not args.keep:
        drop_database(url, name)
    return 0


def _grow(participants: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    from tests.factories import UserFactory
    from tests.world import generate

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    world = generate(participants, sites=10)
    elapsed = time.perf_counter() - start
    print(f"generated {participants:,} participants ({world.total_rows:,} rows) in {elapsed:.0f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    UserFactory(username=USERNAME, role="Unblinded statistician")
    connection.close()


if __name__ == "__main__":
    sys.exit(main())

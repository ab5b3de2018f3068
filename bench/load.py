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
import datetime
import http.cookiejar
import os
import random
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FIRST_PORT = 8101
DAYS_BACK = 3000  # day 0 of every load participant: far enough back that no client runs out of days
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION = re.compile(r'name="loaded_version" value="(\d+)"')

# What a refused save must be refused for: the codes of the model's errors, which the ward's form page
# carries (data-error-codes; patients.forms.ClinicalFormMixin.error_codes), never their wording.
ERROR_CODES = re.compile(r'data-error-codes="([^"]*)"')
INVALID_BP = "diastolic_not_below"
ALREADY = "duplicate"
CONFLICT = "record_changed"


def refused_for(text: str, code: str) -> bool:
    """Whether the page is the form again, refused with an error of ``code``."""
    found = ERROR_CODES.search(text)
    return found is not None and code in found.group(1).split()


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (default 60)")
    parser.add_argument("--clinicians", type=int, default=20, help="clients, each with its own participant")
    parser.add_argument("--editors", type=int, default=2, help="clients sharing one participant")
    parser.add_argument("--servers", type=int, default=2, help="gunicorn processes (ports 8101, 8102, ...)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument("--threads", type=int, default=8, help="threads per gunicorn worker")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database afterwards")
    return parser.parse_args()


# --- the scratch database -------------------------------------------------------------------------------


def scratch_database(url: str) -> str:
    """Drop and create the database named by ``url``; return its name."""
    import psycopg
    from psycopg import sql

    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        sys.exit("DATABASE_URL must name a PostgreSQL database (postgres://...).")
    name = parts.path.lstrip("/")
    if "load" not in name:
        sys.exit(f"Refusing to drop {name!r}: the load test's scratch database must have 'load' in its name.")
    server = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return name


def drop_database(url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    server = urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@dataclass
class Fixture:
    password: str
    clinicians: list = field(default_factory=list)  # (username, participant pk, study id, day 0)
    editors: list = field(default_factory=list)  # usernames
    shared: tuple = ()  # (participant pk, study id, day 0, observation pk)


def set_up(args) -> Fixture:
    from django.core.management import call_command

    from outcomes.models import DailyObservation
    from patients.casebook.saving import record_save
    from tests.factories import PASSWORD, SiteFactory, UserFactory, observation_values, treated_participant

    call_command("migrate", verbosity=0)
    site = SiteFactory(code="LD", name="Load test")
    fixture = Fixture(password=PASSWORD)

    def enrol(user):
        return treated_participant(user=user, site=site, days_ago=DAYS_BACK)

    for n in range(1, args.clinicians + 1):
        user = UserFactory(username=f"clinician{n:02d}", role="Clinician", sites=[site])
        participant = enrol(user)
        fixture.clinicians.append((user.username, participant.pk, participant.study_id, participant.day0_date))
    editors = [UserFactory(username=f"editor{n}", role="Clinician", sites=[site]) for n in range(1, args.editors + 1)]
    fixture.editors = [user.username for user in editors]
    shared = enrol(editors[0])
    observation = DailyObservation(participant=shared, **observation_values(shared))
    record_save(observation, user=editors[0], validate=True)
    fixture.shared = (shared.pk, shared.study_id, shared.day0_date, observation.pk)
    return fixture


# --- the app servers ------------------------------------------------------------------------------------


def server_env(args, url: str, static_root: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ucmsc_crf.settings",
        "DATABASE_URL": url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Plain HTTP on loopback: production sits behind a TLS proxy, which is not what is measured here.
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SESSION_COOKIE_SECURE": "0",
        "DJANGO_CSRF_COOKIE_SECURE": "0",
        "DJANGO_SECURE_HSTS_SECONDS": "0",
        "DJANGO_STATIC_ROOT": static_root,
        "DJANGO_CONN_MAX_AGE": "60",
        "DJANGO_LOG_LEVEL": "WARNING",
        "GUNICORN_WORKERS": str(args.workers),
        "GUNICORN_THREADS": str(args.threads),
    }


def start_servers(args, env: dict, logs: Path) -> list:
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    servers = []
    for n in range(args.servers):
        port = FIRST_PORT + n
        log = open(logs / f"gunicorn-{port}.log", "w")  # noqa: SIM115 (closed in stop_servers)
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "ucmsc_crf.wsgi", "-c", "gunicorn.conf.py"],
            cwd=ROOT,
            env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        servers.append((port, process, log))
    for port, process, _ in servers:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5).read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    sys.exit(f"gunicorn on port {port} did not start: see {logs}/gunicorn-{port}.log")
                time.sleep(0.3)
    return servers


def stop_servers(servers) -> None:
    for _, process, _ in servers:
        process.send_signal(signal.SIGTERM)
    for _, process, log in servers:
        try:
            process.wait(40)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


# --- the clients ----------------------------------------------------------------------------------------


@dataclass
class Sample:
    kind: str
    status: int  # 0: no answer (connection refused, reset or timed out)
    seconds: float


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 302 after a save is the answer being measured, not a page to fetch


class Browser:
    """One user's browser: its own cookies, each request to the next server in turn."""

    def __init__(self, ports, samples: list, start: int):
        self.ports, self.samples, self.turn = ports, samples, start
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect
        )

    def request(self, kind: str, path: str, data: dict | None = None) -> tuple[int, str]:
        port = self.ports[self.turn % len(self.ports)]
        self.turn += 1
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        began = time.perf_counter()
        try:
            with self.opener.open(f"http://127.0.0.1:{port}{path}", data=body, timeout=60) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as error:  # 3xx (not followed), 4xx, 5xx
            status, text = error.code, error.read().decode(errors="replace")
        except OSError:
            status, text = 0, ""
        self.samples.append(Sample(kind, status, time.perf_counter() - began))
        return status, text

    def form(self, kind: str, path: str) -> tuple[str, str]:
        status, text = self.request(kind, path)
        token = CSRF.search(text)
        if status != 200 or token is None:
            raise ClientFailed(f"{path}: {status}")
        return token.group(1), text

    def log_in(self, username: str, password: str) -> None:
        token, _ = self.form("login page", "/accounts/login/")
        status, _ = self.request(
            "log in", "/accounts/login/", {"username": username, "password": password, "csrfmiddlewaretoken": token}
        )
        if status != 302:
            raise ClientFailed(f"{username} could not log in: {status}")


class ClientFailed(Exception):
    pass


@dataclass
class Ledger:
    """What the clients were told, to check against the database afterwards."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    created: list = field(default_factory=list)  # (participant pk, date) of every save answered 302
    edits: int = 0
    refused: Counter = field(default_factory=Counter)  # why
    unexplained: list = field(default_factory=list)  # a refusal without an expected message, or worse
    shared_next_day: int = 1


def observation_post(day0: datetime.date, day: int, *, invalid=False, **extra) -> dict:
    from tests.factories import observation_values

    values = observation_values(None, on=day0 + datetime.timedelta(days=day))
    values.update(heart_rate=random.randint(60, 110), **extra)
    if invalid:
        values.update(systolic_bp=95, diastolic_bp=120)
    return {name: "" if value is None else str(value) for name, value in values.items()}


def clinician(browser: Browser, password, username, study_id, day0, participant_pk, ledger: Ledger, stop):
    browser.log_in(username, password)
    path = f"/participants/{study_id}/observations/new/"
    day, saves = 1, 0
    while not stop.is_set():
        token, _ = browser.form("observation form", path)
        saves += 1
        invalid = saves % 10 == 0
        data = {**observation_post(day0, day, invalid=invalid), "csrfmiddlewaretoken": token}
        status, text = browser.request("observation save", path, data)
        with ledger.lock:
            if status == 302 and not invalid:
                ledger.created.append((participant_pk, data["observation_date"]))
                day += 1
            elif status == 200 and invalid and refused_for(text, INVALID_BP):
                ledger.refused["invalid value"] += 1
            else:
                ledger.unexplained.append((username, "save", data["observation_date"], status))


def editor(browser: Browser, password, username, study_id, day0, participant_pk, observation_pk, ledger, stop):
    browser.log_in(username, password)
    edit_path = f"/participants/{study_id}/observations/{observation_pk}/edit/"
    new_path = f"/participants/{study_id}/observations/new/"
    turn = 0
    while not stop.is_set():
        turn += 1
        if turn % 2:
            token, text = browser.form("observation edit form", edit_path)
            version = VERSION.search(text).group(1)
            data = {
                **observation_post(day0, 0),
                "loaded_version": version,
                "change_reason": f"Load test: {username} corrects the heart rate",
                "csrfmiddlewaretoken": token,
            }
            status, text = browser.request("observation edit save", edit_path, data)
            with ledger.lock:
                if status == 302:
                    ledger.edits += 1
                elif status == 200 and refused_for(text, CONFLICT):
                    ledger.refused["edit conflict"] += 1
                else:
                    ledger.unexplained.append((username, "edit", version, status))
        else:
            token, _ = browser.form("observation form", new_path)
            with ledger.lock:
                day = ledger.shared_next_day  # both editors aim at the first day nobody has recorded
            data = {**observation_post(day0, day), "csrfmiddlewaretoken": token}
            status, text = browser.request("observation save", new_path, data)
            with ledger.lock:
                if status == 302:
                    ledger.created.append((participant_pk, data["observation_date"]))
                    ledger.shared_next_day = max(ledger.shared_next_day, day + 1)
                elif status == 200 and refused_for(text, ALREADY):
                    ledger.refused["same day already recorded"] += 1
                    ledger.shared_next_day = max(ledger.shared_next_day, day + 1)
                else:
                    ledger.unexplained.append((username, "save", data["observation_date"], status))


def anchor(browser: Browser, stop):
    while not stop.is_set():
        browser.request("trivial view (login page)", "/accounts/login/")


def run_clients(args, fixture: Fixture, ports) -> tuple[list, Ledger, float]:
    samples, ledger, stop = [], Ledger(), threading.Event()
    jobs = []
    for n, (username, pk, study_id, day0) in enumerate(fixture.clinicians):
        browser = Browser(ports, samples, n)
        jobs.append((clinician, (browser, fixture.password, username, study_id, day0, pk, ledger, stop)))
    shared_pk, shared_id, shared_day0, observation_pk = fixture.shared
    for n, username in enumerate(fixture.editors):
        browser = Browser(ports, samples, n)
        jobs.append(
            (
                editor,
                (browser, fixture.password, username, shared_id, shared_day0, shared_pk, observation_pk, ledger, stop),
            )
        )
    for n in range(2):
        jobs.append((anchor, (Browser(ports, samples, n), stop)))

    def guarded(target, job_args):
        try:
            target(*job_args)
        except ClientFailed as failure:
            with ledger.lock:
                ledger.unexplained.append((target.__name__, str(failure)))

    threads = [threading.Thread(target=guarded, args=job) for job in jobs]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    time.sleep(args.duration)
    stop.set()
    for thread in threads:
        thread.join(120)
    return samples, ledger, time.monotonic() - began


# --- the checks -----------------------------------------------------------------------------------------


def check(fixture: Fixture, samples: list, ledger: Ledger, logs: Path) -> list[tuple[str, bool, str]]:
    from outcomes.models import DailyObservation
    from patients.access_log import AccessEvent

    participant_pks = [pk for _, pk, _, _ in fixture.clinicians] + [fixture.shared[0]]
    rows = Counter(
        (pk, day.isoformat())
        for pk, day in DailyObservation.objects.filter(participant_id__in=participant_pks).values_list(
            "participant_id", "observation_date"
        )
    )
    baseline = {(fixture.shared[0], fixture.shared[2].isoformat())}
    accepted = Counter(ledger.created)
    history = DailyObservation.history.filter(participant_id__in=participant_pks)
    shared = DailyObservation.objects.get(pk=fixture.shared[3])
    bad = [s for s in samples if s.status >= 500 or s.status == 0]
    tracebacks = sum(path.read_text().count("Traceback") for path in logs.glob("gunicorn-*.log"))
    logins = AccessEvent.objects.filter(kind="login").count()
    clients = len(fixture.clinicians) + len(fixture.editors)
    return [
        ("no 5xx and no failed connection", not bad, f"{len(bad)} of {len(samples)} requests"),
        (
            "every accepted observation in the database exactly once",
            all(rows[key] == 1 for key in accepted) and max(accepted.values(), default=1) == 1,
            f"{len(accepted)} accepted, {sum(1 for key in accepted if rows[key] == 1)} found once",
        ),
        (
            "nothing in the database that was not accepted",
            set(rows) == set(accepted) | baseline,
            f"{sum(rows.values())} rows = {len(accepted)} accepted + {len(baseline)} set up",
        ),
        (
            "no refused value stored",
            not DailyObservation.objects.filter(participant_id__in=participant_pks, diastolic_bp=120).exists(),
            "no row with the deliberately wrong blood pressure",
        ),
        (
            "every refusal carried its code (validation or conflict)",
            not ledger.unexplained,
            f"{sum(ledger.refused.values())} refused: "
            + ", ".join(f"{why} {n}" for why, n in sorted(ledger.refused.items()))
            + (f"; unexplained: {ledger.unexplained[:5]}" if ledger.unexplained else ""),
        ),
        (
            "audit rows equal accepted writes",
            history.filter(history_type="+").count() == len(accepted) + len(baseline)
            and history.filter(history_type="~").count() == ledger.edits,
            f"{history.filter(history_type='+').count()} created rows, {history.filter(history_type='~').count()} "
            f"changed rows; {len(accepted) + len(baseline)} creates and {ledger.edits} edits accepted",
        ),
        (
            "every audit row names its user",
            not history.filter(history_user=None).exists(),
            f"{history.count()} history rows",
        ),
        (
            "the shared record's version is 1 + accepted edits",
            shared.version == 1 + ledger.edits,
            f"version {shared.version}, {ledger.edits} edits accepted",
        ),
        ("every client's login logged", logins == clients, f"{logins} login events for {clients} clients"),
        ("no traceback in the servers' logs", tracebacks == 0, f"{tracebacks} tracebacks"),
    ]


def report(samples: list, seconds: float, checks, args) -> bool:
    by_kind = defaultdict(list)
    for sample in samples:
        by_kind[sample.kind].append(sample.seconds * 1000)
    print(
        f"\n{args.servers} gunicorn servers x {args.workers} workers x {args.threads} threads, one PostgreSQL; "
        f"{args.clinicians} clinicians + {args.editors} editors + 2 anchor clients, {seconds:.0f} s\n"
    )
    print(f"{'request':34} {'count':>7} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8}")
    for kind, times in sorted(by_kind.items(), key=lambda item: -len(item[1])):
        cuts = statistics.quantiles(times, n=20) if len(times) > 1 else times * 19
        print(f"{kind:34} {len(times):7d} {len(times) / seconds:8.1f} {cuts[9]:8.1f} {cuts[18]:8.1f}")
    print(f"{'all':34} {len(samples):7d} {len(samples) / seconds:8.1f}")
    saves, anchor_times = by_kind.get("observation save", []), by_kind.get("trivial view (login page)", [])
    if saves and anchor_times:
        print(
            f"\nobservation save / trivial view: p50 x{statistics.median(saves) / statistics.median(anchor_times):.1f}"
        )
    print()
    for name, passed, detail in checks:
        print(f"{'PASS' if passed else 'FAIL'}  {name}: {detail}")
    passed = all(passed for _, passed, _ in checks)
    print(f"\nRESULT: {'PASS' if passed else 'FAIL'}")
    return passed


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

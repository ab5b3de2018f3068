"""The load test's world (bench/load.py): the scratch database with its site, participants and accounts, and
the gunicorn servers on it."""

import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from load_settings import DAYS_BACK, ROOT
from ports import free_port


def scratch_database(url: str, word: str = "load") -> str:
    """Drop and create the database named by ``url`` (its name must contain ``word``, so no real database is
    dropped by a slip); return its name. Every benchmark's scratch database is made here."""
    import psycopg
    from psycopg import sql

    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        sys.exit("DATABASE_URL must name a PostgreSQL database (postgres://...).")
    name = parts.path.lstrip("/")
    if word not in name:
        sys.exit(f"Refusing to drop {name!r}: the benchmark's scratch database must have {word!r} in its name.")
    server = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return name


def peak_rss_mb() -> float:
    """This process's own resident high-water mark (VmHWM). Not getrusage: a spawned child's ru_maxrss keeps
    the high-water mark of the parent it was forked from (Linux carries it across exec), so a benchmark whose
    parent grew the data would report the parent's memory as the child's."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def drop_database(url: str, name: str) -> None:
    from django.conf import settings
    from django.db import connections

    if settings.configured:
        connections.close_all()  # a benchmark that ran Django in this process holds a connection to it
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
    # Voids racing edits of one infusion (issue 28, F): (participant pk, study id, the ward's POST of infusion 1)
    infusion: tuple = ()
    infusion_editors: list = field(default_factory=list)  # usernames; the first of them also voids


def set_up(args) -> Fixture:
    from django.core.management import call_command

    from outcomes.models import DailyObservation
    from patients.casebook.saving import record_save
    from tests.factories import (
        PASSWORD,
        SiteFactory,
        UserFactory,
        give_infusion,
        observation_values,
        treated_participant,
    )

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
    infusers = [UserFactory(username=f"infuser{n}", role="Clinician", sites=[site]) for n in range(1, 4)]
    fixture.infusion_editors = [user.username for user in infusers]
    dosed = enrol(infusers[0])
    first = give_infusion(dosed, 1, user=infusers[0])
    fixture.infusion = (dosed.pk, dosed.study_id, infusion_post(first))
    return fixture


def infusion_post(infusion) -> dict:
    """What the ward's infusion form posts to record ``infusion`` again (after its void)."""
    from django.utils import timezone

    from dosing.forms import InfusionForm

    data = {}
    for name in InfusionForm(participant=infusion.participant, user=infusion.administered_by).fields:
        value = getattr(infusion, name, None)
        if hasattr(value, "tzinfo"):
            value = timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        data[name] = "" if value is None else str(value)
    return data


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
    for _ in range(args.servers):
        port = free_port()
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
                    stop_servers(servers)  # the ones that did start: no orphan keeps a port
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

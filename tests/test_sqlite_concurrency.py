"""SQLite (the demo's database) takes several writers at once: each waits its turn, none gets "database is
locked". The settings' SQLITE_OPTIONS (WAL, a busy timeout, BEGIN IMMEDIATE) are put on a file database of
their own here, whatever DATABASE_URL the suite runs on, and four threads read-then-write at the same
moment, as four people logging in at once do (each login reads the user, then writes the session)."""

import threading

import pytest
from django.conf import settings
from django.db import OperationalError, connections, transaction

WRITERS, ROUNDS = 4, 5


def run_writers(path, options) -> tuple[int, list[str]]:
    alias = f"sqlite_concurrency_{abs(hash((str(path), str(options))))}"
    wanted = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path), "OPTIONS": options}
    connections.settings[alias] = connections.configure_settings({"default": dict(wanted), alias: wanted})[alias]
    with connections[alias].cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS visit (who TEXT, n INTEGER)")
    start, errors = threading.Barrier(WRITERS), []

    def writer(who):
        try:
            start.wait()
            for n in range(ROUNDS):
                with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
                    cursor.execute("SELECT COUNT(*) FROM visit")  # read first (a shared lock) ...
                    threading.Event().wait(0.02)
                    cursor.execute("INSERT INTO visit VALUES (%s, %s)", [who, n])  # ... then write
        except OperationalError as exc:
            errors.append(str(exc))
        finally:
            connections[alias].close()

    threads = [threading.Thread(target=writer, args=(f"user{i}",)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM visit")
        (rows,) = cursor.fetchone()
    connections[alias].close()
    del connections.settings[alias]
    return rows, errors


def test_simultaneous_writers_take_turns(tmp_path, django_db_blocker):
    with django_db_blocker.unblock():  # a database of the test's own, not the suite's test database
        rows, errors = run_writers(tmp_path / "demo.sqlite3", settings.SQLITE_OPTIONS)
    assert errors == [] and rows == WRITERS * ROUNDS


def test_without_those_options_they_fail(tmp_path, django_db_blocker):
    """The same load on SQLite's defaults (deferred transactions, no wait): "database is locked"."""
    with django_db_blocker.unblock():
        rows, errors = run_writers(tmp_path / "plain.sqlite3", {"timeout": 0})
    assert errors and all("locked" in e for e in errors)
    assert rows < WRITERS * ROUNDS


@pytest.mark.django_db
def test_the_demo_database_uses_them():
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the suite runs on PostgreSQL")
    assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"

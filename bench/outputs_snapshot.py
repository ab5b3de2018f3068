"""Fingerprints of what the demos' users read: the analysis bundle's files and the report, per demo and role.

A refactoring that promises "behaviour unchanged" (issue 30) is checked by running this before and after on
freshly seeded demos (same day, same seeds) and comparing the two outputs line by line:

    .venv/bin/python bench/outputs_snapshot.py > before.txt   # on the old commit
    .venv/bin/python bench/outputs_snapshot.py > after.txt    # on the new one
    diff before.txt after.txt

Each demo is migrated and seeded into its own temporary SQLite file (a subprocess each, so the settings read
their own DATABASE_URL). The zip is compared file by file (a zip's own bytes hold its write time); the report
and the README's generation time are masked, nothing else.
"""

import hashlib
import io
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path.cwd()  # run from the project's root
# demo -> the roles (demo usernames) whose report and bundle are fingerprinted
DEMOS = {
    "phase1": ("coordinator", "statistician"),
    "randomised": ("coordinator", "statistician", "ustat", "dsmb"),
}
# Generation times and the like, which differ from run to run by design.
MASKS = [
    re.compile(rb"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d(\.\d+)?)?([+-]\d\d:?\d\d|Z| UTC)?"),
    re.compile(rb'value="[A-Za-z0-9]{64}"'),  # the CSRF token
    re.compile(rb"\b[0-9a-f]{64}\b"),  # the README's checksums: the files' own fingerprints say it
]


def digest(data: bytes, name: str) -> str:
    """The masked content's hash; with SNAPSHOT_KEEP=DIR the masked content is also kept there, to diff."""
    for mask in MASKS:
        data = mask.sub(b"<masked>", data)
    if os.environ.get("SNAPSHOT_KEEP"):
        path = Path(os.environ["SNAPSHOT_KEEP"]) / name.replace("/", "_")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()[:16]


def fingerprint(demo: str) -> None:
    """In a process of its own, with DATABASE_URL set: seed and print the lines."""
    sys.path.insert(0, os.getcwd())  # the project (the script may be a copy kept outside it, to run on an old commit)
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ucmsc_crf.settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    call_command("seed_demo", *(["--design", "randomised"] if demo == "randomised" else []), stdout=io.StringIO())
    for username in DEMOS[demo]:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            print(f"{demo} {username}: no such demo user")
            continue
        client = Client()
        client.force_login(user)
        report = client.get("/report/")
        fingerprint = digest(report.content, f"{demo}-{username}-report.html")
        print(f"{demo} {username} report {report.status_code} {fingerprint}")
        bundle = client.get("/export/analysis.zip")
        print(f"{demo} {username} bundle {bundle.status_code}")
        if bundle.status_code == 200:
            content = b"".join(bundle.streaming_content) if bundle.streaming else bundle.content
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                for name in sorted(archive.namelist()):
                    fingerprint = digest(archive.read(name), f"{demo}-{username}-{name}")
                    print(f"{demo} {username} bundle/{name} {fingerprint}")


def main() -> None:
    if len(sys.argv) == 2:
        fingerprint(sys.argv[1])
        return
    for demo in DEMOS:
        with tempfile.TemporaryDirectory() as tmp:
            env = {**os.environ, "DJANGO_DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp}/{demo}.sqlite3"}
            env["DJANGO_ALLOWED_HOSTS"] = "testserver"
            env["DJANGO_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
            subprocess.run([sys.executable, __file__, demo], env=env, cwd=ROOT, check=True)


if __name__ == "__main__":
    main()

"""Deployment settings come from the environment; production settings pass `check --deploy`."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "x7#Kq9!vPz2$Lm4@Rt8^Wn6&Yb1*Hc5(Jd3)Fg0-Sa9+Ue7=Io2",
    "DJANGO_ALLOWED_HOSTS": "crf.example.org",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://crf.example.org",
    "DJANGO_TIME_ZONE": "Asia/Shanghai",
}


def manage(*args, env_overrides=None, drop=()):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k not in drop}
    env["DJANGO_SETTINGS_MODULE"] = "ucmsc_crf.settings"
    env.update(env_overrides or {})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_production_variables():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env_overrides=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_secret_key_is_required_outside_debug():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_SECRET_KEY"}
    result = manage("check", env_overrides=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_collectstatic_works_and_vendors_bootstrap(tmp_path):
    result = manage("collectstatic", "--noinput", env_overrides={**PRODUCTION_ENV, "DJANGO_STATIC_ROOT": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "vendor" / "bootstrap" / "bootstrap.min.css").exists()
    assert (tmp_path / "staticfiles.json").exists()  # manifest storage: cache-busting names


def test_settings_read_the_environment():
    code = (
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['ATOMIC_REQUESTS'], s.TIME_ZONE, s.USE_TZ)"
    )
    env = {**PRODUCTION_ENV, "DATABASE_URL": "postgres://u:p@db.internal:5432/crf"}
    result = manage("shell", "-c", code, env_overrides=env)
    assert result.stdout.split()[-4:] == ["django.db.backends.postgresql", "True", "Asia/Shanghai", "True"]
    result = manage("shell", "-c", code, env_overrides={"DJANGO_DEBUG": "1"}, drop=("DATABASE_URL",))
    assert result.stdout.split()[-4:] == ["django.db.backends.sqlite3", "True", "UTC", "True"]


@pytest.mark.parametrize("template", sorted((ROOT / "templates").rglob("*.html")), ids=lambda p: p.name)
def test_templates_load_no_asset_from_the_internet(template):
    text = template.read_text()
    assert "http://" not in text and "https://" not in text and "//cdn" not in text

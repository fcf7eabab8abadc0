"""Settings refuse unsafe configurations; each case runs in a fresh interpreter."""

import os
import subprocess
import sys

import pytest

REQUIRED = {
    "FAZHI_SECRET_KEY": "x" * 50,
    "FAZHI_ALLOWED_HOSTS": "fazhi.example.gov.cn",
    "FAZHI_DATABASE_URL": "postgresql://fazhi@db.example/fazhi",
    "FAZHI_IDENTITY_KEY": "ZmF6aGktaWRlbnRpdHktdGVzdC1rZXktMzItYnl0ZXM=",
}


def _load(module: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("FAZHI_", "DJANGO_"))}
    clean.update(env)
    code = (
        "import django, json; from django.conf import settings; django.setup(); "
        "print(json.dumps({'debug': settings.DEBUG, 'db': settings.DATABASES['default']['ENGINE'],"
        " 'name': str(settings.DATABASES['default']['NAME'])}))"
    )
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": module},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("missing", sorted(REQUIRED))
def test_production_refuses_to_start_without(missing):
    env = {k: v for k, v in REQUIRED.items() if k != missing}
    result = _load("fazhi.settings.production", env)
    assert result.returncode != 0
    assert missing in result.stderr
    assert "refuses to start" in result.stderr


def test_production_starts_with_everything_set():
    result = _load("fazhi.settings.production", REQUIRED)
    assert result.returncode == 0, result.stderr
    assert '"debug": false' in result.stdout
    assert "postgresql" in result.stdout


def test_dev_defaults_to_sqlite_in_var_and_no_debug(tmp_path):
    result = _load("fazhi.settings.dev", {"FAZHI_VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert '"debug": false' in result.stdout
    assert "sqlite3" in result.stdout
    assert str(tmp_path / "fazhi.sqlite3") in result.stdout
    # The generated secret stays on the machine, readable by the owner only.
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize("module", ["fazhi.settings.dev", "fazhi.settings.test"])
def test_database_url_chooses_the_database(module, tmp_path):
    url = "postgresql://someone@db.example:5432/other"
    env = {
        "FAZHI_DATABASE_URL": url,
        "FAZHI_TEST_DATABASE_URL": url,
        "FAZHI_VAR_DIR": str(tmp_path),
    }
    result = _load(module, env)
    assert result.returncode == 0, result.stderr
    assert "postgresql" in result.stdout and "other" in result.stdout


def test_no_secret_or_debug_default_in_code():
    from pathlib import Path

    base = Path(__file__).resolve().parents[2] / "settings"
    text = "\n".join(p.read_text() for p in base.glob("*.py") if p.name != "test.py")
    assert "DEBUG = True" not in text
    assert 'SECRET_KEY = "' not in text

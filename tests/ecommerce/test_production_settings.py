"""Production settings: required variables are enforced and `check --deploy` is clean."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

PROJECT = Path(settings.BASE_DIR)


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    unset = {"DEBUG", "DJANGO_SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    base = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=PROJECT, env={**base, **env},
        capture_output=True, text=True, timeout=120, check=False,
    )


def test_start_up_stops_naming_missing_required_variables():
    """With DEBUG off and no secret key or hosts, the app refuses to start and says which are missing."""
    result = _manage("check", DEBUG="0")
    assert result.returncode != 0
    assert "required environment variables are not set: DJANGO_SECRET_KEY, ALLOWED_HOSTS" in result.stderr


def test_deploy_check_is_clean_with_production_settings():
    """`check --deploy` reports no issues once the required variables are set."""
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DEBUG="0", DJANGO_SECRET_KEY="k" * 20 + "x9-Qz!p" * 8, ALLOWED_HOSTS="shop.example.com",
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout

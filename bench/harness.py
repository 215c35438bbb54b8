"""What every HTTP benchmark needs: a PostgreSQL database, manage.py, and gunicorn on loopback."""

import os
import secrets
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import psycopg
import requests
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent
WORKERS = 2 * (os.cpu_count() or 1)


def server_env(database_url: str, redis_url: str) -> dict:
    """The environment of a production-like server: DEBUG off, PostgreSQL, Redis, no rate limits.

    One client address makes every request of a benchmark; the limits are for real clients.
    """
    secret_file = ROOT / ".venv" / ".local-secret-key"
    secret = secret_file.read_text().strip() if secret_file.exists() else secrets.token_urlsafe(50)
    unlimited = "100000000/min"
    return {
        **os.environ,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECRET_KEY": secret,
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "LOG_LEVEL": "WARNING",
        "API_THROTTLE_ANON": unlimited,
        "API_THROTTLE_USER": unlimited,
        "LOGIN_RATE": unlimited,
    }


def ensure_database(url: str) -> None:
    """Create the database named in `url` unless it exists."""
    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    with psycopg.connect(parsed._replace(path="/postgres").geturl(), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def manage(env: dict, *args: str) -> str:
    """Run manage.py; stop the benchmark with its error output if it fails."""
    result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def manage_shell(env: dict, script: str) -> str:
    """The last line that a `manage.py shell -c` script printed."""
    return manage(env, "shell", "-c", script).strip().splitlines()[-1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(env: dict, app: str = "ecommerce.wsgi", ready_path: str = "/healthz"):
    """gunicorn with 2 workers per core on a free loopback port, yielding its base URL once it answers."""
    port = free_port()
    command = [str(BIN / "gunicorn"), app, "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS)]
    process = subprocess.Popen([*command, "--log-level", "warning"], cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{base}{ready_path}", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"gunicorn {app} did not start")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)

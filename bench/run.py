"""Load benchmark: the shop under gunicorn on PostgreSQL and Redis, measured with wrk.

    make bench                                  # 10,000 products
    BENCH_PRODUCTS=100000 make bench            # the larger catalog

Needs PostgreSQL and Redis (DATABASE_URL / REDIS_URL; defaults: the local servers with a database
`shop_bench`) and wrk. It migrates and seeds the bench database (once per catalog size), starts
gunicorn with 2 workers per core and DEBUG off, then measures each page for BENCH_SECONDS (15) at
BENCH_CONNECTIONS (16), a scripted shopper flow at 8 concurrent shoppers, and the ceiling (a bare
Django view under the same server). Prints a table and writes bench/RESULTS.md.
"""

import json
import os
import platform
import re
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

import requests

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent
PRODUCTS = int(os.environ.get("BENCH_PRODUCTS", "10000"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "15"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
FLOW_SHOPPERS = 8
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/shop_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
WORKERS = 2 * (os.cpu_count() or 1)
RESULTS_HEADER = "# Benchmark results\n\nNewest first; each section is one run of `make bench`.\n"


def main() -> int:
    if not shutil.which("wrk"):
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 2
    env = server_env()
    ensure_database(DATABASE_URL)
    manage(env, "migrate", "--noinput", "-v0")
    seed(env)
    manage(env, "collectstatic", "--noinput", "-v0")
    subprocess.run(["redis-cli", "-u", REDIS_URL, "FLUSHDB"], check=True, capture_output=True)

    results = []
    with gunicorn(env, "bench.ceiling:application") as base:
        ceiling = wrk("ceiling (bare Django view)", f"{base}/")
    with gunicorn(env, "ecommerce.wsgi") as base:
        targets = pick_targets(env)
        cookie = shopper_session(base, targets["sku"])
        pages = [
            ("home", "/", None),
            ("category page", f"/categories/{targets['category']}/", None),
            ("product page", f"/products/{targets['product']}/", None),
            ("search", f"/search/?q={targets['query']}", None),
            ("cart page", "/cart/", cookie),
            ("products API", "/api/v1/products/", None),
        ]
        for name, url, cookie_header in pages:
            warm(f"{base}{url}", cookie_header)
            results.append(wrk(name, f"{base}{url}", cookie_header))
        flows = shopper_flows(base, targets)
    report(ceiling, results, flows)
    return 0


def server_env() -> dict:
    secret_file = ROOT / ".venv" / ".local-secret-key"
    secret = secret_file.read_text().strip() if secret_file.exists() else secrets.token_urlsafe(50)
    return {
        **os.environ,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECRET_KEY": secret,
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "LOG_LEVEL": "WARNING",
        # One client address makes every request here; the limits are for real clients.
        "API_THROTTLE_ANON": "100000000/min",
        "API_THROTTLE_USER": "100000000/min",
        "LOGIN_RATE": "100000000/min",
    }


def ensure_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def manage(env: dict, *args: str) -> str:
    result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def seed(env: dict) -> None:
    count = manage(env, "shell", "-c", "from catalog.models import Product; print(Product.objects.count())")
    if int(count.strip().splitlines()[-1]) >= PRODUCTS:
        return
    print(f"seeding {PRODUCTS:,} products ...", flush=True)
    started = time.perf_counter()
    manage(env, "seed_demo", "--products", str(PRODUCTS))
    print(f"seeded in {time.perf_counter() - started:.1f} s", flush=True)


def pick_targets(env: dict) -> dict:
    script = (
        "import json; from catalog.models import Category, Product, Variant;"
        "p = Product.objects.filter(is_active=True, in_stock=True).order_by('id').first();"
        "v = Variant.objects.filter(product=p, is_active=True, in_stock=True).order_by('id').first();"
        "c = Category.objects.filter(products__isnull=False).order_by('id').first();"
        "print(json.dumps({'product': p.slug, 'sku': v.sku, 'category': c.slug,"
        " 'query': p.name.split()[0].lower()}))"
    )
    return json.loads(manage(env, "shell", "-c", script).strip().splitlines()[-1])


@contextmanager
def gunicorn(env: dict, app: str):
    """Start gunicorn on a free loopback port; yields its base URL and stops it on exit."""
    port = free_port()
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), app, "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS),
         "--log-level", "warning"],
        cwd=ROOT, env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"{base}/", timeout=1)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    raise SystemExit(f"gunicorn {app} did not start") from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def warm(url: str, cookie: str | None) -> None:
    headers = {"Cookie": cookie} if cookie else {}
    for _ in range(3 * WORKERS):
        response = requests.get(url, headers=headers, timeout=10)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")


def wrk(name: str, url: str, cookie: str | None = None) -> dict:
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", output, re.MULTILINE))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    row = {"name": name, "url": url, "rps": rps, "p50": latency.get("50"), "p99": latency.get("99"),
           "errors": int(errors.group(1)) if errors else 0}
    print(f"{name:28} {rps:9.1f} req/s  p50 {row['p50']:>8}  p99 {row['p99']:>8}  non-2xx {row['errors']}", flush=True)
    return row


def shopper_session(base: str, sku: str) -> str:
    """A session cookie whose cart holds one line, for the cart page's measurement."""
    session = requests.Session()
    session.get(f"{base}/cart/", timeout=10)
    token = session.cookies.get("csrftoken", "")
    session.post(f"{base}/cart/add/", data={"sku": sku, "quantity": 1, "csrfmiddlewaretoken": token},
                 headers={"Referer": f"{base}/cart/"}, timeout=10)
    return "; ".join(f"{k}={v}" for k, v in session.cookies.items())


def shopper_flows(base: str, targets: dict) -> dict:
    """8 shoppers in a loop: category → product → add to cart → checkout; flows completed per second."""
    stop = time.monotonic() + SECONDS
    completed, failed = [], []

    def shopper():
        while time.monotonic() < stop:
            session = requests.Session()
            try:
                session.get(f"{base}/categories/{targets['category']}/", timeout=10).raise_for_status()
                session.get(f"{base}/products/{targets['product']}/", timeout=10).raise_for_status()
                token = session.cookies.get("csrftoken", "")
                headers = {"Referer": f"{base}/cart/"}
                session.post(f"{base}/cart/add/", data={"sku": targets["sku"], "quantity": 1,
                             "csrfmiddlewaretoken": token}, headers=headers, timeout=10).raise_for_status()
                response = session.post(f"{base}/api/v1/orders/", json={
                    "email": "bench@example.com", "shipping_option": "standard",
                    "address": {"name": "Bench Shopper", "line1": "1 Load Street", "city": "London",
                                "postcode": "SW1A 1AA", "country": "GB"},
                    "card_number": "4242424242424242"},
                    headers={"Idempotency-Key": secrets.token_hex(16), "X-CSRFToken": token, **headers}, timeout=10)
                (completed if response.status_code in (200, 201) else failed).append(response.status_code)
            except requests.RequestException as exc:
                failed.append(str(exc))

    threads = [threading.Thread(target=shopper) for _ in range(FLOW_SHOPPERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    flows = {"completed": len(completed), "failed": len(failed), "per_second": len(completed) / SECONDS,
             "failures": sorted({str(f) for f in failed})[:5]}
    print(f"shopper flows (8 shoppers)   {flows['per_second']:.1f} flows/s, {flows['failed']} failed "
          f"{flows['failures']}", flush=True)
    return flows


def report(ceiling: dict, rows: list[dict], flows: dict) -> None:
    today = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    lines = [
        f"## {today}: {PRODUCTS:,} products, {CONNECTIONS} connections, {SECONDS} s each, "
        f"gunicorn {WORKERS} workers",
        "",
        f"Machine: {machine}. PostgreSQL and Redis on loopback. Command: `make bench`"
        f"{'' if PRODUCTS == 10000 else f' with BENCH_PRODUCTS={PRODUCTS}'}.",
        "",
        "| page | requests/s | share of ceiling | p50 | p99 | non-2xx |",
        "|---|---:|---:|---:|---:|---:|",
        f"| {ceiling['name']} | {ceiling['rps']:.0f} | 100 % | {ceiling['p50']} | {ceiling['p99']} | "
        f"{ceiling['errors']} |",
    ]
    for row in rows:
        share = 100 * row["rps"] / ceiling["rps"]
        lines.append(f"| {row['name']} | {row['rps']:.0f} | {share:.0f} % | {row['p50']} | {row['p99']} | "
                     f"{row['errors']} |")
    lines += ["", f"Shopper flow (category → product → add to cart → checkout, {FLOW_SHOPPERS} shoppers): "
              f"{flows['per_second']:.1f} flows/s, {flows['completed']} completed, {flows['failed']} failed.", ""]
    text = "\n".join(lines)
    print("\n" + text)
    results = ROOT / "bench" / "RESULTS.md"
    earlier = results.read_text().removeprefix(RESULTS_HEADER) if results.exists() else ""
    results.write_text(f"{RESULTS_HEADER}\n{text}\n{earlier}")


if __name__ == "__main__":
    sys.exit(main())

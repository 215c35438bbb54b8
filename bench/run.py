"""Load benchmark: the shop under gunicorn on PostgreSQL and Redis, measured with wrk.

    make bench                                  # 10,000 products (python -m bench.run)
    BENCH_PRODUCTS=100000 make bench            # the larger catalog

Needs PostgreSQL and Redis (DATABASE_URL / REDIS_URL; defaults: the local servers with a database
`shop_bench`) and wrk. It migrates and seeds the bench database (once per catalog size), starts
gunicorn with 2 workers per core and DEBUG off, then measures each page for BENCH_SECONDS (15) at
BENCH_CONNECTIONS (16), a scripted shopper flow at 8 concurrent shoppers, and the ceiling (a bare
Django view under the same server, measured before and after the pages and averaged). Prints a
table and writes bench/RESULTS.md.
"""

import json
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime

import requests

from bench.harness import ROOT, WORKERS, ensure_database, gunicorn, manage, manage_shell, server_env
from bench.orders_checkout import PREPARE, checkout_once

PRODUCTS = int(os.environ.get("BENCH_PRODUCTS", "10000"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "15"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
FLOW_SHOPPERS = 8
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/shop_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
RESULTS_HEADER = "# Benchmark results\n\nNewest first; each section is one run of `make bench`.\n"


def main() -> int:
    if not shutil.which("wrk"):
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 2
    env = server_env(DATABASE_URL, REDIS_URL)
    ensure_database(DATABASE_URL)
    manage(env, "migrate", "--noinput", "-v0")
    seed(env)
    manage(env, "collectstatic", "--noinput", "-v0")
    subprocess.run(["redis-cli", "-u", REDIS_URL, "FLUSHDB"], check=True, capture_output=True)

    results = []
    first_ceiling = measure_ceiling(env)
    targets = pick_targets(env)
    with gunicorn(env) as base:
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
    ceiling = mean_ceiling(first_ceiling, measure_ceiling(env))
    report(ceiling, results, flows)
    return 0


def measure_ceiling(env: dict) -> dict:
    with gunicorn(env, "bench.ceiling:application", ready_path="/") as base:
        return wrk("ceiling (bare Django view)", f"{base}/")


def mean_ceiling(before: dict, after: dict) -> dict:
    """The ceiling measured before and after the pages, averaged: on a shared machine one 15 s run
    of it can be 15 % off, and every share is taken against it."""
    return {**before, "rps": (before["rps"] + after["rps"]) / 2,
            "note": f"mean of {before['rps']:.0f} before and {after['rps']:.0f} after the pages"}


def seed(env: dict) -> None:
    count = manage_shell(env, "from catalog.models import Product; print(Product.objects.count())")
    if int(count) >= PRODUCTS:
        return
    print(f"seeding {PRODUCTS:,} products ...", flush=True)
    started = time.perf_counter()
    manage(env, "seed_demo", "--products", str(PRODUCTS), "--no-progress")
    print(f"seeded in {time.perf_counter() - started:.1f} s", flush=True)


def pick_targets(env: dict) -> dict:
    """SKUs given plenty of stock (as the checkout benchmark does) and the pages around the first one."""
    skus = manage_shell(env, PREPARE).split(",")
    script = (
        "import json; from catalog.models import Variant;"
        f"v = Variant.objects.select_related('product__category').get(sku={skus[0]!r});"
        "print(json.dumps({'product': v.product.slug, 'category': v.product.category.slug,"
        " 'query': v.product.name.split()[0].lower()}))"
    )
    return {**json.loads(manage_shell(env, script)), "sku": skus[0], "skus": skus}


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
    session.get(f"{base}/orders/lookup/", timeout=10)  # an empty cart page has no form, so no CSRF cookie
    token = session.cookies.get("csrftoken", "")
    added = session.post(f"{base}/cart/add/", data={"sku": sku, "quantity": 1, "csrfmiddlewaretoken": token},
                         headers={"Referer": f"{base}/cart/"}, timeout=10)
    if added.status_code >= 400 or "sessionid" not in session.cookies:
        raise SystemExit(f"could not fill the cart page's cart: /cart/add/ answered {added.status_code}")
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
                status, _ = checkout_once(base, targets["sku"], session)
                (completed if status == 201 else failed).append(status)
            except requests.RequestException as exc:
                failed.append(type(exc).__name__)

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
    lines += ["", f"Ceiling: {ceiling['note']} (latencies from the first run)."]
    lines += ["", f"Shopper flow (category → product → add to cart → checkout, {FLOW_SHOPPERS} shoppers): "
              f"{flows['per_second']:.1f} flows/s, {flows['completed']} completed, {flows['failed']} failed.", ""]
    text = "\n".join(lines)
    print("\n" + text)
    results = ROOT / "bench" / "RESULTS.md"
    earlier = results.read_text().removeprefix(RESULTS_HEADER) if results.exists() else ""
    results.write_text(f"{RESULTS_HEADER}\n{text}\n{earlier}")


if __name__ == "__main__":
    sys.exit(main())

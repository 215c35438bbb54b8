"""Checkout throughput: orders placed per second by 8 concurrent shoppers, under gunicorn on PostgreSQL and Redis.

    .venv/bin/python -m bench.orders_checkout
    BENCH_SECONDS=30 BENCH_SHOPPERS=8 .venv/bin/python -m bench.orders_checkout

Needs PostgreSQL and Redis: BENCH_ORDERS_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/shop_orders)
and BENCH_ORDERS_REDIS_URL (default redis://127.0.0.1:6379/6). It creates and migrates the database if
needed, seeds a small catalog (seed_demo, BENCH_PRODUCTS=200) and gives BENCH_SKUS (20) SKUs plenty
of stock, empties the Redis database, then starts gunicorn (2 workers per core, DEBUG off, events
queued on Redis as in production) and runs BENCH_SHOPPERS shoppers for BENCH_SECONDS (20). Each
shopper loops as a guest: put a random one of those SKUs in its session's cart (POST /cart/add/),
then check out through POST /api/v1/orders/ with a fresh Idempotency-Key (re-price, reserve, write the
order, mark the cart, publish, charge the dummy gateway, commit the stock). Only the checkout request
is timed for latency; the rate is paid orders over the wall time of the whole loop, cart included.

Prints orders placed per second, checkout latency p50/p99, the status codes of failures, and how
many paid orders the database holds afterwards (it must equal the successes).
"""

import os
import random
import secrets
import statistics
import subprocess
import sys
import threading
import time

import requests

from bench.harness import ensure_database, gunicorn, manage, manage_shell, server_env

DATABASE_URL = os.environ.get("BENCH_ORDERS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/shop_orders")
REDIS_URL = os.environ.get("BENCH_ORDERS_REDIS_URL", "redis://127.0.0.1:6379/6")
SHOPPERS = int(os.environ.get("BENCH_SHOPPERS", "8"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "20"))
PRODUCTS = int(os.environ.get("BENCH_PRODUCTS", "200"))
SKUS = int(os.environ.get("BENCH_SKUS", "20"))
CHECKOUT = {
    "email": "bench@example.com",
    "shipping_address": {
        "full_name": "Bench Shopper",
        "line1": "1 Load Street",
        "city": "London",
        "postcode": "SW1A 1AA",
        "country": "GB",
    },
    "shipping_method": "standard",
    "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2040, "cvc": "123"},
}

PREPARE = f"""
from catalog.models import Variant
from inventory import interface as inventory
skus = list(Variant.objects.filter(is_active=True, product__is_active=True).order_by("id")
            .values_list("sku", flat=True)[:{SKUS}])
for sku in skus:
    level = inventory.availability([sku])[sku]
    if level.available < 100000:
        inventory.receive(sku, 100000 - level.available, reference="orders benchmark")
print(",".join(skus))
"""
PAID = "from orders.models import Order; print(Order.objects.filter(status='paid', email='bench@example.com').count())"


def main() -> int:
    env = server_env(DATABASE_URL, REDIS_URL)
    ensure_database(DATABASE_URL)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "seed_demo", "--products", str(PRODUCTS), "--no-progress")
    manage(env, "collectstatic", "--noinput", "-v0")
    skus = manage_shell(env, PREPARE).split(",")
    subprocess.run(["redis-cli", "-u", REDIS_URL, "FLUSHDB"], check=True, capture_output=True)
    paid_before = int(manage_shell(env, PAID))

    with gunicorn(env) as base:
        for _ in range(SHOPPERS):  # warm every worker's connections and caches
            checkout_once(base, random.choice(skus))
        paid_warm = int(manage_shell(env, PAID))
        latencies, failures, elapsed = run_shoppers(base, skus)

    paid_after = int(manage_shell(env, PAID))
    placed = len(latencies)
    print(f"shoppers: {SHOPPERS}, seconds: {elapsed:.1f}, SKUs: {len(skus)}, database: PostgreSQL, cache/broker: Redis")
    print(f"orders placed per second: {placed / elapsed:.1f} ({placed} paid orders)")
    if latencies:
        p99 = statistics.quantiles(latencies, n=100)[98] if len(latencies) > 1 else latencies[0]
        print(f"checkout latency: p50 {statistics.median(latencies) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms")
    print(f"failed checkouts: {len(failures)} {sorted(set(failures))[:5]}")
    print(f"paid orders in the database: {paid_after - paid_warm} (before this run: {paid_before})")
    return 0 if failures == [] and paid_after - paid_warm == placed else 1


def checkout_once(base: str, sku: str, session: requests.Session | None = None) -> tuple[int, float]:
    """One guest: add to cart, check out. Returns the checkout's status code and its duration."""
    session = session or requests.Session()
    session.get(f"{base}/orders/lookup/", timeout=10)  # any page with a form sets the CSRF cookie
    token = session.cookies.get("csrftoken", "")
    headers = {"Referer": f"{base}/cart/", "X-CSRFToken": token}
    added = session.post(
        f"{base}/cart/add/",
        data={"sku": sku, "quantity": 1, "csrfmiddlewaretoken": token},
        headers=headers,
        timeout=10,
        allow_redirects=False,
    )
    if added.status_code != 302:
        return added.status_code, 0.0
    started = time.perf_counter()
    response = session.post(
        f"{base}/api/v1/orders/",
        json=CHECKOUT,
        headers=headers | {"Idempotency-Key": secrets.token_hex(16)},
        timeout=30,
    )
    return response.status_code, time.perf_counter() - started


def run_shoppers(base: str, skus: list[str]) -> tuple[list[float], list[str], float]:
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(SHOPPERS + 1)
    stop_at = [0.0]

    def shopper():
        start.wait()
        while time.monotonic() < stop_at[0]:
            try:
                code, took = checkout_once(base, random.choice(skus))
            except requests.RequestException as exc:
                code, took = type(exc).__name__, 0.0
            with lock:
                (latencies.append(took) if code == 201 else failures.append(str(code)))

    threads = [threading.Thread(target=shopper) for _ in range(SHOPPERS)]
    for thread in threads:
        thread.start()
    stop_at[0] = time.monotonic() + SECONDS
    began = time.monotonic()
    start.wait()
    for thread in threads:
        thread.join()
    return latencies, failures, time.monotonic() - began


if __name__ == "__main__":
    sys.exit(main())

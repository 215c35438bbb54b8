"""Reservations per second with concurrent workers on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shop_inventory .venv/bin/python bench/inventory_reservations.py
    ... bench/inventory_reservations.py --workers 8 --seconds 15 --skus 20 --max-lines 3

It creates a throwaway database beside DATABASE_URL's (`<name>_bench`, with Django's test-database
utilities), migrates it, seeds `--skus` SKUs with plenty of stock, then runs `--workers` processes
(each its own connection, like web workers) that reserve carts of 1 to `--max-lines` random SKUs
through `inventory.interface.reserve` for `--seconds`. Carts overlap on the same rows, so this
measures reserving under lock contention, events (outbox rows) included. Event dispatch goes to an
in-memory broker, as a real broker would take it off the request. Prints reservations/s, latency
percentiles and how many reservations were refused (expected 0), then drops the database.
"""

import argparse
import multiprocessing
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecommerce.settings")
# Queue event dispatch on an in-memory broker instead of running it inline (the embedded default).
os.environ["CELERY_BROKER_URL"] = "memory://"
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, connections  # noqa: E402

from inventory import interface  # noqa: E402

STOCK_PER_SKU = 1_000_000_000


def worker(worker_id: int, skus: list[str], seconds: float, max_lines: int, results) -> None:
    """Reserve random carts until time is up; report each reservation's latency (or a refusal)."""
    connections.close_all()  # never share the parent's connection across processes
    rng = random.Random(worker_id)
    latencies, refused, n = [], 0, 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        lines = {sku: rng.randint(1, 3) for sku in rng.sample(skus, rng.randint(1, max_lines))}
        started = time.perf_counter()
        try:
            interface.reserve(f"bench-{worker_id}-{n}", lines)
        except interface.InsufficientStock:
            refused += 1
        latencies.append(time.perf_counter() - started)
        n += 1
    connections.close_all()
    results.put((latencies, refused))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--skus", type=int, default=20, help="size of the pool carts draw from (contention)")
    parser.add_argument("--max-lines", type=int, default=3)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("Needs PostgreSQL: set DATABASE_URL=postgres://...", file=sys.stderr)
        return 2

    # Its own name, so that it never collides with the test suite's test_<name> database.
    settings.DATABASES["default"]["TEST"]["NAME"] = f"{settings.DATABASES['default']['NAME']}_bench"
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False, serialize=False)
    try:
        skus = [f"BENCH-{n:05d}" for n in range(args.skus)]
        interface.seed_stock(dict.fromkeys(skus, STOCK_PER_SKU))
        connections.close_all()
        results = multiprocessing.get_context("fork").Queue()
        processes = [
            multiprocessing.get_context("fork").Process(
                target=worker, args=(w, skus, args.seconds, args.max_lines, results)
            )
            for w in range(args.workers)
        ]
        started = time.perf_counter()
        for process in processes:
            process.start()
        gathered = [results.get() for _ in processes]
        for process in processes:
            process.join()
        elapsed = time.perf_counter() - started
        latencies = sorted(latency for batch, _ in gathered for latency in batch)
        refused = sum(count for _, count in gathered)
        done = len(latencies) - refused
        quantiles = statistics.quantiles(latencies, n=100)
        print(
            f"{args.workers} workers, {args.seconds:.0f} s, carts of 1-{args.max_lines} lines over {args.skus} SKUs "
            f"on PostgreSQL {connection.pg_version // 10000}"
        )
        print(f"reservations/s: {done / elapsed:.0f}  ({done} reserved, {refused} refused)")
        p50, p90, p99 = (quantiles[q] * 1000 for q in (49, 89, 98))
        print(f"latency ms: p50 {p50:.1f}  p90 {p90:.1f}  p99 {p99:.1f}")
    finally:
        connections.close_all()
        connection.creation.destroy_test_db(test_db, verbosity=0)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Time `manage.py seed_demo --products N` on a fresh PostgreSQL database and print the figure.

    .venv/bin/python bench/seed_demo_timing.py [--products 100000] [--database-url postgres://.../shop_bench]

The database named in the URL is dropped and created again, migrated (not timed), then seeded
(timed, in a subprocess exactly as an operator would run it). Figures, not a timed assertion.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent


def recreate_database(url: str) -> None:
    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin_url = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/shop_seed_bench")
    parser.add_argument("--no-stock", action="store_true", help="leave inventory out (times the catalog alone)")
    parser.add_argument("--no-index", action="store_true", help="leave search indexing out")
    args = parser.parse_args()
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("the benchmark runs on PostgreSQL: give --database-url postgres://...")
    env = {**os.environ, "DATABASE_URL": args.database_url, "LOG_LEVEL": "WARNING"}
    env.pop("REDIS_URL", None)  # embedded mode: events run in-process, as in `make run`
    recreate_database(args.database_url)
    manage(env, "migrate", "--noinput", "-v0")
    started = time.perf_counter()
    extra = [flag for flag, wanted in (("--no-stock", args.no_stock), ("--no-index", args.no_index)) if wanted]
    manage(env, "seed_demo", "--products", str(args.products), "--no-progress", *extra)
    elapsed = time.perf_counter() - started
    print(f"seed_demo --products {args.products} {' '.join(extra)}: {elapsed:.1f} s on PostgreSQL "
          f"({args.products / elapsed:,.0f} products/s)")


if __name__ == "__main__":
    main()

"""`manage.py import_stock FILE.csv`: set stock levels from a count or a supplier's feed.

The CSV has a header row with `sku` and `on_hand` (or `qty` / `quantity`), and optionally
`low_stock_threshold`. Each good row is upserted: a new SKU gets a stock record, an existing one is
set to the counted figure (the difference goes to the ledger as an adjustment). Bad rows are
reported as `line N: reason` and skipped; the good ones are still applied, and the command exits
non-zero when any row was rejected. A summary line says what happened. Running it twice changes
nothing the second time.
"""

import csv
import sys
from contextlib import nullcontext
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from inventory import services

QUANTITY_COLUMNS = ("on_hand", "qty", "quantity")


class Command(BaseCommand):
    help = "Upsert stock levels from a CSV (sku, on_hand[, low_stock_threshold]); bad rows are reported by line."

    def add_arguments(self, parser):
        parser.add_argument("csv_file", type=Path)
        parser.add_argument("--reference", default="", help="Ledger reference (default: stock-import:<file name>).")
        parser.add_argument("--dry-run", action="store_true", help="Check and report every row, write nothing.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, csv_file: Path, reference: str, dry_run: bool, no_progress: bool, **options):
        reference = reference or f"stock-import:{csv_file.name}"[:100]
        try:
            handle = csv_file.open(newline="", encoding="utf-8-sig")
        except OSError as exc:
            raise CommandError(f"Cannot read {csv_file}: {exc.strerror}") from None
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        rejected: list[str] = []
        # Rows are applied one by one (each its own transaction), except in a dry run, which rolls back.
        with handle, transaction.atomic() if dry_run else nullcontext():
            reader = csv.DictReader(handle)
            quantity_column = self._check_header(reader.fieldnames, csv_file)
            seen: dict[str, int] = {}
            try:
                rows = tqdm(reader, desc="stock rows", unit="row", file=sys.stderr, disable=no_progress or None)
                for row in rows:
                    line = reader.line_num
                    problem = self._import_row(row, line, quantity_column, seen, reference, counts)
                    if problem:
                        rejected.append(f"line {line}: {problem}")
            except (csv.Error, UnicodeDecodeError) as exc:
                rejected.append(f"line {reader.line_num}: unreadable CSV ({exc}); the rest of the file was not read")
            if dry_run:
                transaction.set_rollback(True)
        for message in rejected:
            self.stderr.write(message)
        summary = (
            f"{'Checked (dry run, nothing written)' if dry_run else 'Imported'} {csv_file.name}: "
            f"{counts['created']} created, {counts['updated']} updated, {counts['unchanged']} unchanged, "
            f"{len(rejected)} rejected."
        )
        self.stdout.write(summary)
        if rejected:
            raise CommandError(f"{len(rejected)} row(s) of {csv_file.name} were rejected; see the lines above.")

    def _check_header(self, fieldnames: list[str] | None, csv_file: Path) -> str:
        columns = [name.strip() for name in fieldnames or []]
        quantity = next((name for name in QUANTITY_COLUMNS if name in columns), None)
        if "sku" not in columns or quantity is None:
            raise CommandError(
                f"{csv_file.name} needs a header row with 'sku' and 'on_hand' (or 'qty'/'quantity') columns; "
                f"found {', '.join(columns) or 'none'}."
            )
        return quantity

    def _import_row(self, row, line, quantity_column, seen, reference, counts) -> str | None:
        """Apply one row; returns why it was rejected, or None."""
        if None in row:
            return "more cells than the header has columns"
        sku = (row.get("sku") or "").strip()
        if not sku:
            return "sku is blank"
        if sku in seen:
            return f"{sku} already appeared on line {seen[sku]}"
        seen[sku] = line
        on_hand = _whole_number(row.get(quantity_column))
        if on_hand is None:
            return f"{quantity_column} {row.get(quantity_column)!r} of {sku} is not a whole number of 0 or more"
        threshold = None
        if (row.get("low_stock_threshold") or "").strip():
            threshold = _whole_number(row["low_stock_threshold"])
            if threshold is None:
                return f"low_stock_threshold {row['low_stock_threshold']!r} of {sku} is not a whole number of 0 or more"
        try:
            _, outcome = services.stock_set_level(
                sku=sku, on_hand=on_hand, low_stock_threshold=threshold, note="stock import", reference=reference
            )
        except services.InventoryError as exc:
            return str(exc)
        counts[outcome] += 1
        return None


def _whole_number(text: str | None) -> int | None:
    try:
        value = int((text or "").strip())
    except ValueError:
        return None
    return value if value >= 0 else None

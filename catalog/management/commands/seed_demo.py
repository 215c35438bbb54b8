"""manage.py seed_demo --products N: a deterministic generated catalog of any size."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from catalog.importers.demo import seed_demo_catalog


class Command(BaseCommand):
    help = (
        "Generate a demo catalog of N products (the same for the same --seed), in bulk batches, with stock "
        "in inventory and search indexed. Products that exist already are skipped, so it is safe to rerun."
    )

    def add_arguments(self, parser):
        parser.add_argument("--products", type=int, default=500, help="how many products (default 500)")
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--batch-size", type=int, default=20000, help="products per transaction")
        parser.add_argument("--no-stock", action="store_true", help="do not seed inventory")
        parser.add_argument("--no-index", action="store_true", help="do not index for search (run reindex later)")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, products: int, seed: int, batch_size: int, no_stock: bool, no_index: bool,
               no_progress: bool, **options):
        if products < 0:
            raise CommandError("--products must be 0 or more")
        if batch_size < 1:
            raise CommandError("--batch-size must be 1 or more")
        with tqdm(total=products, unit="products", file=self.stderr,
                  disable=no_progress or options["verbosity"] == 0) as bar:
            report = seed_demo_catalog(count=products, seed=seed, batch_size=batch_size, seed_stock=not no_stock,
                                       index=not no_index, progress=bar.update)
        self.stdout.write(
            f"demo catalog: {report.created} products created ({report.variants} variants), "
            f"{report.skipped} already there; stock records created: {report.stock_created}"
        )
        if not report.indexed:
            self.stderr.write("search is unavailable: the new products are not indexed; run manage.py reindex")

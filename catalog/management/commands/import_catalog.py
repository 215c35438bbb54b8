"""manage.py import_catalog PATH: load a Retail Demo Store products.yaml or a Magento products.csv."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from catalog.importers import READERS, CatalogLoader, UnreadableCatalog, read_catalog


class Command(BaseCommand):
    help = (
        "Import a catalog file (format detected from its content): upsert by SKU, so running it again "
        "changes nothing. Bad rows are listed with their line number and reason while the rest loads; "
        "the command then exits non-zero."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--format", choices=sorted(READERS), default="", help="skip format detection")
        parser.add_argument("--batch-size", type=int, default=250, help="products per transaction")
        parser.add_argument("--no-stock", action="store_true", help="do not seed inventory from the file")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, path: Path, format: str, batch_size: int, no_stock: bool, no_progress: bool,
               **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be 1 or more")
        try:
            fmt, records, rejected = read_catalog(path, format)
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror or exc}") from None
        except UnreadableCatalog as exc:
            raise CommandError(f"{path}: {exc}") from None
        self.stdout.write(f"{path.name}: {fmt} catalog, {len(records)} products to load")
        with tqdm(total=len(records), unit="products", file=self.stderr,
                  disable=no_progress or options["verbosity"] == 0) as bar:
            report = CatalogLoader(batch_size=batch_size, seed_stock=not no_stock, progress=bar.update).load(
                records, rejected
            )
        for rejection in report.rejected:
            ref = f" ({rejection.ref})" if rejection.ref else ""
            self.stderr.write(f"line {rejection.line}{ref}: {rejection.reason}")
        self.stdout.write(f"{path.name}: {report.summary()}")
        if report.rejected:
            raise CommandError(f"{len(report.rejected)} rows rejected (listed above); every other row was loaded")

"""manage.py reindex: rebuild the search index of every active product, in batches, with a progress bar."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from catalog.models import Product
from catalog.search import SearchUnavailable, get_backend


class Command(BaseCommand):
    help = (
        "Rebuild product search for every active product with the configured SEARCH_BACKEND: the stored "
        "search vectors on PostgreSQL, or a fresh OpenSearch index swapped in behind the alias."
    )

    def handle(self, *args, **options):
        backend = get_backend()
        total = Product.objects.filter(is_active=True).count()
        with tqdm(total=total, unit="product", desc="Reindexing", file=self.stderr,
                  disable=options["verbosity"] == 0) as bar:
            try:
                count = backend.rebuild(progress=bar.update)
            except SearchUnavailable as exc:
                raise CommandError(f"search index not rebuilt: {exc}") from exc
        self.stdout.write(self.style.SUCCESS(f"Reindexed {count} products with the {settings.SEARCH_BACKEND} backend."))

"""Loading read catalog records into the catalog: upsert by SKU, in batches, through the services.

New products are inserted in bulk (services.products_bulk_create: first price history and one
product_changed event each); existing ones are compared field by field and changed only through the
services (product_update, change_price, variant_update, variant_create), so a second run of the
same file changes nothing and publishes nothing. Initial stock goes to inventory through its
interface (seed_stock leaves existing stock alone).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.text import slugify

from catalog import services
from catalog.importers.records import ProductRecord, Rejection, VariantRecord
from catalog.models import Category, Product, Variant
from inventory import interface as inventory


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    variants_created: int = 0
    variants_updated: int = 0
    stock_created: int = 0
    rejected: list[Rejection] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{len(self.rejected)} rejected; variants: {self.variants_created} created, "
            f"{self.variants_updated} updated; stock records created: {self.stock_created}"
        )


class CatalogLoader:
    """Upserts ProductRecords by SKU, `batch_size` products per transaction."""

    def __init__(self, *, batch_size: int = 250, seed_stock: bool = True,
                 progress: Callable[[int], None] | None = None):
        self.batch_size = batch_size
        self.seed_stock = seed_stock
        self.progress = progress
        self.report = ImportReport()
        self.categories: dict[str, Category] = {}
        self.used_slugs: set[str] = set()

    def load(self, records: list[ProductRecord], rejected: list[Rejection] = ()) -> ImportReport:
        """Load every record not rejected; the report lists the readers' and the loader's rejections."""
        self.report.rejected.extend(rejected)
        self.categories = {category.slug: category for category in Category.objects.all()}
        accepted = self._drop_duplicate_skus(records)
        for start in range(0, len(accepted), self.batch_size):
            batch = accepted[start : start + self.batch_size]
            self._load_batch(batch)
            if self.progress:
                self.progress(len(batch))
        self.report.rejected.sort(key=lambda rejection: rejection.line)
        return self.report

    def _drop_duplicate_skus(self, records: list[ProductRecord]) -> list[ProductRecord]:
        seen: dict[str, int] = {}
        accepted = []
        for record in records:
            clash = next((v for v in record.variants if v.sku in seen), None)
            if clash is None:
                skus = [v.sku for v in record.variants]
                clash = next((v for i, v in enumerate(record.variants) if v.sku in skus[:i]), None)
            if clash is not None:
                first = seen.get(clash.sku, record.line)
                self._reject(record, f"SKU {clash.sku} appears again (first on line {first})")
                continue
            seen.update({v.sku: v.line or record.line for v in record.variants})
            accepted.append(record)
        return accepted

    def _reject(self, record: ProductRecord, reason: str) -> None:
        self.report.rejected.append(Rejection(record.line, reason, record.ref))

    # One batch ------------------------------------------------------------------------------------

    @transaction.atomic
    def _load_batch(self, records: list[ProductRecord]) -> None:
        skus = [v.sku for record in records for v in record.variants]
        existing = {
            variant.sku: variant
            for variant in Variant.objects.filter(sku__in=skus).select_related("product__category")
        }
        in_stock: dict[str, bool] = {}
        if self.seed_stock:
            levels = {v.sku: v.stock for record in records for v in record.variants if v.stock is not None}
            self.report.stock_created += inventory.seed_stock(levels)
            in_stock = {sku: level.available > 0 for sku, level in inventory.availability(skus).items()}
        new_records = []
        for record in records:
            owners = {existing[v.sku].product_id for v in record.variants if v.sku in existing}
            if len(owners) > 1:
                self._reject(record, f"its SKUs belong to {len(owners)} different products already")
            elif owners:
                product = next(existing[v.sku].product for v in record.variants if v.sku in existing)
                self._update(record, product, existing, in_stock)
            else:
                new_records.append(record)
        if new_records:
            self._create(new_records, in_stock)

    def _category(self, path: tuple[str, ...]) -> Category:
        parent = None
        slug = ""
        for name in path:
            slug = f"{slug}-{slugify(name)}" if slug else slugify(name)
            category = self.categories.get(slug)
            if category is None:
                category = services.category_create(name=name, slug=slug, parent=parent)
                self.categories[slug] = category
            parent = category
        return parent

    def _free_slugs(self, records: list[ProductRecord]) -> dict[int, str]:
        """A slug no other product has for each new record: the wanted one, else suffixed with the
        source id, else numbered. One query per batch."""
        def suffixed(record: ProductRecord) -> str:
            return f"{record.slug[:240]}-{slugify(record.ref)[:8]}"

        wanted = {record.slug[:240] for record in records} | {suffixed(record) for record in records}
        taken = set(Product.objects.filter(slug__in=wanted).values_list("slug", flat=True)) | self.used_slugs
        slugs = {}
        for index, record in enumerate(records):
            slug = record.slug[:240]
            if slug in taken:
                slug = suffixed(record)
            candidate, counter = slug, 2
            while candidate in taken:
                candidate, counter = f"{slug}-{counter}", counter + 1
            taken.add(candidate)
            slugs[index] = candidate
        self.used_slugs |= set(slugs.values())
        return slugs

    def _create(self, records: list[ProductRecord], in_stock: dict[str, bool]) -> None:
        slugs = self._free_slugs(records)
        new = [
            services.NewProduct(
                slug=slugs[index],
                name=record.name,
                category=self._category(record.category_path),
                description=services.sanitise_description(record.description),
                brand=record.brand,
                attributes=record.attributes,
                is_featured=record.is_featured,
                variants=tuple(
                    services.NewVariant(
                        sku=v.sku, price=v.price, compare_at_price=v.compare_at_price, name=v.name,
                        options=v.options, in_stock=in_stock.get(v.sku, False), position=v.position,
                    )
                    for v in record.variants
                ),
            )
            for index, record in enumerate(records)
        ]
        services.products_bulk_create(products=new)
        self.report.created += len(new)
        self.report.variants_created += sum(len(product.variants) for product in new)

    def _update(self, record: ProductRecord, product: Product, existing: dict[str, Variant],
                in_stock: dict[str, bool]) -> None:
        wanted = {
            "name": record.name,
            "category": self._category(record.category_path),
            "description": services.sanitise_description(record.description),
            "brand": record.brand,
            "attributes": record.attributes,
            "is_featured": record.is_featured,
        }
        changes = {key: value for key, value in wanted.items() if getattr(product, key) != value}
        variants_changed = variants_created = 0
        try:
            with transaction.atomic():
                if changes:
                    services.product_update(product=product, **changes)
                for v in record.variants:
                    if v.sku in existing:
                        variants_changed += self._update_variant(existing[v.sku], v)
                    else:
                        services.variant_create(
                            product=product, sku=v.sku, price=v.price, compare_at_price=v.compare_at_price,
                            name=v.name, options=v.options, in_stock=in_stock.get(v.sku, False),
                            position=v.position,
                        )
                        variants_created += 1
        except services.CatalogError as exc:
            self._reject(record, str(exc))
            return
        self.report.variants_updated += variants_changed
        self.report.variants_created += variants_created
        if changes or variants_changed or variants_created:
            self.report.updated += 1
        else:
            self.report.unchanged += 1

    @staticmethod
    def _update_variant(variant: Variant, record: VariantRecord) -> bool:
        changed = False
        if (variant.price, variant.compare_at_price) != (record.price, record.compare_at_price):
            services.change_price(variant=variant, new_price=record.price, compare_at_price=record.compare_at_price)
            changed = True
        other = {
            key: value
            for key, value in (("name", record.name), ("options", record.options), ("position", record.position))
            if getattr(variant, key) != value
        }
        if other:
            services.variant_update(variant=variant, **other)
            changed = True
        return changed

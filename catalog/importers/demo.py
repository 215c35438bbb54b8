"""A generated demo catalog of any size: deterministic for a given seed, made with Faker, inserted in
bulk batches through services.products_bulk_create. The project ships no third-party catalog, so
`make run` uses this when the Retail Demo Store file is not beside the project.

Product number i always gets the SKUs DEMO-<i>-<size>, so running the command again (or with a
larger N) only adds the products that are missing.
"""

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from faker import Faker

from catalog import services
from catalog.models import Category, Variant
from catalog.search import SearchUnavailable, get_backend
from inventory import interface as inventory

DEPARTMENTS = {
    "Home": ["Kitchen", "Lighting", "Bedding", "Storage", "Decor"],
    "Outdoors": ["Camping", "Cycling", "Garden", "Hiking", "Fishing"],
    "Electronics": ["Headphones", "Speakers", "Cameras", "Keyboards", "Cables"],
    "Apparel": ["Jackets", "Shirts", "Trousers", "Socks", "Hats"],
    "Footwear": ["Boots", "Sneakers", "Sandals", "Slippers", "Running"],
    "Beauty": ["Skin Care", "Hair Care", "Fragrance", "Bath", "Shaving"],
    "Toys": ["Puzzles", "Board Games", "Building Sets", "Dolls", "Outdoor Play"],
    "Grocery": ["Coffee", "Tea", "Snacks", "Pantry", "Sweets"],
}
MATERIALS = ["Cotton", "Steel", "Bamboo", "Leather", "Wool", "Ceramic", "Oak", "Linen", "Copper", "Glass"]
SIZES = [("S", "Small"), ("M", "Medium"), ("L", "Large")]


@dataclass
class SeedReport:
    created: int = 0
    skipped: int = 0
    variants: int = 0
    stock_created: int = 0
    indexed: bool = True


class DemoCatalog:
    """Generates products 0..n-1 from a seed; each is the same on every run with that seed."""

    def __init__(self, seed: int = 42):
        self.seed = seed
        faker = Faker("en_US")
        faker.seed_instance(seed)
        # Pools drawn once from Faker; per-product choices then cost next to nothing.
        self.nouns = sorted({word.title() for word in faker.words(nb=400, unique=True) if len(word) > 3})[:150]
        self.colours = sorted({faker.color_name() for _ in range(200)})
        self.brands = sorted({faker.company().split(",")[0].split(" ")[0] for _ in range(80)})[:40]
        self.sentences = [faker.sentence(nb_words=12) for _ in range(400)]

    def categories(self) -> list[tuple[str, str, str]]:
        """(department, subcategory, slug) for every leaf category."""
        return [(dept, sub, f"demo-{dept}-{sub}".lower().replace(" ", "-"))
                for dept, subs in DEPARTMENTS.items() for sub in subs]

    def products(self, count: int, leaves: list[Category]) -> Iterator[tuple[int, services.NewProduct, dict]]:
        """(number, product, {sku: stock}) for products 0..count-1, in order."""
        rng = random.Random(self.seed)  # noqa: S311 (demo data, not secrets: reproducible on purpose)
        for number in range(count):
            colour, material, noun = rng.choice(self.colours), rng.choice(MATERIALS), rng.choice(self.nouns)
            name = f"{colour} {material} {noun}"
            base = Decimal(rng.randrange(199, 49999)) / 100
            sizes = SIZES[: rng.choice((1, 1, 2, 3))]
            on_sale = rng.random() < 0.15
            stock = {}
            variants = []
            for position, (code, label) in enumerate(sizes):
                sku = f"DEMO-{number:06d}-{code}"
                price = (base + Decimal(position * 2)).quantize(Decimal("0.01"))
                quantity = rng.choice((0, 3, 12, 25, 60))
                stock[sku] = quantity
                variants.append(
                    services.NewVariant(
                        sku=sku,
                        price=price,
                        compare_at_price=(price * Decimal("1.25")).quantize(Decimal("0.01")) if on_sale else None,
                        name=label if len(sizes) > 1 else "",
                        options={"size": label} if len(sizes) > 1 else {},
                        in_stock=quantity > 0,
                        position=position,
                    )
                )
            product = services.NewProduct(
                slug=f"{name.lower().replace(' ', '-')}-{number}",
                name=name,
                category=leaves[rng.randrange(len(leaves))],
                description=" ".join(rng.sample(self.sentences, 3)),
                brand=rng.choice(self.brands),
                attributes={"material": material, "colour": colour},
                is_featured=rng.random() < 0.02,
                variants=tuple(variants),
            )
            yield number, product, stock


def seed_demo_catalog(*, count: int, seed: int = 42, batch_size: int = 20000, seed_stock: bool = True,
                      index: bool = True, progress: Callable[[int], None] | None = None) -> SeedReport:
    """Create the products of the demo catalog that do not exist yet, `batch_size` per transaction.

    Products are inserted without per-product events (a demo catalog is not news); the new products
    are indexed for search batch by batch instead. Stock goes to inventory through seed_stock.
    """
    demo = DemoCatalog(seed)
    report = SeedReport()
    leaves = _ensure_categories(demo)
    batch: list[tuple[services.NewProduct, dict]] = []
    for _number, product, stock in demo.products(count, leaves):
        batch.append((product, stock))
        if len(batch) == batch_size:
            _insert(batch, report, seed_stock=seed_stock, index=index)
            if progress:
                progress(len(batch))
            batch = []
    if batch:
        _insert(batch, report, seed_stock=seed_stock, index=index)
        if progress:
            progress(len(batch))
    return report


def _ensure_categories(demo: DemoCatalog) -> list[Category]:
    existing = {category.slug: category for category in Category.objects.filter(slug__startswith="demo-")}
    leaves = []
    for position, (department, sub, slug) in enumerate(demo.categories()):
        parent_slug = f"demo-{department}".lower().replace(" ", "-")
        if parent_slug not in existing:
            existing[parent_slug] = services.category_create(name=department, slug=parent_slug, is_featured=True)
        if slug not in existing:
            existing[slug] = services.category_create(name=sub, slug=slug, parent=existing[parent_slug],
                                                      position=position)
        leaves.append(existing[slug])
    return leaves


def _insert(batch: list[tuple[services.NewProduct, dict]], report: SeedReport, *, seed_stock: bool,
            index: bool) -> None:
    first_skus = [product.variants[0].sku for product, _ in batch]
    with transaction.atomic():
        present = set(Variant.objects.filter(sku__in=first_skus).values_list("sku", flat=True))
        new = [(product, stock) for product, stock in batch if product.variants[0].sku not in present]
        report.skipped += len(batch) - len(new)
        if not new:
            return
        created = services.products_bulk_create(products=[product for product, _ in new], announce=False)
        report.created += len(created)
        report.variants += sum(len(product.variants) for product, _ in new)
        if seed_stock:
            levels = {sku: quantity for _, stock in new for sku, quantity in stock.items()}
            report.stock_created += inventory.seed_stock(levels)
    if index and report.indexed:
        try:
            get_backend().index_products(created)
        except SearchUnavailable:
            report.indexed = False

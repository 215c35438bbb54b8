"""The rows a search index is built from, read from the catalog tables in bounded batches."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from catalog.models import Category, Product


@dataclass(frozen=True)
class ProductDocument:
    """What a search index stores about one product."""

    id: int
    name: str
    brand: str
    description: str
    category: str  # the product's own category slug
    category_name: str
    category_path: tuple[str, ...]  # slugs from the root down to the product's category
    min_price: Decimal | None
    in_stock: bool
    is_active: bool
    created_at: datetime


def category_paths() -> dict[int, tuple[str, ...]]:
    """Category id -> slugs from the root down to it, from one query over the (small) category table."""
    rows = {row["id"]: row for row in Category.objects.values("id", "slug", "parent_id")}
    paths: dict[int, tuple[str, ...]] = {}
    for category_id in rows:
        chain = []
        node = rows.get(category_id)
        while node is not None and len(chain) <= len(rows):  # the bound guards against a cycle
            chain.append(node["slug"])
            node = rows.get(node["parent_id"])
        paths[category_id] = tuple(reversed(chain))
    return paths


def product_documents(
    product_ids: Iterable[int] | None = None, *, batch_size: int = 500
) -> Iterator[ProductDocument]:
    """Documents for the given products (every product when None), active or not, by ascending id.

    Reads in keyset-paginated batches, so memory stays flat however big the catalog is.
    """
    paths = category_paths()
    products = Product.objects.order_by("id").values(
        "id", "name", "brand", "description", "category_id", "category__slug", "category__name",
        "min_price", "in_stock", "is_active", "created_at",
    )
    if product_ids is not None:
        products = products.filter(id__in=list(product_ids))
    last_id = 0
    while True:
        batch = list(products.filter(id__gt=last_id)[:batch_size])
        for row in batch:
            yield ProductDocument(
                id=row["id"], name=row["name"], brand=row["brand"], description=row["description"],
                category=row["category__slug"], category_name=row["category__name"],
                category_path=paths.get(row["category_id"], (row["category__slug"],)),
                min_price=row["min_price"], in_stock=row["in_stock"], is_active=row["is_active"],
                created_at=row["created_at"],
            )
        if len(batch) < batch_size:
            return
        last_id = batch[-1]["id"]

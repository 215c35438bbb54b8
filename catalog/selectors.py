"""Catalog reads for the API and the interface: each returns what its caller needs in a fixed number of
queries, whatever the page size or catalog size.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from catalog.models import Category, Product, ProductImage, Variant


def _with_variants_and_images(products: QuerySet[Product]) -> QuerySet[Product]:
    return products.select_related("category").prefetch_related(
        Prefetch("variants", queryset=Variant.objects.filter(is_active=True).order_by("position", "id")),
        Prefetch("images", queryset=ProductImage.objects.order_by("position", "id")),
    )


def product_list() -> QuerySet[Product]:
    """Active products with their category, active variants and images: three queries per page."""
    return _with_variants_and_images(Product.objects.filter(is_active=True)).order_by("-created_at", "-id")


def product_detail(*, slug: str) -> Product | None:
    """The active product with this slug, with category, active variants and images; None if absent."""
    return product_list().filter(slug=slug).first()


def products_by_ids(ids: Iterable[int]) -> list[Product]:
    """Active products among `ids` (unknown or inactive ones left out), with variants and images."""
    return list(product_list().filter(pk__in=list(ids)))


def variants_by_skus(skus: Iterable[str]) -> list[Variant]:
    """Variants with these SKU codes, active or not, with their product, category and images."""
    return list(
        Variant.objects.filter(sku__in=list(skus))
        .select_related("product__category")
        .prefetch_related(Prefetch("product__images", queryset=ProductImage.objects.order_by("position", "id")))
        .order_by("sku")
    )


@dataclass
class CategoryNode:
    id: int
    name: str
    slug: str
    position: int
    is_featured: bool
    children: list["CategoryNode"] = field(default_factory=list)


def category_tree() -> list[CategoryNode]:
    """Every category as a tree of nodes, roots first, siblings by position then name: one query."""
    nodes: dict[int, CategoryNode] = {}
    parents: dict[int, int | None] = {}
    for pk, name, slug, position, is_featured, parent_id in Category.objects.order_by(
        "position", "name"
    ).values_list("pk", "name", "slug", "position", "is_featured", "parent_id"):
        nodes[pk] = CategoryNode(pk, name, slug, position, is_featured)
        parents[pk] = parent_id
    roots = []
    for pk, node in nodes.items():
        parent = parents[pk]
        (nodes[parent].children if parent in nodes else roots).append(node)
    return roots


def category_with_descendant_ids(*, slug: str) -> list[int]:
    """Ids of the category with this slug and of every category below it; [] when no such slug."""
    children: dict[int | None, list[int]] = {}
    root = None
    for pk, parent_id, node_slug in Category.objects.values_list("pk", "parent_id", "slug"):
        children.setdefault(parent_id, []).append(pk)
        if node_slug == slug:
            root = pk
    if root is None:
        return []
    found, todo = [], [root]
    while todo:
        pk = todo.pop()
        found.append(pk)
        todo.extend(children.get(pk, []))
    return found


def product_for_staff(*, slug: str) -> Product | None:
    """The product with this slug, active or not, with every variant (for staff answers)."""
    return (
        Product.objects.filter(slug=slug)
        .select_related("category")
        .prefetch_related(
            Prefetch("variants", queryset=Variant.objects.order_by("position", "id")),
            Prefetch("images", queryset=ProductImage.objects.order_by("position", "id")),
        )
        .first()
    )

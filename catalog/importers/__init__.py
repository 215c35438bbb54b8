"""Catalog imports: readers of the supported file formats and the loader that upserts by SKU.

    fmt, records, rejected = read_catalog(path)
    report = CatalogLoader().load(records, rejected)
"""

from pathlib import Path

from catalog.importers import magento_luma, retail_demo_store
from catalog.importers.loader import CatalogLoader, ImportReport
from catalog.importers.records import ProductRecord, Rejection, UnreadableCatalog

READERS = {reader.FORMAT: reader for reader in (retail_demo_store, magento_luma)}

__all__ = ["READERS", "CatalogLoader", "ImportReport", "UnreadableCatalog", "detect_format", "read_catalog"]


def detect_format(head: bytes) -> str:
    """The format of a catalog file from its first bytes; UnreadableCatalog when none fits."""
    text = head.decode("utf-8", errors="replace")
    for name, reader in READERS.items():
        if reader.looks_like(text):
            return name
    raise UnreadableCatalog(
        "unknown catalog format: expected a Retail Demo Store products.yaml or a Magento products.csv"
    )


def read_catalog(path: Path, fmt: str = "") -> tuple[str, list[ProductRecord], list[Rejection]]:
    """Read a catalog file (format detected unless given): (format, products, rejected rows).

    Raises OSError when the file cannot be read and UnreadableCatalog when it is no catalog.
    """
    raw = Path(path).read_bytes()
    fmt = fmt or detect_format(raw[:65536])
    records, rejected = READERS[fmt].read(raw)
    return fmt, records, rejected

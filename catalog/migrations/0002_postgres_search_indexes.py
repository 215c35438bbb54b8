"""PostgreSQL-only search support: the pg_trgm extension, a GIN index on Product.search_vector and a
trigram GIN index on Product.name. On SQLite (embedded mode) every operation here does nothing, and
the indexes stay out of the model state so that SQLite table rebuilds never try to recreate them.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = {
    "catalog_product_search_vector_gin": "CREATE INDEX IF NOT EXISTS catalog_product_search_vector_gin "
    "ON catalog_product USING gin (search_vector)",
    "catalog_product_name_trgm_gin": "CREATE INDEX IF NOT EXISTS catalog_product_name_trgm_gin "
    "ON catalog_product USING gin (name gin_trgm_ops)",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in INDEXES.values():
        schema_editor.execute(sql)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [
        # CreateExtension is itself a no-op on databases other than PostgreSQL.
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]

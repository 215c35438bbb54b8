"""import_catalog: both real catalogs load, a second run changes nothing, bad rows are named."""

import csv
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from catalog.models import Category, PriceHistory, Product, Variant
from ecommerce.events.models import OutboxEvent
from inventory import interface as inventory

pytestmark = pytest.mark.django_db

DATA = Path(settings.BASE_DIR).parent / "shared" / "data" / "catalog"
RETAIL = DATA / "retail-demo-store" / "products.yaml"
LUMA = DATA / "magento-luma" / "ConfigurableSampleData" / "fixtures" / "products.csv"


def run_import(path, *extra):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_catalog", str(path), "--no-progress", *extra, stdout=out, stderr=err)
    except CommandError as exc:
        return out.getvalue(), err.getvalue(), str(exc)
    return out.getvalue(), err.getvalue(), ""


def test_retail_demo_store_loads_every_product_with_two_level_categories_and_stock():
    """All 2,465 products load under 20 top-level categories and 85 styles; stock seeds inventory."""
    out, err, error = run_import(RETAIL)

    assert (error, err) == ("", "")
    assert "2465 created, 0 updated, 0 unchanged, 0 rejected" in out
    assert Product.objects.count() == 2465
    assert Variant.objects.count() == 2465
    assert Category.objects.filter(parent=None).count() == 20
    assert Category.objects.filter(parent__parent=None).exclude(parent=None).count() == 85
    backpack = Product.objects.get(variants__sku="6579c22f-be2b-444c-a52b-0116dd82df6c")
    assert (backpack.name, backpack.min_price, backpack.in_stock) == (
        "Adventure-Ready Expedition Backpack", Decimal("129.99"), True
    )
    assert [c.slug for c in backpack.category.ancestors()] == ["accessories", "accessories-backpack"]
    assert inventory.availability(["6579c22f-be2b-444c-a52b-0116dd82df6c"])[
        "6579c22f-be2b-444c-a52b-0116dd82df6c"
    ].on_hand == 15
    assert Product.objects.values("slug").distinct().count() == 2465


def test_second_run_of_each_real_catalog_changes_nothing():
    """Importing the same files again reports 0 created, 0 updated and publishes no product event."""
    run_import(RETAIL)
    run_import(LUMA)
    events_before = OutboxEvent.objects.filter(name__startswith="catalog.").count()

    retail_out, _, retail_error = run_import(RETAIL)
    luma_out, _, luma_error = run_import(LUMA)

    assert (retail_error, luma_error) == ("", "")
    assert "0 created, 0 updated, 2465 unchanged, 0 rejected" in retail_out
    assert "0 created, 0 updated, 147 unchanged, 0 rejected; variants: 0 created, 0 updated" in luma_out
    assert OutboxEvent.objects.filter(name__startswith="catalog.").count() == events_before
    assert PriceHistory.objects.count() == 2465 + 1847


def test_magento_luma_loads_147_configurable_products_with_1847_variants():
    """The Luma CSV gives 147 products with size x colour variants in three-level categories, HTML kept safe."""
    out, _, error = run_import(LUMA)

    assert error == ""
    assert "147 created" in out
    assert Product.objects.count() == 147
    assert Variant.objects.count() == 1847
    hoodie = Product.objects.get(variants__sku="MH01-XS-Black")
    assert hoodie.name == "Chaz Kangeroo Hoodie"
    assert [c.name for c in hoodie.category.ancestors()] == ["Men", "Tops", "Hoodies & Sweatshirts"]
    assert hoodie.variants.count() == 15
    assert Variant.objects.get(sku="MH01-XS-Black").options == {"size": "XS", "color": "Black"}
    assert hoodie.description.startswith("<p>Ideal for cold-weather training")
    assert hoodie.attributes["material"] == "Wool"
    assert Product.objects.filter(description__icontains="<script").count() == 0


def test_price_change_in_the_file_updates_through_change_price(tmp_path):
    """A changed price in a re-imported file counts as updated, writes history and publishes price_changed."""
    run_import(LUMA)
    changed = tmp_path / "products.csv"
    rows = list(csv.reader(io.StringIO(LUMA.read_text(encoding="utf-8"), newline="")))
    price = rows[0].index("price")
    rows[1][price] = "47.5"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    changed.write_text(buffer.getvalue(), encoding="utf-8")

    out, _, error = run_import(changed)

    assert error == ""
    assert "0 created, 1 updated, 146 unchanged, 0 rejected; variants: 0 created, 1 updated" in out
    assert Variant.objects.get(sku="MH01-XS-Black").price == Decimal("47.50")
    assert [e.payload["new"] for e in OutboxEvent.objects.filter(name="catalog.price_changed.v1")] == ["47.50"]


def _line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_corrupted_retail_copy_loads_good_rows_and_names_each_bad_one(tmp_path):
    """A copy with a bad price, a missing name, an unknown category syntax and broken bytes loads the
    2,461 good products and reports the 4 bad ones by line and reason, exiting non-zero."""
    text = RETAIL.read_text(encoding="utf-8")
    ids = re.findall(r"^- id: (\S+)$", text, flags=re.MULTILINE)
    bad_price, no_name, bad_category, bad_bytes = ids[10], ids[500], ids[1200], ids[2400]

    def entry(pk):
        start = text.index(f"- id: {pk}\n")
        return start, text.index("\n- id:", start)

    def edit(text, pk, pattern, replacement):
        start, end = entry(pk)
        block = re.sub(pattern, replacement, text[start:end], count=1, flags=re.MULTILINE)
        return text[:start] + block + text[end:]

    text = edit(text, bad_price, r"^  price: .*$", "  price: twelve")
    text = edit(text, no_name, r"^  name: .*$", "  name: ''")
    text = edit(text, bad_category, r"^  category: .*$", "  category: apparel > jacket")
    text = edit(text, bad_bytes, r"^  name: (.*)$", r"  name: \1 BROKEN")
    lines = {pk: _line_of(text, f"- id: {pk}\n") for pk in (bad_price, no_name, bad_category, bad_bytes)}
    corrupted = tmp_path / "products.yaml"
    corrupted.write_bytes(text.encode("utf-8").replace(b" BROKEN", b" \xff\xfe\xfa"))

    out, err, error = run_import(corrupted)

    assert "2461 created, 0 updated, 0 unchanged, 4 rejected" in out
    assert Product.objects.count() == 2461
    assert error == "4 rows rejected (listed above); every other row was loaded"
    assert err.splitlines() == [
        f"line {lines[bad_price]} ({bad_price}): bad price: 'twelve' is not a number",
        f"line {lines[no_name]} ({no_name}): missing name",
        f"line {lines[bad_category]} ({bad_category}): unknown category syntax: 'apparel > jacket' "
        "(expected a plain name such as 'accessories')",
        f"line {lines[bad_bytes]} ({bad_bytes}): broken encoding: the row has bytes that are not UTF-8",
    ]


def test_corrupted_luma_copy_loads_good_rows_and_names_each_bad_one(tmp_path):
    """Bad variant price, a product without name, a category path of unknown syntax and broken bytes:
    the rest loads and every bad row (with the variants of a rejected product) is named by line."""
    rows = list(csv.reader(io.StringIO(LUMA.read_text(encoding="utf-8"), newline="")))
    header = rows[0]
    col = {name: header.index(name) for name in ("sku", "product_type", "name", "price", "categories", "description")}
    by_sku = {row[col["sku"]]: index for index, row in enumerate(rows)}
    rows[by_sku["MH01-XS-Black"]][col["price"]] = "abc"           # a variant of MH01
    rows[by_sku["MH02"]][col["name"]] = ""                       # a configurable product
    rows[by_sku["MH03"]][col["categories"]] = "Men>Tops>Jackets"  # a configurable product
    rows[by_sku["MH04"]][col["description"]] = "<p>BROKEN</p>"     # a configurable product
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    text = buffer.getvalue()
    corrupted = tmp_path / "products.csv"
    corrupted.write_bytes(text.encode("utf-8").replace(b"BROKEN", b"\xc3\x28broken"))

    def line(sku):
        return _line_of(text, f"\n{sku},") + 1

    out, err, error = run_import(corrupted)

    children = {parent: [r[col["sku"]] for r in rows[1:] if r[col["product_type"]] == "simple"
                         and r[col["sku"]].startswith(parent + "-")] for parent in ("MH02", "MH03", "MH04")}
    rejected_variants = sum(len(skus) for skus in children.values())
    assert Product.objects.count() == 144
    assert Variant.objects.count() == 1847 - 1 - rejected_variants
    assert "144 created, 0 updated, 0 unchanged" in out
    assert f"{4 + rejected_variants} rejected" in out
    assert error.startswith(f"{4 + rejected_variants} rows rejected")
    messages = err.splitlines()
    assert f"line {line('MH01-XS-Black')} (MH01-XS-Black): bad price: 'abc' is not a number" in messages
    assert f"line {line('MH02')} (MH02): missing name" in messages
    assert (f"line {line('MH03')} (MH03): unknown category syntax: 'Men>Tops>Jackets' "
            "(expected paths like 'Default Category/Men/Tops', comma-separated)") in messages
    assert f"line {line('MH04')} (MH04): broken encoding: the row has bytes that are not UTF-8" in messages
    first_child = children["MH02"][0]
    assert f"line {line(first_child)} ({first_child}): its configurable product MH02 (line {line('MH02')}) " \
        "was rejected" in messages


def test_unknown_file_format_is_refused_with_a_message(tmp_path):
    """A file that is neither catalog format stops the command with a message and loads nothing."""
    strange = tmp_path / "products.txt"
    strange.write_text("hello, world\n1,2\n")

    _, _, error = run_import(strange)

    assert error == f"{strange}: unknown catalog format: expected a Retail Demo Store products.yaml or a Magento " \
        "products.csv"
    assert Product.objects.count() == 0


def test_missing_file_is_refused_with_a_message(tmp_path):
    """A path that does not exist is named in the error."""
    _, _, error = run_import(tmp_path / "nope.yaml")

    assert error == f"cannot read {tmp_path / 'nope.yaml'}: No such file or directory"

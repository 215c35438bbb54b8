"""`{% stock_badge %}`: what shoppers see next to a SKU on product and cart pages."""

import pytest
from django.template import Context, Template

from inventory import interface
from tests.factories.inventory import StockItemFactory

pytestmark = pytest.mark.django_db


def render(template: str, **context) -> str:
    return Template("{% load inventory %}" + template).render(Context(context))


def test_badge_says_in_stock_only_n_left_or_out_of_stock():
    """Above the threshold "In stock", at or under it "Only N left", nothing available "Out of stock"."""
    StockItemFactory(sku="PLENTY", on_hand=6, low_stock_threshold=5)
    StockItemFactory(sku="FEW", on_hand=5, low_stock_threshold=5)
    StockItemFactory(sku="HELD", on_hand=2)
    interface.reserve("CHK-1", {"HELD": 2})

    html = render(
        "{% stock_badge 'PLENTY' %}|{% stock_badge 'FEW' %}|{% stock_badge 'HELD' %}|{% stock_badge 'NONE' %}"
    )

    assert html.split("|") == [
        '<span class="badge" data-sku="PLENTY">In stock</span>',
        '<span class="badge low" data-sku="FEW">Only 5 left</span>',
        '<span class="badge out" data-sku="HELD">Out of stock</span>',
        '<span class="badge out" data-sku="NONE">Out of stock</span>',
    ]


def test_badge_escapes_the_sku():
    """A SKU is text, never markup."""
    html = render("{% stock_badge sku %}", sku='"><script>')

    assert html == '<span class="badge out" data-sku="&quot;&gt;&lt;script&gt;">Out of stock</span>'


def test_badge_costs_one_query_or_none_when_given_a_level(django_assert_num_queries):
    """A badge by SKU issues one query; a page that fetched levels in bulk passes them and issues none."""
    StockItemFactory(sku="A", on_hand=3)
    StockItemFactory(sku="B", on_hand=30)
    with django_assert_num_queries(1):
        levels = interface.availability(["A", "B"])

    with django_assert_num_queries(0):
        html = render("{% for level in levels %}{% stock_badge level %}{% endfor %}", levels=levels.values())
    with django_assert_num_queries(1):
        render("{% stock_badge 'A' %}")

    assert html == (
        '<span class="badge low" data-sku="A">Only 3 left</span><span class="badge" data-sku="B">In stock</span>'
    )

"""`{% load inventory %}`: the stock badge other contexts' pages show next to a SKU."""

from django import template
from django.utils.html import format_html

from inventory.interface import LOW, OUT, StockLevel, availability

register = template.Library()


@register.simple_tag
def stock_badge(sku_or_level: str | StockLevel) -> str:
    """ "In stock", "Only N left" or "Out of stock" for a SKU (one query), or for a StockLevel already fetched.

    A page listing many SKUs can call `inventory.interface.availability` once and pass each level.
    """
    level = sku_or_level if isinstance(sku_or_level, StockLevel) else availability([sku_or_level])[sku_or_level]
    if level.status == OUT:
        return format_html('<span class="badge out" data-sku="{}">Out of stock</span>', level.sku)
    if level.status == LOW:
        return format_html('<span class="badge low" data-sku="{}">Only {} left</span>', level.sku, level.available)
    return format_html('<span class="badge" data-sku="{}">In stock</span>', level.sku)

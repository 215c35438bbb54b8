"""`{% load catalog %}`: prices, the catalog's home-page sections and Product structured data."""

import json
from decimal import Decimal

from django import template
from django.utils.safestring import mark_safe

from catalog import selectors_storefront
from ecommerce import page_cache

register = template.Library()

CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}
# Characters that could end the <script> element or start markup inside it, as JSON escapes.
_SCRIPT_SAFE = str.maketrans({"<": "\\u003C", ">": "\\u003E", "&": "\\u0026", "\u2028": "\\u2028",
                              "\u2029": "\\u2029"})


@register.filter
def money(amount: Decimal | None, currency: str = "USD") -> str:
    """12.5, "USD" -> "$12.50"; a currency without a symbol goes after the amount: "12.50 CHF"."""
    if amount is None:
        return ""
    value = f"{Decimal(amount):,.2f}"
    symbol = CURRENCY_SYMBOLS.get(currency)
    return f"{symbol}{value}" if symbol else f"{value} {currency}"


def json_for_script(data: dict) -> str:
    """JSON that is safe inside a <script> element: no "</script>", "<!--" or "&" can break out of it."""
    return mark_safe(json.dumps(data, ensure_ascii=False, sort_keys=True).translate(_SCRIPT_SAFE))


def product_structured_data(product: selectors_storefront.ProductPage, url: str, image_urls: list[str]) -> dict:
    """schema.org Product with one Offer per variant, as search engines read it."""
    data = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.name,
        "description": product.plain_description,
        "url": url,
        "image": image_urls,
        "offers": [
            {
                "@type": "Offer",
                "sku": variant.sku,
                "price": f"{variant.price:.2f}",
                "priceCurrency": variant.currency,
                "availability": "https://schema.org/InStock" if variant.in_stock else "https://schema.org/OutOfStock",
                "url": f"{url}?sku={variant.sku}",
            }
            for variant in product.variants
        ],
    }
    if product.brand:
        data["brand"] = {"@type": "Brand", "name": product.brand}
    if len(product.variants) == 1:
        data["sku"] = product.variants[0].sku
    return data


@register.simple_tag(takes_context=True)
def product_json_ld(context, product: selectors_storefront.ProductPage) -> str:
    """<script type="application/ld+json"> with the product's structured data, absolute URLs."""
    request = context["request"]
    url = request.build_absolute_uri(request.path)
    images = [request.build_absolute_uri(image.original) for image in product.images]
    payload = json_for_script(product_structured_data(product, url, images))
    return mark_safe(f'<script type="application/ld+json">{payload}</script>')


@register.inclusion_tag("catalog/_new_arrivals.html")
def new_arrivals(limit: int = selectors_storefront.NEW_ARRIVALS) -> dict:
    """Home-page section: the newest products as cards."""
    return {"cards": selectors_storefront.new_arrivals(limit)}


@register.inclusion_tag("catalog/_featured_categories.html")
def featured_categories() -> dict:
    """Home-page section: links to the categories staff feature."""
    return {"categories": selectors_storefront.featured_categories()}


class CachedFragmentNode(template.Node):
    def __init__(self, nodelist: template.NodeList, key: template.base.FilterExpression):
        self.nodelist = nodelist
        self.key = key

    def render(self, context) -> str:
        key = self.key.resolve(context)
        if not key:
            return self.nodelist.render(context)

        def render(extra: dict) -> str:
            with context.push(**extra):
                return str(self.nodelist.render(context))

        return mark_safe(page_cache.cached_fragment(context["request"], key, render))


@register.tag
def cached_fragment(parser, token) -> CachedFragmentNode:
    """{% cached_fragment key %}...{% endcached_fragment %}: the enclosed HTML from the page cache under
    `key` (a key the view made from the data's token), the visitor's CSRF token put back in; rendered
    as usual when `key` is empty. Only for HTML that is the same for every visitor but for that token.
    """
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("cached_fragment takes one argument: the cache key")
    nodelist = parser.parse(("endcached_fragment",))
    parser.delete_first_token()
    return CachedFragmentNode(nodelist, parser.compile_filter(bits[1]))

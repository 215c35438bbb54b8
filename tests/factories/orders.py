"""Factories for orders: an order with its lines and first timeline entry, as placing leaves it.

Orders placed through checkout are built with the real services (see tests/orders/conftest.py);
these factories serve the pages, the admin and the lifecycle tests that start from a given status.
"""

from decimal import Decimal

import factory

from orders.models import Order, OrderLine, Payment, StatusChange

ADDRESS = {
    "full_name": "Ada Lovelace",
    "line1": "12 St James's Square",
    "line2": "",
    "city": "London",
    "region": "",
    "postcode": "SW1Y 4JH",
    "country": "GB",
    "phone": "",
}


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: f"261126-{n:08d}")
    user = None
    email = factory.LazyAttribute(lambda order: order.user.email if order.user else "guest@example.com")
    cart_id = factory.Sequence(lambda n: 100000 + n)
    status = Order.Status.PLACED
    currency = "USD"
    subtotal = Decimal("20.00")
    shipping_method = Order.Shipping.STANDARD
    shipping_cost = Decimal("4.95")
    tax_rate = Decimal("0.0800")
    tax = Decimal("2.00")
    total = Decimal("26.95")
    shipping_address = factory.LazyFunction(lambda: dict(ADDRESS))

    @factory.post_generation
    def placed(order, create, extracted, **kwargs):
        if create:
            StatusChange.objects.create(order=order, to_status=Order.Status.PLACED, note="Order placed")


class OrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    product_name = factory.Sequence(lambda n: f"Product {n}")
    variant_name = ""
    product_slug = factory.Sequence(lambda n: f"product-{n}")
    unit_price = Decimal("10.00")
    quantity = 2
    line_total = factory.LazyAttribute(lambda line: line.unit_price * line.quantity)
    currency = "USD"


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payment

    order = factory.SubFactory(OrderFactory)
    kind = Payment.Kind.CHARGE
    status = Payment.Status.CAPTURED
    gateway = "dummy"
    reference = factory.Sequence(lambda n: f"cap_{n:08d}")
    amount = factory.LazyAttribute(lambda payment: payment.order.total)
    currency = "USD"
    card_last4 = "4242"

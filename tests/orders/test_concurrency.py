"""Checkout under concurrency (PostgreSQL): double submits at the same instant, and a race for the last units."""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from django.test import Client
from rest_framework.test import APIClient

from orders.models import Order, Payment
from orders.payments import DummyGateway
from tests.factories.users import UserFactory
from tests.orders.test_api import BODY
from tests.orders.test_pages import CARD, DETAILS, to_review

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def at_once(calls):
    """Run the calls in threads released at the same instant; each thread uses its own connection."""
    start = threading.Barrier(len(calls))

    def run(call):
        try:
            start.wait()
            return call()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def test_concurrent_submits_of_one_checkout_make_one_order_and_one_capture(shop):
    """Eight identical placements at the same instant (same key) all answer with one order, charged once."""
    shop.product("MUG-1", stock=5)
    cart = shop.cart({"MUG-1": 1})

    placements = at_once([lambda: shop.place(cart, key="same") for _ in range(8)])

    assert len({p.order.pk for p in placements}) == 1
    assert sorted(p.created for p in placements) == [False] * 7 + [True]
    assert Order.objects.count() == 1
    assert Order.objects.get().status == "paid"
    assert len(DummyGateway.captures) == 1
    assert Payment.objects.filter(status="captured").count() == 1


def test_a_form_double_clicked_at_the_same_instant_makes_one_order(shop):
    """Two POSTs of the same checkout form at once: both land on the one order, one capture."""
    shop.product("MUG-1", price="10.00", stock=5, name="Mug")
    client = Client()
    client.post("/cart/add/", {"sku": "MUG-1", "quantity": 1})
    form = to_review(client)

    responses = at_once([lambda: client.post("/checkout/review/", form | CARD) for _ in range(2)])

    number = Order.objects.get().number
    assert [r.status_code for r in responses] == [302, 302]
    assert {r["Location"] for r in responses} == {f"/orders/{number}/"}
    assert len(DummyGateway.captures) == 1


def test_api_retries_with_one_key_at_the_same_instant_make_one_order(shop):
    """Four API calls with one Idempotency-Key at once: one 201, the rest 200 with the same order."""
    user = UserFactory()
    shop.product("MUG-1", stock=5)
    shop.cart({"MUG-1": 1}, user=user)
    clients = []
    for _ in range(4):
        client = APIClient()
        client.force_authenticate(user)
        clients.append(client)

    responses = at_once(
        [
            lambda c=c: c.post("/api/v1/orders/", BODY, format="json", headers={"Idempotency-Key": "one"})
            for c in clients
        ]
    )

    assert sorted(r.status_code for r in responses) == [200, 200, 200, 201]
    assert len({r.json()["number"] for r in responses}) == 1
    assert Order.objects.count() == 1
    assert len(DummyGateway.captures) == 1


def test_twenty_shoppers_racing_for_the_last_five_units_make_exactly_five_orders(shop, stock):
    """20 shoppers check out the last 5 units at once: 5 paid orders, 15 told the item is out, stock at 0."""
    shop.product("LAST-1", price="10.00", stock=5, name="Limited lamp")
    shoppers = []
    for _ in range(20):
        user = UserFactory()
        shop.cart({"LAST-1": 1}, user=user)
        client = Client()
        client.force_login(user)
        shoppers.append((client, to_review(client, DETAILS)))

    responses = at_once([lambda c=c, f=f: c.post("/checkout/review/", f | CARD) for c, f in shoppers])

    assert Counter(r.status_code for r in responses) == {302: 5, 409: 15}
    refused = [r.content.decode() for r in responses if r.status_code == 409]
    assert all("Limited lamp (you asked for 1, it is out of stock)" in page for page in refused)
    assert Order.objects.filter(status="paid").count() == 5
    assert Order.objects.count() == 5
    level = stock("LAST-1")
    assert (level.on_hand, level.reserved, level.available) == (0, 0, 0)
    assert len(DummyGateway.captures) == 5
    assert Payment.objects.count() == 5

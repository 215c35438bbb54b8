"""Staff see carts in the admin, read-only."""

import pytest

from tests.factories.cart import CartLineFactory, UserCartFactory
from tests.factories.users import StaffFactory

pytestmark = pytest.mark.django_db


def test_staff_see_carts_and_their_lines_but_cannot_add_or_delete(client):
    """The list and a cart's page render with its lines; adding and deleting are not offered."""
    cart = UserCartFactory()
    CartLineFactory(cart=cart, sku="OX-M", quantity=2)
    client.force_login(StaffFactory())

    listing = client.get("/admin/cart/cart/")
    detail = client.get(f"/admin/cart/cart/{cart.pk}/change/")

    assert (listing.status_code, detail.status_code) == (200, 200)
    assert "OX-M" in detail.content.decode()
    assert client.get("/admin/cart/cart/add/").status_code == 403
    assert client.get(f"/admin/cart/cart/{cart.pk}/delete/").status_code == 403

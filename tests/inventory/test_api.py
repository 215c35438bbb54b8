"""The inventory API: public stock levels, staff-only receiving and adjustments."""

import pytest

from inventory import interface
from inventory.models import StockItem, StockMovement
from tests.factories.inventory import StockItemFactory
from tests.factories.users import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(StaffFactory())
    return client


def test_anyone_reads_the_stock_level_of_a_sku(client):
    """GET /api/v1/inventory/<sku>/ answers the level without logging in."""
    StockItemFactory(sku="MH01-XS-Black", on_hand=7, low_stock_threshold=5)
    interface.reserve("CHK-1", {"MH01-XS-Black": 3})

    response = client.get("/api/v1/inventory/MH01-XS-Black/")

    assert response.status_code == 200
    assert response.json() == {
        "sku": "MH01-XS-Black",
        "on_hand": 7,
        "reserved": 3,
        "available": 4,
        "low_stock_threshold": 5,
        "status": "low",
    }


def test_a_sku_without_stock_record_is_404(client):
    """An unknown SKU answers 404 with a message naming it."""
    response = client.get("/api/v1/inventory/GHOST/")

    assert response.status_code == 404
    assert response.json() == {"detail": "no stock record for the SKU 'GHOST'"}


def test_batch_availability_answers_in_request_order_in_bounded_queries(client, django_assert_max_num_queries):
    """GET /api/v1/inventory/?sku=..&sku=.. answers every SKU, unknown ones as out, in one query."""
    StockItem.objects.bulk_create(StockItem(sku=f"S-{n}", on_hand=n) for n in range(60))

    with django_assert_max_num_queries(1):
        response = client.get(
            "/api/v1/inventory/", {"sku": ["S-9", "GHOST", "S-0", *[f"S-{n}" for n in range(10, 60)]]}
        )

    assert response.status_code == 200
    body = response.json()
    assert len(body) == 53
    assert [(row["sku"], row["available"], row["status"]) for row in body[:3]] == [
        ("S-9", 9, "in_stock"),
        ("GHOST", 0, "out"),
        ("S-0", 0, "out"),
    ]


def test_batch_availability_needs_between_one_and_two_hundred_skus(client):
    """No SKU, or too many, is a 400 that says so."""
    none = client.get("/api/v1/inventory/")
    too_many = client.get("/api/v1/inventory/", {"sku": [f"S-{n}" for n in range(201)]})

    assert (none.status_code, none.json()) == (400, {"sku": "give at least one ?sku="})
    assert (too_many.status_code, too_many.json()) == (400, {"sku": "at most 200 SKUs per request, not 201"})


def test_staff_receive_stock(staff_client):
    """Staff POST a received quantity; the level comes back and the ledger names the reference."""
    StockItemFactory(sku="A", on_hand=2)

    response = staff_client.post(
        "/api/v1/inventory/A/receive/", {"quantity": 5, "reference": "PO-1"}, content_type="application/json"
    )

    assert response.status_code == 200
    assert (response.json()["on_hand"], response.json()["available"]) == (7, 7)
    assert StockMovement.objects.filter(sku="A", reason="received", reference="PO-1").get().delta == 5


def test_staff_adjust_stock_with_a_reason(staff_client):
    """Staff POST a signed change with a reason; refusals are 400/404/409 with a message."""
    StockItemFactory(sku="A", on_hand=10)
    interface.reserve("CHK-1", {"A": 8})

    ok = staff_client.post("/api/v1/inventory/A/adjust/", {"delta": -1, "reason": "count"}, "application/json")
    no_reason = staff_client.post("/api/v1/inventory/A/adjust/", {"delta": 1}, "application/json")
    zero = staff_client.post("/api/v1/inventory/A/adjust/", {"delta": 0, "reason": "x"}, "application/json")
    too_much = staff_client.post("/api/v1/inventory/A/adjust/", {"delta": -5, "reason": "x"}, "application/json")
    unknown = staff_client.post("/api/v1/inventory/GHOST/adjust/", {"delta": 1, "reason": "x"}, "application/json")

    assert (ok.status_code, ok.json()["on_hand"]) == (200, 9)
    assert (no_reason.status_code, no_reason.json()) == (400, {"reason": ["This field is required."]})
    assert (zero.status_code, zero.json()) == (400, {"delta": ["give a change other than 0"]})
    assert too_much.status_code == 409
    assert too_much.json() == {
        "detail": "Cannot remove 5 of A: only 1 available (8 reserved).",
        "short_lines": [{"sku": "A", "requested": 5, "available": 1}],
    }
    assert (unknown.status_code, unknown.json()) == (404, {"detail": "There is no stock record for SKU GHOST."})
    assert StockItem.objects.get(sku="A").on_hand == 9


@pytest.mark.parametrize("who", ["anonymous", "shopper"])
def test_receive_and_adjust_are_for_staff_only(client, who):
    """Anonymous visitors and signed-in shoppers cannot change stock."""
    StockItemFactory(sku="A", on_hand=10)
    if who == "shopper":
        client.force_login(UserFactory())

    receive = client.post("/api/v1/inventory/A/receive/", {"quantity": 5}, "application/json")
    adjust = client.post("/api/v1/inventory/A/adjust/", {"delta": 5, "reason": "x"}, "application/json")

    assert (receive.status_code, adjust.status_code) == (403, 403)
    assert StockItem.objects.get(sku="A").on_hand == 10


def test_the_inventory_endpoints_are_in_the_openapi_schema(client):
    """The schema documents the inventory paths."""
    response = client.get("/api/schema/", {"format": "json"})

    paths = response.json()["paths"]
    assert {
        "/api/v1/inventory/",
        "/api/v1/inventory/{sku}/",
        "/api/v1/inventory/{sku}/receive/",
        "/api/v1/inventory/{sku}/adjust/",
    } <= set(paths)


def test_strings_that_cannot_be_skus_are_answered_not_crashed_on(client):
    """A SKU with a NUL byte or of 65+ characters is simply not stocked: 404 alone, out in a batch."""
    one = client.get("/api/v1/inventory/A%00B/")
    batch = client.get("/api/v1/inventory/", {"sku": ["A\x00B", "X" * 65]})

    assert one.status_code == 404
    assert batch.status_code == 200
    assert [row["status"] for row in batch.json()] == ["out", "out"]


def test_quantities_beyond_what_a_stock_figure_holds_are_refused(staff_client):
    """Receiving more than the largest stock figure is a 400, whether in one go or on top of stock."""
    StockItemFactory(sku="A", on_hand=2_147_483_000)

    huge = staff_client.post("/api/v1/inventory/A/receive/", {"quantity": 2**40}, "application/json")
    on_top = staff_client.post("/api/v1/inventory/A/receive/", {"quantity": 1000}, "application/json")

    assert huge.status_code == 400
    assert (on_top.status_code, on_top.json()) == (400, {"detail": "Stock on hand of A cannot exceed 2147483647."})
    assert StockItem.objects.get(sku="A").on_hand == 2_147_483_000

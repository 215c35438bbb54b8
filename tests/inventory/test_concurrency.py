"""No oversell under concurrency (PostgreSQL): many shoppers, each on their own connection, at once."""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from django.db.models import Sum

from inventory import interface
from inventory.models import Reservation, ReservationLine, StockItem, StockMovement
from tests.factories.inventory import StockItemFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SHOPPERS = 40


def race(lines_for: dict[str, dict[str, int]]) -> dict[str, str]:
    """Run one reserve per reference, all released at the same instant; each thread its own connection."""
    start = threading.Barrier(len(lines_for))

    def attempt(reference: str) -> str:
        try:
            start.wait()
            interface.reserve(reference, lines_for[reference])
            return "reserved"
        except interface.InsufficientStock:
            return "short"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(lines_for)) as pool:
        return dict(zip(lines_for, pool.map(attempt, lines_for), strict=True))


def ledger_sum(sku: str) -> int:
    return StockMovement.objects.filter(sku=sku).aggregate(total=Sum("delta"))["total"]


def test_forty_shoppers_racing_for_ten_units_reserve_exactly_ten():
    """40 concurrent one-unit reservations of a SKU with 10 units: exactly 10 succeed, none oversold."""
    StockItemFactory(sku="RACE", on_hand=10)

    outcomes = race({f"CHK-{n}": {"RACE": 1} for n in range(SHOPPERS)})

    assert Counter(outcomes.values()) == {"reserved": 10, "short": 30}
    item = StockItem.objects.get(sku="RACE")
    assert (item.on_hand, item.reserved, item.available) == (10, 10, 0)
    assert Reservation.objects.count() == 10
    # The ledger sums to on hand minus what is committed to reservations.
    assert ledger_sum("RACE") == item.on_hand - item.reserved == 0


def test_multi_line_reservations_in_opposite_orders_neither_deadlock_nor_reserve_partly():
    """Reservations over overlapping SKUs, listed in opposite orders, all finish; each is whole or absent."""
    StockItemFactory(sku="A", on_hand=10)
    StockItemFactory(sku="B", on_hand=25)
    StockItemFactory(sku="C", on_hand=25)
    shapes = [
        {"A": 1, "B": 1},
        {"B": 1, "A": 1},
        {"C": 1, "B": 1, "A": 1},
        {"A": 1, "C": 1},
        {"C": 1, "A": 1, "B": 1},
    ]
    lines_for = {f"CHK-{n}": shapes[n % len(shapes)] for n in range(SHOPPERS)}

    outcomes = race(lines_for)

    # Every shape takes one A, and A has 10: exactly 10 reservations are whole, 30 are refused whole.
    assert Counter(outcomes.values()) == {"reserved": 10, "short": 30}
    reserved_refs = {ref for ref, outcome in outcomes.items() if outcome == "reserved"}
    assert set(Reservation.objects.values_list("reference", flat=True)) == reserved_refs
    for reference in reserved_refs:
        lines = ReservationLine.objects.filter(reservation__reference=reference).values_list("sku", "quantity")
        assert dict(lines) == lines_for[reference]
    assert not StockMovement.objects.exclude(reference__in=reserved_refs).exclude(reason="received").exists()
    for sku in ("A", "B", "C"):
        item = StockItem.objects.get(sku=sku)
        expected = sum(lines_for[ref].get(sku, 0) for ref in reserved_refs)
        assert item.reserved == expected
        assert ledger_sum(sku) == item.on_hand - item.reserved


def test_concurrent_commit_and_release_of_one_reservation_apply_exactly_one():
    """Paying and cancelling the same reservation at once: one wins, stock is counted once."""
    StockItemFactory(sku="A", on_hand=5)
    interface.reserve("ORD-1", {"A": 2})
    start = threading.Barrier(2)

    def act(operation) -> str:
        try:
            start.wait()
            operation("ORD-1")
            return "done"
        except interface.ReservationNotActive:
            return "refused"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(act, [interface.commit, interface.release]))

    item = StockItem.objects.get(sku="A")
    state = Reservation.objects.get(reference="ORD-1").state
    if state == "committed":
        assert outcomes == ["done", "refused"]
        assert (item.on_hand, item.reserved) == (3, 0)
    else:
        assert (state, outcomes) == ("released", ["done", "refused"])
        assert (item.on_hand, item.reserved) == (5, 0)
    assert ledger_sum("A") == item.on_hand - item.reserved


def test_the_same_reference_reserved_concurrently_is_reserved_once():
    """A checkout submitted ten times at once holds its stock once, and every call sees that reservation."""
    StockItemFactory(sku="A", on_hand=50)
    start = threading.Barrier(10)

    def submit(_: int) -> interface.Reservation:
        try:
            start.wait()
            return interface.reserve("CHK-1", {"A": 3})
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=10) as pool:
        reservations = list(pool.map(submit, range(10)))

    assert {(r.reference, r.state, r.lines) for r in reservations} == {
        ("CHK-1", "active", (interface.ReservationLine("A", 3),))
    }
    assert StockItem.objects.get(sku="A").reserved == 3
    assert StockMovement.objects.filter(reference="CHK-1").count() == 1

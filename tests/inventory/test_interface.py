"""The inventory interface as other contexts use it: availability, reservations, stock changes."""

import pytest
from django.db.models import Sum

from inventory import interface
from inventory.interface import InsufficientStock, ShortLine, StockLevel
from inventory.models import Reservation, StockItem, StockMovement
from tests.factories.inventory import StockItemFactory
from tests.factories.users import StaffFactory

pytestmark = pytest.mark.django_db


def ledger_sum(sku: str) -> int:
    return StockMovement.objects.filter(sku=sku).aggregate(total=Sum("delta"))["total"] or 0


def test_availability_reports_in_stock_low_and_out_with_zeros_for_unknown_skus():
    """Each SKU gets its level; status follows the threshold; an unknown SKU is out with zeros."""
    StockItemFactory(sku="PLENTY", on_hand=20, low_stock_threshold=5)
    StockItemFactory(sku="FEW", on_hand=3, low_stock_threshold=5)
    StockItemFactory(sku="NONE", on_hand=0)

    levels = interface.availability(["PLENTY", "FEW", "NONE", "GHOST"])

    assert levels == {
        "PLENTY": StockLevel("PLENTY", on_hand=20, reserved=0, available=20, low_stock_threshold=5, status="in_stock"),
        "FEW": StockLevel("FEW", on_hand=3, reserved=0, available=3, low_stock_threshold=5, status="low"),
        "NONE": StockLevel("NONE", on_hand=0, reserved=0, available=0, low_stock_threshold=5, status="out"),
        "GHOST": StockLevel("GHOST", on_hand=0, reserved=0, available=0, low_stock_threshold=5, status="out"),
    }


def test_availability_at_the_threshold_is_low_and_reserved_stock_is_not_available():
    """Available is on hand minus reserved; exactly at the threshold counts as low."""
    StockItemFactory(sku="EDGE", on_hand=8)
    interface.reserve("CHK-1", {"EDGE": 3})

    level = interface.availability(["EDGE"])["EDGE"]

    assert (level.on_hand, level.reserved, level.available, level.status) == (8, 3, 5, "low")


@pytest.mark.parametrize("stock_records", [3, 400])
def test_availability_is_one_query_whatever_the_number_of_skus(django_assert_num_queries, stock_records):
    """availability() issues one query for 3 or 300 SKUs, with few or many stock records."""
    StockItem.objects.bulk_create(StockItem(sku=f"Q-{n}", on_hand=n) for n in range(stock_records))
    skus = [f"Q-{n}" for n in range(300)]

    with django_assert_num_queries(1):
        levels = interface.availability(skus)

    assert len(levels) == 300
    assert levels["Q-2"].available == 2


def test_availability_of_no_skus_issues_no_query(django_assert_num_queries):
    """Asking about nothing costs nothing."""
    with django_assert_num_queries(0):
        assert interface.availability([]) == {}


def test_reserve_holds_every_line():
    """A reservation holds each line's quantity and returns its lines and state."""
    StockItemFactory(sku="A", on_hand=10)
    StockItemFactory(sku="B", on_hand=4)

    reservation = interface.reserve("CHK-1", {"B": 4, "A": 2}, ttl_seconds=600)

    assert reservation.reference == "CHK-1"
    assert reservation.state == "active"
    assert reservation.lines == (interface.ReservationLine("A", 2), interface.ReservationLine("B", 4))
    levels = interface.availability(["A", "B"])
    assert (levels["A"].reserved, levels["A"].available) == (2, 8)
    assert (levels["B"].reserved, levels["B"].available) == (4, 0)


def test_reserve_with_one_short_line_reserves_nothing_and_names_the_short_sku():
    """All or nothing: one short line refuses the whole reservation and says which SKU is short."""
    StockItemFactory(sku="A", on_hand=10)
    StockItemFactory(sku="B", on_hand=1)

    with pytest.raises(InsufficientStock) as refused:
        interface.reserve("CHK-1", {"A": 2, "B": 3, "GHOST": 1})

    assert refused.value.short_lines == [
        ShortLine(sku="B", requested=3, available=1),
        ShortLine(sku="GHOST", requested=1, available=0),
    ]
    assert "B (asked 3, 1 available)" in str(refused.value)
    assert StockItem.objects.get(sku="A").reserved == 0
    assert StockItem.objects.get(sku="B").reserved == 0
    assert Reservation.objects.count() == 0
    assert StockMovement.objects.filter(reason="reserved").count() == 0


def test_reserve_twice_with_the_same_reference_changes_nothing_the_second_time():
    """A repeated reserve returns the first reservation and holds no more stock."""
    StockItemFactory(sku="A", on_hand=10)
    first = interface.reserve("CHK-1", {"A": 2})

    again = interface.reserve("CHK-1", {"A": 5})

    assert again == first
    assert StockItem.objects.get(sku="A").reserved == 2
    assert StockMovement.objects.filter(reason="reserved").count() == 1


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ({}, "at least one line"),
        ({"A": 0}, "positive whole number"),
        ({"A": -2}, "positive whole number"),
        ({"A": 1.5}, "positive whole number"),
        ({"": 1}, "1 to 64 printable characters"),
        ({"A\x00": 1}, "1 to 64 printable characters"),
    ],
)
def test_reserve_refuses_malformed_lines(lines, message):
    """Empty, zero, negative or fractional quantities and blank SKUs are refused with a message."""
    StockItemFactory(sku="A", on_hand=10)

    with pytest.raises(interface.InvalidInput, match=message):
        interface.reserve("CHK-1", lines)

    assert Reservation.objects.count() == 0


def test_commit_takes_reserved_stock_off_hand_once():
    """Committing moves the held stock out of on hand; committing again changes nothing."""
    StockItemFactory(sku="A", on_hand=10)
    interface.reserve("ORD-1", {"A": 3})

    interface.commit("ORD-1")
    interface.commit("ORD-1")

    level = interface.availability(["A"])["A"]
    assert (level.on_hand, level.reserved, level.available) == (7, 0, 7)
    assert Reservation.objects.get(reference="ORD-1").state == "committed"
    assert list(StockMovement.objects.filter(reference="ORD-1").order_by("id").values_list("reason", "delta")) == [
        ("reserved", -3),
        ("released", 3),
        ("sold", -3),
    ]


def test_release_gives_stock_back_once():
    """Releasing returns the held stock; releasing again changes nothing."""
    StockItemFactory(sku="A", on_hand=10)
    interface.reserve("CHK-1", {"A": 4})

    interface.release("CHK-1")
    interface.release("CHK-1")

    level = interface.availability(["A"])["A"]
    assert (level.on_hand, level.reserved, level.available) == (10, 0, 10)
    assert Reservation.objects.get(reference="CHK-1").state == "released"
    assert StockMovement.objects.filter(reference="CHK-1", reason="released").count() == 1


def test_commit_after_release_and_release_after_commit_are_refused():
    """A released reservation cannot be sold, and a sold one cannot be released."""
    StockItemFactory(sku="A", on_hand=10)
    interface.reserve("CHK-1", {"A": 1})
    interface.release("CHK-1")
    interface.reserve("ORD-2", {"A": 1})
    interface.commit("ORD-2")

    with pytest.raises(interface.ReservationNotActive, match="CHK-1 is released and cannot be committed"):
        interface.commit("CHK-1")
    with pytest.raises(interface.ReservationNotActive, match="ORD-2 is committed and cannot be released"):
        interface.release("ORD-2")

    assert interface.availability(["A"])["A"].on_hand == 9


def test_commit_or_release_of_an_unknown_reference_is_refused():
    """An unknown reference raises ReservationNotFound naming it."""
    with pytest.raises(interface.ReservationNotFound, match="NOPE"):
        interface.commit("NOPE")
    with pytest.raises(interface.ReservationNotFound, match="NOPE"):
        interface.release("NOPE")


def test_receive_adds_stock_and_creates_a_record_for_a_new_sku():
    """Receiving adds to on hand, creating the SKU's record, with a ledger row naming who."""
    staff = StaffFactory()
    StockItemFactory(sku="A", on_hand=2)

    level_a = interface.receive("A", 5, reference="PO-7", user_id=staff.pk)
    level_new = interface.receive("NEW", 3)

    assert (level_a.on_hand, level_a.available) == (7, 7)
    assert (level_new.on_hand, level_new.status) == (3, "low")
    movement = StockMovement.objects.filter(sku="A").latest("id")
    assert (movement.delta, movement.reason, movement.reference, movement.user_id) == (5, "received", "PO-7", staff.pk)


def test_receive_refuses_a_quantity_that_is_not_positive():
    """Receiving 0 or less is refused and changes nothing."""
    with pytest.raises(interface.InvalidInput, match="positive whole number"):
        interface.receive("A", 0)

    assert StockItem.objects.count() == 0


def test_adjust_corrects_on_hand_with_its_reason():
    """An adjustment changes on hand and keeps its reason in the ledger."""
    StockItemFactory(sku="A", on_hand=10)

    level = interface.adjust("A", -3, "water damage", reference="COUNT-1")

    assert (level.on_hand, level.available) == (7, 7)
    movement = StockMovement.objects.filter(sku="A").latest("id")
    assert (movement.delta, movement.reason, movement.note) == (-3, "adjusted", "water damage")


def test_adjust_cannot_remove_reserved_stock_and_needs_a_reason():
    """Adjusting below what is available, with no reason, or for an unknown SKU is refused."""
    StockItemFactory(sku="A", on_hand=10)
    interface.reserve("CHK-1", {"A": 8})

    with pytest.raises(InsufficientStock, match="only 2 available \\(8 reserved\\)"):
        interface.adjust("A", -3, "count")
    with pytest.raises(interface.InvalidInput, match="needs a reason"):
        interface.adjust("A", 1, "  ")
    with pytest.raises(interface.UnknownSku, match="GHOST"):
        interface.adjust("GHOST", 1, "count")

    assert StockItem.objects.get(sku="A").on_hand == 10


def test_seed_stock_creates_missing_records_once_and_publishes_one_event(published):
    """Seeding creates records only for SKUs without one and says which SKUs are in stock, once per call."""
    StockItemFactory(sku="OLD", on_hand=0)

    created = interface.seed_stock({"NEW-1": 5, "NEW-2": 0, "OLD": 9})
    created_again = interface.seed_stock({"NEW-1": 50, "NEW-2": 50, "OLD": 50})

    assert (created, created_again) == (2, 0)
    assert dict(StockItem.objects.values_list("sku", "on_hand")) == {"NEW-1": 5, "NEW-2": 0, "OLD": 0}
    assert published("inventory.stock_seeded.v1") == [
        {"skus_in_stock": ["NEW-1"], "skus_out_of_stock": ["NEW-2", "OLD"]},
        {"skus_in_stock": ["NEW-1"], "skus_out_of_stock": ["NEW-2", "OLD"]},
    ]
    assert published("inventory.stock_changed.v1") == []
    assert ledger_sum("NEW-1") == 5


def test_seed_stock_refuses_a_negative_quantity_and_writes_nothing():
    """A bad quantity anywhere in the batch refuses the whole batch, naming the SKU."""
    with pytest.raises(interface.InvalidInput, match="BAD"):
        interface.seed_stock({"GOOD": 3, "BAD": -1})

    assert StockItem.objects.count() == 0


def test_ledger_sums_to_on_hand_minus_reserved_through_every_kind_of_change():
    """After receiving, reserving, committing, releasing and adjusting, the ledger sums to available."""
    interface.seed_stock({"A": 10})
    interface.receive("A", 5)
    interface.reserve("ORD-1", {"A": 4})
    interface.reserve("CHK-2", {"A": 2})
    interface.reserve("CHK-3", {"A": 1})
    interface.commit("ORD-1")
    interface.release("CHK-2")
    interface.adjust("A", -1, "count")

    item = StockItem.objects.get(sku="A")
    assert (item.on_hand, item.reserved) == (10, 1)
    assert ledger_sum("A") == item.on_hand - item.reserved == 9
    on_hand_reasons = ["received", "sold", "returned", "adjusted"]
    on_hand_total = StockMovement.objects.filter(sku="A", reason__in=on_hand_reasons).aggregate(t=Sum("delta"))["t"]
    assert on_hand_total == item.on_hand


@pytest.mark.parametrize("other_records", [0, 500])
def test_each_interface_call_issues_a_bounded_number_of_queries(django_assert_max_num_queries, other_records):
    """Query counts are fixed per call (plus one outbox row per event) and do not grow with the catalog."""
    StockItem.objects.bulk_create(StockItem(sku=f"OTHER-{n}", on_hand=5) for n in range(other_records))
    for sku in ("A", "B", "C", "D"):
        StockItemFactory(sku=sku, on_hand=50)

    # Counted inside the test's transaction, where each atomic block adds a SAVEPOINT and its RELEASE.
    # Reserve: savepoint pair, lock, insert, update, lines, ledger, then one outbox row per SKU whose
    # availability changed. A repeat also rolls back and reads the existing reservation and its lines.
    with django_assert_max_num_queries(7 + 1):
        interface.reserve("ONE", {"A": 1})
    with django_assert_max_num_queries(7 + 4):
        interface.reserve("FOUR", {"A": 1, "B": 1, "C": 1, "D": 1})
    with django_assert_max_num_queries(7):
        interface.reserve("FOUR", {"A": 1})
    with django_assert_max_num_queries(5), pytest.raises(InsufficientStock):
        interface.reserve("SHORT", {"A": 1, "B": 999})
    with django_assert_max_num_queries(8):
        interface.commit("FOUR")
    with django_assert_max_num_queries(3):
        interface.commit("FOUR")
    with django_assert_max_num_queries(8 + 1):
        interface.release("ONE")
    with django_assert_max_num_queries(3):
        interface.release("ONE")
    with django_assert_max_num_queries(5 + 1):
        interface.receive("A", 5)
    with django_assert_max_num_queries(5 + 1):
        interface.adjust("A", -1, "count")
    with django_assert_max_num_queries(6):
        interface.seed_stock({"Z": 1, "A": 3})


def test_seed_stock_works_in_batches_of_bounded_query_count(django_assert_max_num_queries):
    """Seeding 1,200 SKUs costs a few queries per batch, not per SKU, and one event in all."""
    levels = {f"SEED-{n}": n % 7 for n in range(1200)}

    # Lookups in 3 batches of 500; inserts in batches of 500 (PostgreSQL) or of SQLite's smaller limit of
    # variables per statement (7 of 199 records, 8 of 142 ledger rows); the savepoint pair; one event.
    with django_assert_max_num_queries(3 + 7 + 8 + 2 + 1):
        created = interface.seed_stock(levels)

    assert created == 1200
    assert StockItem.objects.count() == 1200
    assert StockMovement.objects.count() == sum(1 for quantity in levels.values() if quantity)


@pytest.mark.parametrize("ttl", [0, -5, 31 * 24 * 3600])
def test_reserve_refuses_a_lifetime_outside_one_second_to_a_month(ttl):
    """A reservation lives from one second to thirty days."""
    StockItemFactory(sku="A", on_hand=10)

    with pytest.raises(interface.InvalidInput, match="lifetime must be 1 to 2592000 seconds"):
        interface.reserve("CHK-1", {"A": 1}, ttl_seconds=ttl)

    assert StockItem.objects.get(sku="A").reserved == 0

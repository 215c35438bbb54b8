"""Staff pages: stock levels, adjustments through the services, the read-only ledger."""

import pytest
from django.urls import reverse

from inventory import interface
from inventory.models import StockItem, StockMovement
from tests.factories.inventory import StockItemFactory
from tests.factories.users import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    staff = StaffFactory()
    client.force_login(staff)
    client.staff = staff
    return client


def listed_skus(response) -> list[str]:
    return [item.sku for item in response.context["cl"].result_list]


def test_stock_levels_are_searchable_by_sku(staff_client):
    """Searching the stock list by SKU finds that SKU."""
    StockItemFactory(sku="MH01-XS-Black")
    StockItemFactory(sku="WS03-M-Red")

    response = staff_client.get(reverse("admin:inventory_stockitem_changelist"), {"q": "MH01"})

    assert response.status_code == 200
    assert listed_skus(response) == ["MH01-XS-Black"]


def test_stock_levels_filter_low_and_out_of_stock(staff_client):
    """The low filter lists SKUs at or under their threshold; the out filter those with nothing available."""
    StockItemFactory(sku="PLENTY", on_hand=50, low_stock_threshold=5)
    StockItemFactory(sku="LOW", on_hand=5, low_stock_threshold=5)
    StockItemFactory(sku="HELD", on_hand=9, low_stock_threshold=5)
    StockItemFactory(sku="EMPTY", on_hand=0)
    interface.reserve("CHK-1", {"HELD": 9})
    url = reverse("admin:inventory_stockitem_changelist")

    low = staff_client.get(url, {"status": "low"})
    out = staff_client.get(url, {"status": "out"})

    assert listed_skus(low) == ["LOW"]
    assert listed_skus(out) == ["EMPTY", "HELD"]


def test_stock_list_query_count_does_not_grow_with_rows(staff_client, django_assert_max_num_queries):
    """The stock list page issues a fixed number of queries for a full page of rows."""
    StockItem.objects.bulk_create(StockItem(sku=f"S-{n:03d}", on_hand=n) for n in range(150))

    with django_assert_max_num_queries(8):
        response = staff_client.get(reverse("admin:inventory_stockitem_changelist"), {"status": "low"})

    assert response.status_code == 200


def test_adjustment_form_changes_stock_through_the_service_with_reason_and_user(staff_client):
    """Staff adjust stock with a reason; the ledger records the reason and who did it."""
    item = StockItemFactory(sku="A", on_hand=10)

    response = staff_client.post(
        reverse("admin:inventory_stockitem_adjust", args=[item.pk]),
        {"delta": "-3", "reason": "damaged in transit", "reference": "TICKET-9"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:inventory_stockitem_change", args=[item.pk])
    assert StockItem.objects.get(sku="A").on_hand == 7
    movement = StockMovement.objects.filter(sku="A").latest("id")
    assert (movement.delta, movement.reason, movement.note, movement.reference, movement.user_id) == (
        -3,
        "adjusted",
        "damaged in transit",
        "TICKET-9",
        staff_client.staff.pk,
    )


def test_adjustment_form_requires_a_reason(staff_client):
    """Without a reason the form is shown again with an error and stock does not move."""
    item = StockItemFactory(sku="A", on_hand=10)

    response = staff_client.post(reverse("admin:inventory_stockitem_adjust", args=[item.pk]), {"delta": "5"})

    assert response.status_code == 200
    assert response.context["form"].errors == {"reason": ["This field is required."]}
    assert StockItem.objects.get(sku="A").on_hand == 10


def test_adjustment_form_shows_the_services_refusal(staff_client):
    """Removing reserved stock is refused by the service and the message is shown on the form."""
    item = StockItemFactory(sku="A", on_hand=10)
    interface.reserve("CHK-1", {"A": 9})

    response = staff_client.post(
        reverse("admin:inventory_stockitem_adjust", args=[item.pk]), {"delta": "-5", "reason": "count"}
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["Cannot remove 5 of A: only 1 available (9 reserved)."]
    assert StockItem.objects.get(sku="A").on_hand == 10


def test_stock_figures_cannot_be_typed_into_the_change_form(staff_client):
    """On hand and reserved are read-only in the admin; only the threshold can be edited there."""
    item = StockItemFactory(sku="A", on_hand=10, low_stock_threshold=5)
    url = reverse("admin:inventory_stockitem_change", args=[item.pk])

    page = staff_client.get(url)
    staff_client.post(url, {"on_hand": "999", "reserved": "0", "low_stock_threshold": "2"})

    assert "Adjust stock" in page.content.decode()
    item.refresh_from_db()
    assert (item.on_hand, item.low_stock_threshold) == (10, 2)


def test_ledger_is_read_only(staff_client):
    """The ledger lists movements but offers no add, change or delete."""
    StockItemFactory(sku="A", on_hand=10)
    movement = StockMovement.objects.get(sku="A")

    listing = staff_client.get(reverse("admin:inventory_stockmovement_changelist"), {"q": "A"})
    add = staff_client.get(reverse("admin:inventory_stockmovement_add"))
    delete = staff_client.post(reverse("admin:inventory_stockmovement_delete", args=[movement.pk]), {"post": "yes"})
    change = staff_client.post(
        reverse("admin:inventory_stockmovement_change", args=[movement.pk]), {"sku": "A", "delta": "500"}
    )

    assert listing.status_code == 200
    assert [m.pk for m in listing.context["cl"].result_list] == [movement.pk]
    assert (add.status_code, delete.status_code, change.status_code) == (403, 403, 403)
    assert StockMovement.objects.get(pk=movement.pk).delta == 10


def test_reservations_are_listed_read_only_with_their_lines(staff_client):
    """A reservation is found by reference and its page shows its lines, with nothing to edit."""
    StockItemFactory(sku="A", on_hand=10)
    StockItemFactory(sku="B", on_hand=10)
    interface.reserve("CHK-77", {"A": 2, "B": 1})
    interface.reserve("CHK-78", {"A": 1})

    listing = staff_client.get(reverse("admin:inventory_reservation_changelist"), {"q": "CHK-77"})
    [reservation] = listing.context["cl"].result_list
    page = staff_client.get(reverse("admin:inventory_reservation_change", args=[reservation.pk]))

    assert page.status_code == 200
    [lines] = page.context["inline_admin_formsets"]
    assert [(line.sku, line.quantity) for line in lines.formset.queryset] == [("A", 2), ("B", 1)]
    assert page.context["has_change_permission"] is False

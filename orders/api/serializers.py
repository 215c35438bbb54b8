"""Input and output shapes of the orders API (one small serializer per purpose)."""

import re

from django.utils import timezone
from rest_framework import serializers

from orders.addresses import COUNTRIES, InvalidAddress, address_clean
from orders.models import Order
from orders.payments import Card, card_number_valid


class AddressIn(serializers.Serializer):
    full_name = serializers.CharField(max_length=120)
    line1 = serializers.CharField(max_length=120)
    line2 = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    city = serializers.CharField(max_length=120)
    region = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    postcode = serializers.CharField(max_length=20)
    country = serializers.ChoiceField(choices=sorted(COUNTRIES))
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")

    def validate(self, attrs):
        try:
            return address_clean(attrs)
        except InvalidAddress as exc:
            raise serializers.ValidationError(exc.errors) from None


class CardIn(serializers.Serializer):
    number = serializers.CharField(max_length=23)
    exp_month = serializers.IntegerField(min_value=1, max_value=12)
    exp_year = serializers.IntegerField(min_value=2000, max_value=2100)
    cvc = serializers.RegexField(r"^\d{3,4}$", error_messages={"invalid": "The security code is 3 or 4 digits."})
    holder = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")

    def validate_number(self, value):
        digits = re.sub(r"[\s-]", "", value)
        if not card_number_valid(digits):
            raise serializers.ValidationError("This is not a valid card number.")
        return digits

    def validate(self, attrs):
        today = timezone.now().date()
        if (attrs["exp_year"], attrs["exp_month"]) < (today.year, today.month):
            raise serializers.ValidationError({"exp_year": "This card has expired."})
        return Card(**attrs)


class OrderCreateIn(serializers.Serializer):
    """Checkout of the caller's current cart. `expected_total` is the total the shopper agreed to."""

    email = serializers.EmailField(required=False, help_text="Defaults to the account's e-mail.")
    shipping_address = AddressIn()
    shipping_method = serializers.ChoiceField(choices=Order.Shipping.choices)
    card = CardIn()
    expected_total = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)
    cart_id = serializers.IntegerField(
        required=False, help_text="Pay again for a cart whose order was declined; defaults to the open cart."
    )


class TransitionIn(serializers.Serializer):
    to = serializers.ChoiceField(
        choices=[
            Order.Status.FULFILLED,
            Order.Status.SHIPPED,
            Order.Status.DELIVERED,
            Order.Status.CANCELLED,
            Order.Status.REFUNDED,
        ]
    )
    tracking_number = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class OrderLineOut(serializers.Serializer):
    sku = serializers.CharField()
    product_name = serializers.CharField()
    variant_name = serializers.CharField()
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    quantity = serializers.IntegerField()
    line_total = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()


class StatusChangeOut(serializers.Serializer):
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    note = serializers.CharField()
    at = serializers.DateTimeField()
    by = serializers.CharField(source="by.get_username", default=None, allow_null=True)


class OrderOut(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.CharField()
    email = serializers.EmailField()
    placed_at = serializers.DateTimeField()
    paid_at = serializers.DateTimeField(allow_null=True)
    currency = serializers.CharField()
    subtotal = serializers.DecimalField(max_digits=12, decimal_places=2)
    shipping_method = serializers.CharField()
    shipping_cost = serializers.DecimalField(max_digits=12, decimal_places=2)
    tax = serializers.DecimalField(max_digits=12, decimal_places=2)
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    shipping_address = serializers.DictField(child=serializers.CharField(allow_blank=True))
    tracking_number = serializers.CharField()
    payment_failure = serializers.CharField()
    lines = OrderLineOut(many=True)
    history = StatusChangeOut(many=True)


class ProblemOut(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField(required=False, help_text="A stable name of the problem, e.g. out_of_stock.")

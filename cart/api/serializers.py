"""Input and output shapes of the cart API (one small serializer per purpose)."""

from rest_framework import serializers

from cart.models import MAX_LINE_QUANTITY


class AddLineInput(serializers.Serializer):
    sku = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_LINE_QUANTITY, default=1)


class UpdateLineInput(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_LINE_QUANTITY)


class CartLineOutput(serializers.Serializer):
    sku = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    price_when_added = serializers.DecimalField(max_digits=12, decimal_places=2)
    price_changed = serializers.BooleanField()
    currency = serializers.CharField()
    product_name = serializers.CharField()
    variant_name = serializers.CharField()
    product_slug = serializers.CharField()
    image_url = serializers.CharField()
    line_total = serializers.DecimalField(max_digits=12, decimal_places=2)
    available = serializers.IntegerField(allow_null=True, help_text="Units available now; null when unknown.")


class CartOutput(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text="Null until the first line is added.")
    status = serializers.CharField()
    lines = CartLineOutput(many=True)
    subtotal = serializers.DecimalField(max_digits=12, decimal_places=2)
    item_count = serializers.IntegerField()
    currency = serializers.CharField()
    prices_confirmed = serializers.BooleanField(
        help_text="False when the catalog could not answer: prices are those seen when added, confirmed at checkout."
    )
    version = serializers.CharField(help_text="Changes whenever the lines change.")


class ErrorOutput(serializers.Serializer):
    detail = serializers.CharField(help_text="What is wrong, in a sentence a shopper can read.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="For invalid input: the messages per field.",
    )

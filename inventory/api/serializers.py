"""Input and output shapes of the inventory API, one small serializer per operation."""

from rest_framework import serializers

from inventory.services import MAX_STOCK


class StockLevelOut(serializers.Serializer):
    sku = serializers.CharField()
    on_hand = serializers.IntegerField()
    reserved = serializers.IntegerField()
    available = serializers.IntegerField()
    low_stock_threshold = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["in_stock", "low", "out"])


class ReceiveIn(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_STOCK)
    reference = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)


class AdjustIn(serializers.Serializer):
    delta = serializers.IntegerField(min_value=-MAX_STOCK, max_value=MAX_STOCK)
    reason = serializers.CharField(max_length=255)
    reference = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)

    def validate_delta(self, delta: int) -> int:
        if delta == 0:
            raise serializers.ValidationError("give a change other than 0")
        return delta


class ShortLineOut(serializers.Serializer):
    sku = serializers.CharField()
    requested = serializers.IntegerField()
    available = serializers.IntegerField()


class RefusalOut(serializers.Serializer):
    detail = serializers.CharField()
    short_lines = ShortLineOut(many=True, required=False)

"""Storefront forms of the cart: they validate input only; the services decide."""

from django import forms

from cart.models import MAX_LINE_QUANTITY


class AddToCartForm(forms.Form):
    sku = forms.CharField(max_length=64)
    quantity = forms.IntegerField(min_value=1, max_value=MAX_LINE_QUANTITY, required=False)
    next = forms.CharField(max_length=2000, required=False)


class QuantityForm(forms.Form):
    quantity = forms.IntegerField(min_value=1, max_value=MAX_LINE_QUANTITY)


def first_error(form: forms.Form) -> str:
    """The form's first error as one sentence naming the field."""
    field, errors = next(iter(form.errors.items()))
    return f"{field.capitalize()}: {errors[0]}" if field != "__all__" else errors[0]

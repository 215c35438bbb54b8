"""Checkout forms: the shopper's details (e-mail, address, shipping) and the card, plus staff's shipping form."""

import re

from django import forms
from django.utils import timezone

from orders.addresses import COUNTRY_CHOICES, InvalidAddress, address_clean
from orders.models import Order
from orders.payments import Card, card_number_valid


class CheckoutDetailsForm(forms.Form):
    email = forms.EmailField(label="E-mail", help_text="For your receipt and delivery updates.")
    full_name = forms.CharField(label="Full name", max_length=120)
    line1 = forms.CharField(label="Address", max_length=120)
    line2 = forms.CharField(label="Address line 2", max_length=120, required=False)
    city = forms.CharField(label="Town or city", max_length=120)
    region = forms.CharField(label="State, county or region", max_length=120, required=False)
    postcode = forms.CharField(label="Postcode or ZIP", max_length=20)
    country = forms.ChoiceField(label="Country", choices=[("", "Choose a country"), *COUNTRY_CHOICES])
    phone = forms.CharField(label="Phone (for the courier)", max_length=30, required=False)
    shipping_method = forms.ChoiceField(
        label="Shipping", choices=Order.Shipping.choices, widget=forms.RadioSelect, initial=Order.Shipping.STANDARD
    )

    def clean(self):
        cleaned = super().clean()
        try:
            cleaned["address"] = address_clean(cleaned)
        except InvalidAddress as exc:
            for field, message in exc.errors.items():
                if field not in self.errors:
                    self.add_error(field, message)
        return cleaned


class ValuelessInput(forms.TextInput):
    """A text box that never writes its value back into the page: card data is not echoed."""

    def format_value(self, value):
        return None


class PaymentForm(forms.Form):
    """The card and the checkout's one-time token; the card is passed on, never stored."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    cart_id = forms.IntegerField(widget=forms.HiddenInput)
    expected_total = forms.DecimalField(widget=forms.HiddenInput, max_digits=12, decimal_places=2)
    holder = forms.CharField(label="Name on card", max_length=120, required=False)
    card_number = forms.CharField(
        label="Card number",
        max_length=23,
        widget=ValuelessInput(attrs={"autocomplete": "cc-number", "inputmode": "numeric"}),
    )
    exp_month = forms.IntegerField(label="Expiry month", min_value=1, max_value=12)
    exp_year = forms.IntegerField(label="Expiry year", min_value=2000, max_value=2100)
    cvc = forms.CharField(
        label="Security code",
        max_length=4,
        widget=ValuelessInput(attrs={"autocomplete": "cc-csc", "inputmode": "numeric"}),
    )

    def clean_card_number(self):
        digits = re.sub(r"[\s-]", "", self.cleaned_data["card_number"])
        if not card_number_valid(digits):
            raise forms.ValidationError("This is not a valid card number.")
        return digits

    def clean_cvc(self):
        cvc = self.cleaned_data["cvc"].strip()
        if not cvc.isdigit() or len(cvc) not in (3, 4):
            raise forms.ValidationError("The security code is the 3 or 4 digits on the card.")
        return cvc

    def clean(self):
        cleaned = super().clean()
        month, year = cleaned.get("exp_month"), cleaned.get("exp_year")
        today = timezone.now().date()
        if month and year and (year, month) < (today.year, today.month):
            self.add_error("exp_year", "This card has expired.")
        return cleaned

    def card(self) -> Card:
        data = self.cleaned_data
        return Card(
            number=data["card_number"],
            exp_month=data["exp_month"],
            exp_year=data["exp_year"],
            cvc=data["cvc"],
            holder=data["holder"],
        )


class GuestLookupForm(forms.Form):
    number = forms.CharField(label="Order number", max_length=20)
    email = forms.EmailField(label="E-mail used for the order")


class TrackingNumberForm(forms.Form):
    """Staff's intermediate form for "mark shipped"."""

    tracking_number = forms.CharField(label="Tracking number", max_length=64)

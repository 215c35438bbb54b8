"""Staff forms; each hands its cleaned data to a service."""

from django import forms


class StockAdjustmentForm(forms.Form):
    delta = forms.IntegerField(
        label="Change to stock on hand", help_text="Positive to add, negative to remove (e.g. -2 for two damaged)."
    )
    reason = forms.CharField(max_length=255, help_text="Why: a count, damage, loss, a found item...")
    reference = forms.CharField(max_length=100, required=False, help_text="Optional: a count sheet or ticket number.")

    def clean_delta(self):
        delta = self.cleaned_data["delta"]
        if delta == 0:
            raise forms.ValidationError("Enter a change other than 0.")
        return delta

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Say why the stock changes.")
        return reason

"""The payment port: what checkout needs from a payment provider, and the dummy provider.

Checkout talks only to `PaymentGateway`; `get_gateway()` builds the class named by
settings.PAYMENT_GATEWAY, so a real provider is one new class and one setting, with no change to
checkout. Card numbers go to the gateway and nowhere else: the shop keeps the last four digits.

DummyGateway (the default) approves every card except these test numbers:

    4000000000000002   declined ("Your card was declined.")
    4000000000000119   the gateway fails (GatewayError): checkout retries, then gives up
"""

import threading
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

DECLINED_CARD = "4000000000000002"
GATEWAY_ERROR_CARD = "4000000000000119"


class PaymentError(Exception):
    """Base of the gateway's refusals and failures."""


class PaymentDeclined(PaymentError):
    """The card issuer said no; the message can be shown to the shopper. Retrying will not help."""


class GatewayError(PaymentError):
    """The gateway could not answer (timeout, 5xx): transient, the call may be retried."""


@dataclass(frozen=True)
class Card:
    number: str
    exp_month: int
    exp_year: int
    cvc: str
    holder: str = ""

    @property
    def last4(self) -> str:
        return self.number[-4:]

    def __repr__(self):
        # Never let the full number reach a log line or a traceback.
        return f"Card(last4={self.last4!r}, exp={self.exp_month:02d}/{self.exp_year})"


@dataclass(frozen=True)
class Authorization:
    id: str
    amount: Decimal
    currency: str
    card_last4: str


@dataclass(frozen=True)
class Capture:
    id: str
    authorization_id: str
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class Refund:
    id: str
    capture_id: str
    amount: Decimal
    currency: str


class PaymentGateway(Protocol):
    """A payment provider. `reference` is the order number, sent as the provider's idempotency key."""

    name: str

    def authorize(self, *, amount: Decimal, currency: str, card: Card, reference: str) -> Authorization:
        """Hold `amount` on the card. Raises PaymentDeclined or GatewayError."""

    def capture(self, *, authorization: Authorization, reference: str) -> Capture:
        """Take the held amount. Raises PaymentDeclined or GatewayError."""

    def refund(self, *, capture_id: str, amount: Decimal, currency: str, reference: str) -> Refund:
        """Give back `amount` of a capture. Raises GatewayError."""


class DummyGateway:
    """Approves everything but the documented test cards; keeps its captures and refunds in memory."""

    name = "dummy"
    _lock = threading.Lock()
    captures: list[Capture] = []
    refunds: list[Refund] = []

    def authorize(self, *, amount: Decimal, currency: str, card: Card, reference: str) -> Authorization:
        if card.number == DECLINED_CARD:
            raise PaymentDeclined("Your card was declined.")
        if card.number == GATEWAY_ERROR_CARD:
            raise GatewayError("The payment service did not answer.")
        return Authorization(id=f"auth_{uuid.uuid4().hex}", amount=amount, currency=currency, card_last4=card.last4)

    def capture(self, *, authorization: Authorization, reference: str) -> Capture:
        capture = Capture(
            id=f"cap_{uuid.uuid4().hex}",
            authorization_id=authorization.id,
            amount=authorization.amount,
            currency=authorization.currency,
        )
        with self._lock:
            self.captures.append(capture)
        return capture

    def refund(self, *, capture_id: str, amount: Decimal, currency: str, reference: str) -> Refund:
        refund = Refund(id=f"ref_{uuid.uuid4().hex}", capture_id=capture_id, amount=amount, currency=currency)
        with self._lock:
            self.refunds.append(refund)
        return refund

    @classmethod
    def forget(cls) -> None:
        """Empty the in-memory ledger (tests start from nothing)."""
        with cls._lock:
            cls.captures.clear()
            cls.refunds.clear()


def card_number_valid(digits: str) -> bool:
    """12 to 19 digits that pass the Luhn check (catches typos before the gateway is asked)."""
    if not digits.isdigit() or not 12 <= len(digits) <= 19:
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def get_gateway() -> PaymentGateway:
    """The gateway named by settings.PAYMENT_GATEWAY (a dotted path to a class)."""
    return import_string(settings.PAYMENT_GATEWAY)()

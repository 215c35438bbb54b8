"""Orders: checkout, the payment port, orders and their status lifecycle."""

"""Inventory: stock per SKU, reservations and the movement ledger."""

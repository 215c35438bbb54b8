"""Notifications: in-app inbox, e-mail, price-drop and back-in-stock subscriptions."""

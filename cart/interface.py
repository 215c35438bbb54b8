"""The public face of the cart context: the only module other contexts may import.

It exposes plain functions and frozen dataclasses (stdlib types only), never models or querysets.
"""

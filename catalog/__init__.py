"""Catalog: products, variants (SKUs), categories, images, prices and search."""

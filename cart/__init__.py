"""Cart: anonymous and signed-in carts and their lines."""

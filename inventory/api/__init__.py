"""The inventory API (DRF): public stock levels, staff receiving and adjustments."""

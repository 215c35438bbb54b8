"""Recommendations: co-purchase model, personalised and similar-product suggestions."""

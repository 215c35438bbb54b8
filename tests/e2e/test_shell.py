"""The storefront shell in a real browser."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_visitor_signs_up_from_the_header_and_is_greeted(page):
    """From the home page a visitor signs up through the header link and sees the welcome message."""
    page.goto("/")
    page.get_by_role("link", name="Sign up").click()
    page.fill("#id_username", "erin")
    page.fill("#id_email", "erin@example.com")
    page.fill("#id_password1", "a-long-and-unusual-passphrase")
    page.fill("#id_password2", "a-long-and-unusual-passphrase")
    page.get_by_role("button", name="Sign up").click()
    assert "Welcome, erin. Your account is ready." in page.inner_text(".messages")
    assert page.inner_text(".account-menu").count("erin") == 1


def test_home_page_fits_a_phone_without_horizontal_scroll(phone):
    """At 390 px wide nothing overflows sideways and the search box and cart link are on screen."""
    phone.goto("/")
    overflow = phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow == 0
    assert phone.get_by_role("searchbox").is_visible()
    assert phone.locator(".cart-link").is_visible()

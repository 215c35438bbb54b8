"""Pages owned by the project itself: the home page and account sign-up."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.forms import UserCreationForm
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from ecommerce import page_cache
from ecommerce.throttling import login_rate_limited


def home(request):
    """The storefront's front page; each section comes from the context that owns its data.

    Whole from the page cache for visitors without a session, until a section's owner forgets the
    "home" family (the catalog does on every product, price or category change).
    """
    if not page_cache.cacheable(request):
        return render(request, "home.html")
    return page_cache.cached_page(request, page_cache.HOME_PAGE, page_cache.generation_key(page_cache.HOME_PAGE),
                                  lambda extra: render(request, "home.html", extra))


class SignUpForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        fields = ("username", "email")


@require_http_methods(["GET", "POST"])
@login_rate_limited
def signup(request):
    """Create an account with Django's password validators, sign the shopper in, go back where they were."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    if request.method == "POST":
        form = SignUpForm(request.POST)
        if form.is_valid():
            user = form.save()
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome, {user.username}. Your account is ready.")
            return redirect(next_url or "home")
    else:
        form = SignUpForm()
    return render(request, "registration/signup.html", {"form": form, "next": next_url})

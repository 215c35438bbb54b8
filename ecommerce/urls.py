"""The URL map (DESIGN §6). Each context contributes its own storefront and API URL modules."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from ecommerce import operations, views
from ecommerce.metrics import metrics_view
from ecommerce.throttling import login_rate_limited

api_v1 = [
    path("", include("catalog.api.urls")),
    path("", include("cart.api.urls")),
    path("inventory/", include("inventory.api.urls")),
    path("", include("orders.api.urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", login_rate_limited(auth_views.LoginView.as_view()), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/signup/", views.signup, name="signup"),
    path("admin/", admin.site.urls),
    path("cart/", include("cart.urls")),
    path("", include("orders.urls")),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("healthz", operations.healthz, name="healthz"),
    path("readyz", operations.readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
    path("", include("catalog.urls")),
]

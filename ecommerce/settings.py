"""Settings for the shop, read from the environment in this one place.

Every variable has an embedded default so that `make run` needs no service at all; production sets
the variables listed in README ("Running on real infrastructure"). With DEBUG off, the variables in
REQUIRED_IN_PRODUCTION must be set or start-up stops with a line naming the missing ones.
"""

from decimal import Decimal
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=True)

REQUIRED_IN_PRODUCTION = ("DJANGO_SECRET_KEY", "ALLOWED_HOSTS")
if not DEBUG:
    missing = [name for name in REQUIRED_IN_PRODUCTION if not env.str(name, default="")]
    if missing:
        raise ImproperlyConfigured(
            "DEBUG is off but these required environment variables are not set: " + ", ".join(missing)
        )

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="dev-only-secret-key-not-for-production-use-0123456789")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Catalog search: SearchVectorField, trigram lookups (inactive on SQLite).
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "ecommerce",
    "ecommerce.events",
    "inventory",
    "catalog",
    "cart",
    "orders",
    "recommendations",
    "notifications",
]

MIDDLEWARE = [
    "ecommerce.request_id.RequestIdMiddleware",
    "ecommerce.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "ecommerce.page_cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "ecommerce.urls"
WSGI_APPLICATION = "ecommerce.wsgi.application"
ASGI_APPLICATION = "ecommerce.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "ecommerce" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: SQLite file by default; DATABASE_URL=postgres://... in production (psycopg 3).
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASE_POOL_MAX_SIZE = env.int("DATABASE_POOL_MAX_SIZE", default=0)
    if DATABASE_POOL_MAX_SIZE:
        # psycopg's pool keeps connections across requests inside one process.
        DATABASES["default"]["OPTIONS"] = {"pool": {"min_size": 1, "max_size": DATABASE_POOL_MAX_SIZE}}
    else:
        DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The laptop database: write-ahead log (readers do not wait for the writer) and no disk flush
    # per commit (a crash of the machine may lose the last commits, never corrupt the file);
    # writers queue for the lock instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache and broker: Redis when REDIS_URL is set, else local memory and eager Celery.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache, reusing one redis-py client per pool (see ecommerce/redis_cache.py).
            "BACKEND": "ecommerce.redis_cache.ReusedClientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="shop"),
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "shop"}}

# Each web process keeps copies of the whole pages it served, and of carts (ecommerce/page_cache.py),
# up to this size for each of the two.
PAGE_CACHE_LOCAL_BYTES = env.int("PAGE_CACHE_LOCAL_BYTES", default=32 * 1024 * 1024)
# ... and trusts a page's token for this long before reading it again from the shared cache.
PAGE_CACHE_TOKEN_CHECK_SECONDS = env.float("PAGE_CACHE_TOKEN_CHECK_SECONDS", default=0.25)

# Sessions are read from the cache first (Redis in production) and written through to the database.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A delayed task on Redis is redelivered after visibility_timeout; every backoff stays well below it.
CELERY_BROKER_VISIBILITY_TIMEOUT = env.int("CELERY_BROKER_VISIBILITY_TIMEOUT", default=3600)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_BROKER_VISIBILITY_TIMEOUT,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    # Publishing gives up fast when the broker is down: the outbox keeps the event for the sweeper,
    # so a shopper's request never waits on a reconnect loop.
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    "events-sweep-outbox": {"task": "events.sweep", "schedule": env.int("EVENTS_SWEEP_EVERY_SECONDS", default=60)},
}

# Events (DESIGN §3): retries of a failing handler, then a dead letter.
EVENTS_MAX_RETRIES = env.int("EVENTS_MAX_RETRIES", default=5)
EVENTS_RETRY_BASE_SECONDS = env.float("EVENTS_RETRY_BASE_SECONDS", default=2.0)
EVENTS_RETRY_MAX_SECONDS = env.float("EVENTS_RETRY_MAX_SECONDS", default=600.0)
EVENTS_SWEEP_AFTER_SECONDS = env.int("EVENTS_SWEEP_AFTER_SECONDS", default=60)
if EVENTS_RETRY_MAX_SECONDS * 2 >= CELERY_BROKER_VISIBILITY_TIMEOUT:
    raise ImproperlyConfigured("EVENTS_RETRY_MAX_SECONDS must stay below half of CELERY_BROKER_VISIBILITY_TIMEOUT")

# Inventory: the low-stock threshold of a new SKU and how often expired reservations are released.
INVENTORY_LOW_STOCK_THRESHOLD = env.int("INVENTORY_LOW_STOCK_THRESHOLD", default=5)
INVENTORY_RELEASE_EXPIRED_EVERY_SECONDS = env.int("INVENTORY_RELEASE_EXPIRED_EVERY_SECONDS", default=60)
CELERY_BEAT_SCHEDULE["inventory-release-expired-reservations"] = {
    "task": "inventory.release_expired_reservations",
    "schedule": INVENTORY_RELEASE_EXPIRED_EVERY_SECONDS,
}

# Orders: the payment gateway (a dotted path to a PaymentGateway class), how often a gateway error is
# tried before the order is cancelled, shipping rates (standard is free from the threshold up) and the
# flat tax rate applied to goods and shipping. A beat task cancels orders whose payment never finished.
PAYMENT_GATEWAY = env.str("PAYMENT_GATEWAY", default="orders.payments.DummyGateway")
PAYMENT_GATEWAY_ATTEMPTS = env.int("PAYMENT_GATEWAY_ATTEMPTS", default=3)
FREE_SHIPPING_THRESHOLD = Decimal(env.str("FREE_SHIPPING_THRESHOLD", default="50.00"))
SHIPPING_STANDARD_RATE = Decimal(env.str("SHIPPING_STANDARD_RATE", default="4.95"))
SHIPPING_EXPRESS_RATE = Decimal(env.str("SHIPPING_EXPRESS_RATE", default="14.95"))
TAX_RATE = Decimal(env.str("TAX_RATE", default="0.08"))
ORDERS_PAGE_SIZE = env.int("ORDERS_PAGE_SIZE", default=10)
CELERY_BEAT_SCHEDULE["orders-cancel-unpaid"] = {"task": "orders.cancel_unpaid_orders", "schedule": 300}

# Media: the filesystem by default, S3 (or an S3-compatible server) with MEDIA_BACKEND=s3.
MEDIA_BACKEND = env.str("MEDIA_BACKEND", default="filesystem")
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "ecommerce" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
if MEDIA_BACKEND == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="us-east-1"),
            "custom_domain": env.str("AWS_S3_CUSTOM_DOMAIN", default="") or None,
            "querystring_auth": env.bool("AWS_QUERYSTRING_AUTH", default=False),
            "file_overwrite": False,
        },
    }
elif MEDIA_BACKEND != "filesystem":
    raise ImproperlyConfigured(f"MEDIA_BACKEND must be 'filesystem' or 's3', not {MEDIA_BACKEND!r}")

# Search and the catalog interface.
SEARCH_BACKEND = env.str("SEARCH_BACKEND", default="database")
OPENSEARCH_URL = env.str("OPENSEARCH_URL", default="")
OPENSEARCH_INDEX = env.str("OPENSEARCH_INDEX", default="products")
CATALOG_INTERFACE_URL = env.str("CATALOG_INTERFACE_URL", default="")
CATALOG_INTERFACE_TIMEOUT = env.float("CATALOG_INTERFACE_TIMEOUT", default=0.5)

# Cart: how long a cart's read model stays cached (events forget it sooner; this is only a bound), and
# the circuit breaker around catalog lookups: consecutive failures before it opens, and the seconds it
# stays open before one request may try again (half-open). Its state lives in the cache.
CART_CACHE_SECONDS = env.int("CART_CACHE_SECONDS", default=3600)
CART_CATALOG_BREAKER_THRESHOLD = env.int("CART_CATALOG_BREAKER_THRESHOLD", default=3)
CART_CATALOG_BREAKER_COOLDOWN_SECONDS = env.float("CART_CATALOG_BREAKER_COOLDOWN_SECONDS", default=30.0)

# E-mail: console by default, EMAIL_URL=smtp://... in production.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="shop@example.com")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
SHOP_CURRENCY = env.str("SHOP_CURRENCY", default="USD")

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.BasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": [
        "ecommerce.throttling.AnonymousRateThrottle",
        "ecommerce.throttling.UserRateThrottle",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 24,
}
# Requests per client and window ("N/s", "N/min", "N/hour"); 429 past them.
API_THROTTLE_RATES = {
    "anon": env.str("API_THROTTLE_ANON", default="300/min"),
    "user": env.str("API_THROTTLE_USER", default="600/min"),
}
LOGIN_RATE = env.str("LOGIN_RATE", default="10/min")
SPECTACULAR_SETTINGS = {
    "TITLE": "Shop API",
    "DESCRIPTION": "The shop's public and staff API, version 1.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Production hardening: on by default whenever DEBUG is off; `make serve` relaxes the HTTPS-only
# parts for a plain-HTTP run on this machine.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Set under gunicorn with several workers so /metrics sums every worker (prometheus-client reads it too).
PROMETHEUS_MULTIPROC_DIR = env.str("PROMETHEUS_MULTIPROC_DIR", default="")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "ecommerce.request_id.RequestIdLogFilter"}},
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "line", "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Tasks run in-process (no broker): a "succeeded" line per event delivery is noise, not news.
        "celery.app.trace": {"level": "WARNING" if CELERY_TASK_ALWAYS_EAGER else "INFO"},
    },
}

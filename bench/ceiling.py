"""The ceiling: a bare Django view returning a tiny page, served by the same gunicorn as the shop.

Every page's requests/s is reported as a share of this figure measured in the same run.
Run by bench/run.py as `gunicorn bench.ceiling:application`.
"""

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import path

settings.configure(
    DEBUG=False,
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    SECRET_KEY="bench-ceiling-only",  # noqa: S106 - serves one static string, no sessions
    MIDDLEWARE=["django.middleware.common.CommonMiddleware"],
)


def tiny(request):
    return HttpResponse("<!doctype html><title>ok</title><p>ok</p>")


urlpatterns = [path("", tiny)]

application = get_wsgi_application()

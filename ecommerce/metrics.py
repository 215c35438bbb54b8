"""Prometheus metrics: request counts and latencies per route, plus the event outbox's health.

Under gunicorn with several workers, set PROMETHEUS_MULTIPROC_DIR to an empty directory so that a
scrape sums every worker's counters (prometheus-client's multiprocess mode).
"""

import time

from django.conf import settings
from django.http import HttpResponse
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from ecommerce.events.selectors import outbox_health

REQUESTS = Counter("http_requests_total", "HTTP requests served", ["method", "route", "status"])
LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time spent serving a request",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)


class RequestMetricsMiddleware:
    """Counts every request and times it, labelled by URL name (never the raw path)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = (match.view_name or match.route) if match else "unmatched"
        LATENCY.labels(request.method, route).observe(time.perf_counter() - started)
        REQUESTS.labels(request.method, route, str(response.status_code)).inc()
        return response


class OutboxCollector:
    """Reads the outbox backlog and the open dead letters at scrape time."""

    def collect(self):
        health = outbox_health()
        backlog = GaugeMetricFamily("events_outbox_backlog", "Outbox events not yet dispatched")
        backlog.add_metric([], health.undispatched)
        dead = GaugeMetricFamily("events_dead_letters", "Handler deliveries waiting in the dead-letter table")
        dead.add_metric([], health.dead_letters)
        yield backlog
        yield dead


def metrics_view(request):
    """GET /metrics in the Prometheus text format."""
    registry = REGISTRY
    if settings.PROMETHEUS_MULTIPROC_DIR:
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    output = generate_latest(registry) + generate_latest(_outbox_registry())
    return HttpResponse(output, content_type=CONTENT_TYPE_LATEST)


def _outbox_registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    registry.register(OutboxCollector())
    return registry

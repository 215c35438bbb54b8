"""The event bus for real: PostgreSQL, a Redis broker and a Celery worker consuming from it."""

import threading
import time
import uuid
from urllib.parse import urlparse

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings as django_settings
from django.db import connection, transaction

from ecommerce.celery import app as celery_app
from ecommerce.events import Event, TransientError, publish, subscribe
from ecommerce.events.models import DeadLetter, InboxRecord, OutboxEvent
from ecommerce.events.tasks import dispatch, sweep_outbox
from tests.factories.users import StaffFactory
from tests.tcp_proxy import TcpProxy

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

EVENT = "tests.worker_thing.v1"
_lock = threading.Lock()
calls: dict[str, int] = {}
applied: list[str] = []
broken: set[str] = set()


@subscribe(EVENT)
def flaky_handler(event: Event) -> None:
    """Fails with a transient error for the first `fail_times` calls, or while its key is broken."""
    key = event.payload["key"]
    with _lock:
        calls[key] = calls.get(key, 0) + 1
        attempt = calls[key]
    if key in broken or attempt <= event.payload.get("fail_times", 0):
        raise TransientError(f"attempt {attempt} failed")
    with _lock:
        applied.append(key)


def wait_for(condition, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.fixture
def broker(settings):
    """Celery on the Redis broker (not eager) with fast retries, reached through a cuttable proxy."""
    redis = urlparse(django_settings.REDIS_URL)
    proxy = TcpProxy(redis.hostname or "127.0.0.1", redis.port or 6379)
    proxy.start()
    settings.EVENTS_MAX_RETRIES = 2
    settings.EVENTS_RETRY_BASE_SECONDS = 0.05
    settings.EVENTS_RETRY_MAX_SECONDS = 0.2
    saved = {key: celery_app.conf[key] for key in ("broker_url", "task_always_eager")}
    celery_app.conf.broker_url = f"redis://127.0.0.1:{proxy.port}{redis.path or '/0'}"
    celery_app.conf.task_always_eager = False
    _forget_producer_pool()
    for store in (calls, applied):
        store.clear()
    broken.clear()
    yield proxy
    celery_app.pool.force_close_all()
    proxy.stop()
    celery_app.conf.update(saved)
    _forget_producer_pool()


def _forget_producer_pool():
    # The app caches its broker connection pool; a new broker URL needs a new one (as after a fork).
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def worker(broker):
    with start_worker(celery_app, pool="threads", concurrency=4, perform_ping_check=False, shutdown_timeout=10):
        yield


def test_event_from_a_rolled_back_transaction_is_never_delivered(worker):
    """A worker never sees an event whose publishing transaction rolled back."""
    with pytest.raises(RuntimeError), transaction.atomic():
        publish(EVENT, {"key": "rolled-back"})
        raise RuntimeError("payment failed")
    publish(EVENT, {"key": "committed"})
    assert wait_for(lambda: applied == ["committed"])
    time.sleep(0.5)
    assert applied == ["committed"]
    assert OutboxEvent.objects.filter(payload__key="rolled-back").count() == 0


def test_handler_failing_twice_then_succeeding_is_applied_exactly_once(worker):
    """Two transient failures are retried with backoff; the event is applied once, no dead letter."""
    event_id = publish(EVENT, {"key": "flaky", "fail_times": 2})
    assert wait_for(lambda: applied == ["flaky"])
    time.sleep(0.5)
    assert calls["flaky"] == 3
    assert applied == ["flaky"]
    assert InboxRecord.objects.filter(event_id=event_id).count() == 1
    assert DeadLetter.objects.count() == 0


def test_always_failing_handler_is_dead_lettered_and_admin_retry_delivers_it(worker, client):
    """After the configured retries the delivery is dead-lettered; the admin retry applies it once fixed."""
    broken.add("doomed")
    event_id = publish(EVENT, {"key": "doomed"})
    assert wait_for(lambda: DeadLetter.objects.filter(event_id=event_id).exists())
    letter = DeadLetter.objects.get(event_id=event_id)
    assert letter.attempts == 3
    assert calls["doomed"] == 3
    assert applied == []

    broken.discard("doomed")
    client.force_login(StaffFactory())
    client.post("/admin/events/deadletter/", {"action": "retry", "_selected_action": [letter.pk]})
    assert wait_for(lambda: applied == ["doomed"])
    time.sleep(0.5)
    assert applied == ["doomed"]
    assert InboxRecord.objects.filter(event_id=event_id).count() == 1


def test_events_published_while_the_broker_is_down_are_swept_once_it_is_back(broker, settings):
    """With the broker unreachable at commit, rows wait; the sweeper delivers each once later."""
    broker.stop()
    keys = [f"outage-{n}" for n in range(5)]
    started = time.monotonic()
    for key in keys:
        with transaction.atomic():
            publish(EVENT, {"key": key})
    assert time.monotonic() - started < 2, "a broker outage must not hold up the publishing request"
    assert OutboxEvent.objects.filter(dispatched_at__isnull=True).count() == 5

    broker.start()
    settings.EVENTS_SWEEP_AFTER_SECONDS = 0
    with start_worker(celery_app, pool="threads", concurrency=4, perform_ping_check=False, shutdown_timeout=10):
        assert sweep_outbox() == 5
        assert sweep_outbox() == 0
        assert wait_for(lambda: sorted(applied) == keys)
        time.sleep(0.5)
    assert sorted(applied) == keys
    assert OutboxEvent.objects.filter(dispatched_at__isnull=True).count() == 0
    assert InboxRecord.objects.count() == 5


def test_two_relays_never_dispatch_one_row_twice(broker):
    """Concurrent dispatches of the same row send it once (SELECT ... FOR UPDATE SKIP LOCKED)."""
    event = OutboxEvent.objects.create(name=EVENT, payload={"key": "contended"})
    results = []

    def relay():
        try:
            results.append(dispatch(str(event.id)))
        finally:
            connection.close()

    threads = [threading.Thread(target=relay) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]
    assert uuid.UUID(str(event.id)) == OutboxEvent.objects.get(dispatched_at__isnull=False).id

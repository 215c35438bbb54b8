"""The event bus in embedded mode: outbox in the caller's transaction, eager delivery after commit."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from ecommerce.events import Event, TransientError, publish, subscribe
from ecommerce.events.delivery import apply_once
from ecommerce.events.models import DeadLetter, InboxRecord, OutboxEvent
from ecommerce.events.registry import handler_name, handlers_for, unsubscribe
from ecommerce.events.services import dead_letters_discard, dead_letters_retry
from ecommerce.events.tasks import sweep_outbox

pytestmark = pytest.mark.django_db

EVENT = "tests.thing_happened.v1"
applied: list[tuple[uuid.UUID, dict]] = []
failures_left: dict[str, int] = {}


@subscribe(EVENT)
def record_thing(event: Event) -> None:
    """A test handler that fails while `failures_left` says so, then records what it applied."""
    remaining = failures_left.get(str(event.payload.get("key")), 0)
    if remaining:
        failures_left[str(event.payload["key"])] = remaining - 1
        raise TransientError("the peer timed out")
    if event.payload.get("bug"):
        raise KeyError("a bug in the handler")
    applied.append((event.id, event.payload))


@pytest.fixture(autouse=True)
def _clean_handler_state(settings):
    settings.EVENTS_MAX_RETRIES = 2
    applied.clear()
    failures_left.clear()
    yield
    applied.clear()
    failures_left.clear()


def test_published_event_is_delivered_once_after_commit(django_capture_on_commit_callbacks):
    """An event published in a transaction reaches its handler after commit, exactly once."""
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        event_id = publish(EVENT, {"key": "a"})
        assert applied == []
    assert applied == [(event_id, {"key": "a"})]
    assert OutboxEvent.objects.get(pk=event_id).dispatched_at is not None
    assert InboxRecord.objects.filter(event_id=event_id, handler=handler_name(record_thing)).count() == 1


def test_event_of_a_rolled_back_transaction_is_never_delivered(django_capture_on_commit_callbacks):
    """Nothing is written or sent when the publishing transaction rolls back."""
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        publish(EVENT, {"key": "b"})
        raise RuntimeError("checkout failed")
    assert callbacks == []
    assert OutboxEvent.objects.count() == 0
    assert applied == []


def test_handler_failing_twice_then_succeeding_is_applied_once(django_capture_on_commit_callbacks):
    """Transient failures are retried; the third attempt applies the event, once."""
    failures_left["c"] = 2
    with django_capture_on_commit_callbacks(execute=True):
        event_id = publish(EVENT, {"key": "c"})
    assert applied == [(event_id, {"key": "c"})]
    assert DeadLetter.objects.count() == 0


def test_handler_that_always_fails_ends_in_dead_letters_and_retry_delivers_it(django_capture_on_commit_callbacks):
    """After the last retry the delivery is dead-lettered; staff retry it once the cause is gone."""
    failures_left["d"] = 3  # one more than EVENTS_MAX_RETRIES = 2 allows
    with django_capture_on_commit_callbacks(execute=True):
        event_id = publish(EVENT, {"key": "d"})
    letter = DeadLetter.objects.get()
    assert (letter.event_id, letter.handler, letter.attempts) == (event_id, handler_name(record_thing), 3)
    assert "the peer timed out" in letter.error
    assert applied == []

    with django_capture_on_commit_callbacks(execute=True):
        assert dead_letters_retry(dead_letter_ids=[letter.pk], user=None) == 1
    assert applied == [(event_id, {"key": "d"})]
    letter.refresh_from_db()
    assert letter.status == DeadLetter.Status.RETRIED
    with django_capture_on_commit_callbacks(execute=True):
        assert dead_letters_retry(dead_letter_ids=[letter.pk], user=None) == 0
    assert len(applied) == 1


def test_a_bug_in_a_handler_is_dead_lettered_without_retries(django_capture_on_commit_callbacks):
    """A non-transient error cannot be mended by retrying, so it is parked at once."""
    with django_capture_on_commit_callbacks(execute=True):
        publish(EVENT, {"key": "e", "bug": True})
    letter = DeadLetter.objects.get()
    assert letter.attempts == 1
    assert "KeyError" in letter.error


def test_discarded_dead_letter_is_not_retried(django_capture_on_commit_callbacks):
    """Discarding closes the letter; a later retry request does nothing."""
    with django_capture_on_commit_callbacks(execute=True):
        publish(EVENT, {"key": "f", "bug": True})
    letter = DeadLetter.objects.get()
    assert dead_letters_discard(dead_letter_ids=[letter.pk], user=None) == 1
    assert dead_letters_retry(dead_letter_ids=[letter.pk], user=None) == 0
    letter.refresh_from_db()
    assert letter.status == DeadLetter.Status.DISCARDED


def test_redelivered_event_is_applied_once():
    """The inbox makes a second delivery of the same event to the same handler a no-op."""
    event = OutboxEvent.objects.create(name=EVENT, payload={"key": "g"})
    assert apply_once(event.id, handler_name(record_thing)) is True
    assert apply_once(event.id, handler_name(record_thing)) is False
    assert len(applied) == 1


def test_sweeper_dispatches_rows_left_undispatched(settings):
    """Rows older than the grace period that were never dispatched are sent by the sweeper, once."""
    settings.EVENTS_SWEEP_AFTER_SECONDS = 60
    five_minutes_ago = timezone.now() - timedelta(minutes=5)
    stale = OutboxEvent.objects.create(name=EVENT, payload={"key": "h"}, created_at=five_minutes_ago)
    fresh = OutboxEvent.objects.create(name=EVENT, payload={"key": "i"})
    assert sweep_outbox() == 1
    assert applied == [(stale.id, {"key": "h"})]
    assert sweep_outbox() == 0
    fresh.refresh_from_db()
    assert fresh.dispatched_at is None


def test_publish_refuses_a_malformed_name_or_payload():
    """Event names read context.event.vN and payloads are plain JSON (amounts as strings)."""
    with pytest.raises(ValueError, match=r"must read 'context\.event_name\.vN'"):
        publish("ThingHappened", {})
    with pytest.raises(ValueError, match="send amounts as strings"):
        publish(EVENT, {"price": Decimal("1.00")})
    assert OutboxEvent.objects.count() == 0


def test_subscribing_registers_by_event_name():
    """A handler registered with @subscribe is listed for its event and can be removed."""
    @subscribe("tests.other_thing.v1")
    def other(event):
        return None

    assert handlers_for("tests.other_thing.v1") == [handler_name(other)]
    unsubscribe("tests.other_thing.v1", handler_name(other))
    assert handlers_for("tests.other_thing.v1") == []


def test_admin_lists_dead_letters_with_retry_and_discard(admin_client, django_capture_on_commit_callbacks):
    """Staff see dead letters in the admin and retry them with the list action."""
    failures_left["j"] = 3
    with django_capture_on_commit_callbacks(execute=True):
        event_id = publish(EVENT, {"key": "j"})
    letter = DeadLetter.objects.get()
    page = admin_client.get("/admin/events/deadletter/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Retry the selected deliveries" in body and "Discard the selected deliveries" in body
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/events/deadletter/", {"action": "retry", "_selected_action": [letter.pk]}, follow=True
        )
    assert "1 delivery sent to the handler again." in response.content.decode()
    assert applied == [(event_id, {"key": "j"})]

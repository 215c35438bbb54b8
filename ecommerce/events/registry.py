"""Which handlers listen to which event names."""

import re
from collections.abc import Callable

EVENT_NAME = re.compile(r"^[a-z][a-z_]*\.[a-z][a-z_]*\.v[0-9]+$")

_handlers: dict[str, dict[str, Callable]] = {}


def handler_name(handler: Callable) -> str:
    """The stable name a handler is known by in the inbox and the dead-letter table."""
    return f"{handler.__module__}.{handler.__qualname__}"


def check_event_name(name: str) -> None:
    """Raise ValueError unless `name` reads `context.event_name.vN`."""
    if not EVENT_NAME.match(name):
        raise ValueError(f"event name {name!r} must read 'context.event_name.vN', e.g. 'orders.order_placed.v1'")


def subscribe(event_name: str) -> Callable[[Callable], Callable]:
    """Decorator: run the decorated function, once per event, for every `event_name` published."""
    check_event_name(event_name)

    def register(handler: Callable) -> Callable:
        _handlers.setdefault(event_name, {})[handler_name(handler)] = handler
        return handler

    return register


def handlers_for(event_name: str) -> list[str]:
    """Names of the handlers subscribed to `event_name`, in a stable order."""
    return sorted(_handlers.get(event_name, {}))


def get_handler(event_name: str, name: str) -> Callable:
    """The handler called `name` for `event_name`; LookupError when no such handler is registered."""
    try:
        return _handlers[event_name][name]
    except KeyError:
        raise LookupError(f"no handler {name!r} is subscribed to {event_name!r}") from None


def unsubscribe(event_name: str, name: str) -> None:
    """Remove a handler (used by tests that register handlers of their own)."""
    _handlers.get(event_name, {}).pop(name, None)

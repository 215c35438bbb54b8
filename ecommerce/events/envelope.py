"""The envelope a handler receives."""

import uuid
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Event:
    """What a handler receives: the event's id, name, JSON payload and when it happened."""

    id: uuid.UUID
    name: str
    payload: dict
    occurred_at: datetime

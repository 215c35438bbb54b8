"""Which handler failures are worth retrying."""

from django.db import OperationalError


class TransientError(Exception):
    """Raised by a handler for a failure that may pass on its own (a peer timing out, a 5xx)."""


# Anything else a handler raises is a bug or bad data: retrying cannot help, so it is dead-lettered
# at once for staff to look at.
TRANSIENT_ERRORS = (TransientError, OperationalError, TimeoutError, ConnectionError)

"""A one-slot, latest-wins mailbox between a camera thread and the worker: bounded latency, no backlog.

The producer overwrites; the consumer always gets the newest item and learns from the gap in sequence numbers how
many it never saw (dropped). Nothing here can grow.
"""

from __future__ import annotations

import threading
from typing import Generic, TypeVar

T = TypeVar("T")


class LatestMailbox(Generic[T]):
    """Holds only the newest item; ``get`` waits for one newer than the last taken."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._item: T | None = None
        self._seq = 0  # sequence number of the item in the slot (1-based)
        self._taken = 0  # sequence number of the last item handed out
        self._closed = False
        self.dropped = 0

    def put(self, item: T) -> None:
        """Publish ``item``, replacing any not yet taken."""
        with self._cond:
            self._item = item
            self._seq += 1
            self._cond.notify()

    def close(self) -> None:
        """No more items will come; a waiting ``get`` returns None once the slot is empty."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def get(self, timeout_s: float | None = None) -> T | None:
        """The newest item not yet taken; None on timeout or when closed and drained."""
        with self._cond:
            if not self._cond.wait_for(lambda: self._seq > self._taken or self._closed, timeout_s):
                return None
            if self._seq == self._taken:
                return None
            self.dropped += self._seq - self._taken - 1
            self._taken = self._seq
            item, self._item = self._item, None
            return item

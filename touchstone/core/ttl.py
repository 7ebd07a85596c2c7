"""A tiny per-process memo with a time limit, for lookups on the hottest paths (API tokens, the survey being
answered). A change made elsewhere reaches every worker within the limit."""

import threading
import time
from collections.abc import Callable
from typing import Any

MEMOS: list["TimedMemo"] = []


def clear_all() -> None:
    """Forget everything (tests do this between cases, since database ids repeat)."""
    for memo in MEMOS:
        memo.clear()


class TimedMemo:
    def __init__(self, seconds: float, most: int = 1000) -> None:
        MEMOS.append(self)
        self.seconds = seconds
        self.most = most
        self._entries: dict[Any, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Any, load: Callable[[], Any]) -> Any:
        now = time.monotonic()
        entry = self._entries.get(key)
        if entry is not None and now - entry[0] < self.seconds:
            return entry[1]
        value = load()
        with self._lock:
            if len(self._entries) >= self.most:
                self._entries.clear()
            self._entries[key] = (now, value)
        return value

    def forget(self, key: Any) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

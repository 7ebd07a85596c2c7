from collections.abc import Iterator

import pytest

from touchstone.analysis import signals


@pytest.fixture(autouse=True)
def fresh_refresh_throttle() -> Iterator[None]:
    """Database ids repeat between tests; forget which surveys this process checked recently."""
    signals._last_checked.clear()
    yield
    signals._last_checked.clear()

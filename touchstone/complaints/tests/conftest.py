from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english_between_tests() -> Iterator[None]:
    """A request to /es/ leaves Spanish active in the thread; `reverse` in the next test would follow it."""
    translation.activate("en")
    yield
    translation.activate("en")

"""The five agreement answers on a phone: one a row, in order, in English and Spanish, however long their words."""

from collections.abc import Iterator
from typing import Any

import pytest

from touchstone.conftest import Personas, assert_accessible
from touchstone.surveys.tests.factories import published_survey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone_390(browser: Any) -> Iterator[Any]:
    """The reviewer's phone: 390 by 844."""
    context = browser.new_context(
        bypass_csp=True, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("language", ["", "/es"])
def test_each_agreement_answer_has_its_own_row_on_a_phone(
    personas: Personas, live_server: Any, phone_390: Any, language: str
) -> None:
    survey = published_survey(personas.agency_a)
    phone_390.goto(f"{live_server.url}{language}/s/{survey.short_code}/")
    answers = phone_390.locator("#q-satisfaction .usa-radio")
    boxes = [answers.nth(i).bounding_box() for i in range(answers.count())]
    assert len(boxes) == 5
    assert len({round(box["x"]) for box in boxes}) == 1, "the answers do not line up"
    tops = [box["y"] for box in boxes]
    assert all(below > above for above, below in zip(tops, tops[1:], strict=False)), "two answers share a row"
    assert_accessible(phone_390)

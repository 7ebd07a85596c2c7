"""The API documentation page a developer reads, checked by axe-core like every other page."""

from typing import Any

import pytest

from touchstone.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_documentation_page_passes_axe(live_server: Any, page: Any) -> None:
    page.goto(f"{live_server.url}/api/v1/docs")
    assert page.get_by_role(
        "heading", name="POST /api/v1/surveys/{survey_id}/responses", exact=True
    ).is_visible()
    assert_accessible(page)

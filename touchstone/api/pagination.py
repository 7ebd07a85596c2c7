"""Paging for every API list: limit and offset, bounded so that no number sent can overflow the database's."""

from ninja import Field, Schema
from ninja.conf import settings as ninja_settings
from ninja.pagination import LimitOffsetPagination

MAX_LIMIT = 1000
# Far beyond any list here, and far inside the 64-bit integers SQLite and PostgreSQL count rows with.
MAX_OFFSET = 1_000_000_000


class Pagination(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(
            min(ninja_settings.PAGINATION_PER_PAGE, MAX_LIMIT),
            ge=1,
            le=MAX_LIMIT,
            description=f"How many items to return, 1 to {MAX_LIMIT}.",
        )
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="How many items to skip.")

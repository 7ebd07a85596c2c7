"""API of the complaints capability."""

from ninja import Router

router = Router(tags=["complaints"])

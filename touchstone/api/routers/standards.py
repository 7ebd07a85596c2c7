"""API of the standards capability."""

from ninja import Router

router = Router(tags=["standards"])

"""API of the catalog capability."""

from ninja import Router

router = Router(tags=["catalog"])

"""API of employee voice: aggregates only, never an individual answer."""

from ninja import Router

router = Router(tags=["Employee voice"])

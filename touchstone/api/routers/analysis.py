"""API of survey analysis."""

from ninja import Router

router = Router(tags=["Survey analysis"])

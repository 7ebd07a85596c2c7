"""Columns of the government-wide oversight page: each capability adds its published figure per agency.

A provider returns a heading and text per agency id, computed for all agencies at once (one or two grouped
queries), so the page does not grow in queries with the number of agencies."""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class OversightColumn:
    label: str
    values: dict[int, str] = field(default_factory=dict)


Provider = Callable[[], OversightColumn]
PROVIDERS: list[Provider] = []


def register(provider: Provider) -> Provider:
    PROVIDERS.append(provider)
    return provider


def columns() -> list[OversightColumn]:
    return [provider() for provider in PROVIDERS]

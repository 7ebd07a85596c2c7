"""How each channel of a service is doing, from every capability that measures it: the one page where an analyst
sees volume, satisfaction, standards and complaints side by side (EO §1(f) choices, measured by §1(b) and §1(c)).

Later capabilities register a provider in their AppConfig.ready(); the catalog does not import them.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from touchstone.catalog.models import Service

ALL_CHANNELS = "*"


@dataclass(frozen=True)
class ChannelMeasure:
    """One column of the service page's channel table: a heading, and text per channel (or for all channels)."""

    label: str
    values: dict[str, str] = field(default_factory=dict)
    note: str = ""

    def for_channel(self, channel: str) -> str:
        return self.values.get(channel) or self.values.get(ALL_CHANNELS, "—")


Provider = Callable[[Service], ChannelMeasure | None]
PROVIDERS: list[Provider] = []


def register(provider: Provider) -> Provider:
    PROVIDERS.append(provider)
    return provider


def channel_measures(service: Service) -> list[ChannelMeasure]:
    return [measure for provider in PROVIDERS if (measure := provider(service)) is not None]


# Short statements about how a service is keeping its promises ("Decide claims in 30 days: 72% in 2026-09
# against 90%, slipping"), for pages that look across capabilities, such as complaint insight.
ServiceSignals = Callable[[Service], list[str]]
SIGNAL_PROVIDERS: list[ServiceSignals] = []


def register_signals(provider: ServiceSignals) -> ServiceSignals:
    SIGNAL_PROVIDERS.append(provider)
    return provider


def service_signals(service: Service) -> list[str]:
    return [text for provider in SIGNAL_PROVIDERS for text in provider(service)]

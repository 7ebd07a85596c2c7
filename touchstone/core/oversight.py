"""Columns of the government-wide oversight page: each capability adds its figure per agency.

A provider returns a heading and, per agency id, the counts its figure is made of (computed for all agencies at
once, in one or two grouped queries, so the page does not grow in queries with the number of agencies). Counts
add up, so a department's row is its own counts plus those of its sub-agencies; `show` turns counts into text.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

Counts = tuple[int, ...]


@dataclass(frozen=True)
class OversightColumn:
    label: str
    counts: Mapping[int, Counts] = field(default_factory=dict)
    show: Callable[[Counts], str | None] = str
    numeric: bool = True

    def total(self, agency_ids: Iterable[int]) -> Counts | None:
        """The counts of these agencies added up, or None when none of them has any."""
        found = [self.counts[pk] for pk in agency_ids if pk in self.counts]
        if not found:
            return None
        return tuple(sum(values) for values in zip(*found, strict=True))

    def text(self, agency_ids: Iterable[int]) -> str:
        counts = self.total(agency_ids)
        shown = self.show(counts) if counts is not None else None
        return shown if shown else "—"


Provider = Callable[[], OversightColumn]
PROVIDERS: list[Provider] = []


def register(provider: Provider) -> Provider:
    PROVIDERS.append(provider)
    return provider


def columns() -> list[OversightColumn]:
    return [provider() for provider in PROVIDERS]


@dataclass(frozen=True)
class OversightRow:
    agency: object
    is_sub_agency: bool
    rolls_up: bool
    cells: list[str]


def rows(agencies: Sequence[object], figures: Sequence[OversightColumn]) -> list[OversightRow]:
    """Each department (its own figures plus its sub-agencies'), then each sub-agency under it on its own row."""
    out = []
    for agency in agencies:
        subs = list(agency.sub_agencies.all())  # type: ignore[attr-defined]
        ids = [agency.pk, *(sub.pk for sub in subs)]  # type: ignore[attr-defined]
        out.append(OversightRow(agency, False, bool(subs), [column.text(ids) for column in figures]))
        for sub in subs:
            out.append(OversightRow(sub, True, False, [column.text([sub.pk]) for column in figures]))
    return out

"""AAPOR Standard Definitions outcome rates from final disposition counts.

Response (RR1-RR6), cooperation (COOP1-4), refusal (REF1-3) and contact (CON1-3) rates.  A rate whose denominator
is zero, or that needs `e` (the estimated eligible share of cases of unknown eligibility) when none was given, is
None rather than NaN or an error.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Dispositions:
    """Final disposition counts.

    I complete interviews, P partial interviews, R refusals and break-offs, NC non-contacts, O other eligible
    non-interviews, UH unknown if household/occupied, UO unknown other, NE not eligible (recorded, not used in
    the rates), e the estimated proportion of unknown-eligibility cases that are eligible.
    """

    I: int  # noqa: E741 - AAPOR's own symbol
    P: int = 0
    R: int = 0
    NC: int = 0
    O: int = 0  # noqa: E741 - AAPOR's own symbol
    UH: int = 0
    UO: int = 0
    NE: int = 0
    e: float | None = None

    def __post_init__(self) -> None:
        for field in ("I", "P", "R", "NC", "O", "UH", "UO", "NE"):
            if getattr(self, field) < 0:
                raise ValueError(f"Disposition count {field} must not be negative.")
        if self.e is not None and not 0 <= self.e <= 1:
            raise ValueError(f"e is a proportion and must be between 0 and 1 (got {self.e}).")


@dataclass(frozen=True)
class OutcomeRates:
    """The AAPOR rates, each a proportion or None when it cannot be computed."""

    rr1: float | None
    rr2: float | None
    rr3: float | None
    rr4: float | None
    rr5: float | None
    rr6: float | None
    coop1: float | None
    coop2: float | None
    coop3: float | None
    coop4: float | None
    ref1: float | None
    ref2: float | None
    ref3: float | None
    con1: float | None
    con2: float | None
    con3: float | None


def _ratio(numerator: float, denominator: float | None) -> float | None:
    if denominator is None or denominator == 0:
        return None
    return numerator / denominator


def outcome_rates(d: Dispositions) -> OutcomeRates:
    """Compute RR1-RR6, COOP1-4, REF1-3 and CON1-3 as AAPOR defines them."""
    interviews = d.I + d.P
    unknown = d.UH + d.UO
    known_eligible = interviews + d.R + d.NC + d.O
    all_cases = known_eligible + unknown
    estimated = None if d.e is None else known_eligible + d.e * unknown
    contacted = interviews + d.R + d.O
    return OutcomeRates(
        rr1=_ratio(d.I, all_cases),
        rr2=_ratio(interviews, all_cases),
        rr3=_ratio(d.I, estimated),
        rr4=_ratio(interviews, estimated),
        rr5=_ratio(d.I, known_eligible),
        rr6=_ratio(interviews, known_eligible),
        coop1=_ratio(d.I, contacted),
        coop2=_ratio(interviews, contacted),
        coop3=_ratio(d.I, interviews + d.R),
        coop4=_ratio(interviews, interviews + d.R),
        ref1=_ratio(d.R, all_cases),
        ref2=_ratio(d.R, estimated),
        ref3=_ratio(d.R, known_eligible),
        con1=_ratio(contacted, all_cases),
        con2=_ratio(contacted, estimated),
        con3=_ratio(contacted, known_eligible),
    )

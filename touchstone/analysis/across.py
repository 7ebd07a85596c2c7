"""One service seen through all its customer surveys: the A-11 drivers' share agreeing by fiscal quarter, pooled
across every survey that asks them, with Wilson intervals and the agency's minimum respected.

Aggregated in the database (one grouped query per survey and driver), so it does not load responses.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.db.models.functions import TruncQuarter

from touchstone.catalog.models import Service
from touchstone.core.fiscal import FiscalQuarter, fiscal_quarter
from touchstone.stats.proportions import Proportion, wilson_interval
from touchstone.surveys.models import Response, Survey

A11_DRIVERS = ["satisfaction", "trust", "effectiveness", "ease", "efficiency", "equity", "employee"]


@dataclass
class DriverTrend:
    measure: str
    by_quarter: dict[FiscalQuarter, Proportion] = field(default_factory=dict)


@dataclass
class ServiceAcrossSurveys:
    service: Service
    surveys: list[tuple[Survey, int]]  # survey, complete answers
    quarters: list[FiscalQuarter]
    drivers: list[DriverTrend]
    minimum: int

    def shown(self, proportion: Proportion | None) -> Proportion | None:
        """None where the figure rests on fewer answers than the minimum."""
        return proportion if proportion is not None and proportion.n >= self.minimum else None


def service_across_surveys(service: Service) -> ServiceAcrossSurveys:
    surveys = list(
        Survey.objects.filter(agency_id=service.agency_id, audience=Survey.Audience.CUSTOMERS)
        .filter(Q(service=service) | Q(responses__service=service))
        .distinct()
        .select_related("current_version")
    )
    counts: dict[tuple[str, FiscalQuarter], list[int]] = defaultdict(lambda: [0, 0])
    totals = []
    for survey in surveys:
        responses = Response.objects.filter(
            survey=survey, status=Response.Status.COMPLETE, is_spam=False
        ).filter(Q(service=service) | Q(service__isnull=True, survey__service=service))
        totals.append((survey, responses.count()))
        keys = {
            q["measures"]: q["key"]
            for q in (survey.current_version.questions() if survey.current_version else [])
            if q.get("measures") in A11_DRIVERS and q["kind"] in {"likert5", "stars"}
        }
        for measure, key in keys.items():
            rows = (
                responses.filter(answers__has_key=key)
                .annotate(quarter=TruncQuarter("submitted_at"))
                .values("quarter")
                .annotate(n=Count("pk"), agree=Count("pk", filter=Q(**{f"answers__{key}__gte": 4})))
            )
            for row in rows:
                tally = counts[
                    (
                        measure,
                        fiscal_quarter(
                            row["quarter"].date() if hasattr(row["quarter"], "date") else row["quarter"]
                        ),
                    )
                ]
                tally[0] += row["agree"]
                tally[1] += row["n"]
    quarters = sorted({quarter for _measure, quarter in counts})
    drivers = []
    for measure in A11_DRIVERS:
        trend = DriverTrend(measure)
        for quarter in quarters:
            agree, n = counts.get((measure, quarter), (0, 0))
            if n:
                trend.by_quarter[quarter] = wilson_interval(agree, n)
        if trend.by_quarter:
            drivers.append(trend)
    minimum = min((s.minimum_to_show for s in surveys), default=30)
    return ServiceAcrossSurveys(service, totals, quarters, drivers, minimum)

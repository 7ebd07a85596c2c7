"""An agency's complaint configuration as intake reads it: routing rules, clock policies, settings, and whether a
triage model exists. Intake is hot, so the configuration is held per worker for a short while and forgotten the
moment any of it is saved (model signals, connected in apps.py); a change made by a bulk update elsewhere is seen
within the memo's time."""

from dataclasses import dataclass
from typing import Any

from touchstone.complaints.models import ComplaintSettings, RoutingRule, ServiceLevelPolicy, TriageModel
from touchstone.core.models import Agency
from touchstone.core.ttl import TimedMemo

CONFIG_MEMO = TimedMemo(seconds=30)


@dataclass(frozen=True)
class IntakeConfig:
    rules: list[RoutingRule]
    policies: list[ServiceLevelPolicy]
    settings: ComplaintSettings
    triage_model_id: int | None


def intake_config(agency: Agency) -> IntakeConfig:
    def load() -> IntakeConfig:
        return IntakeConfig(
            rules=list(RoutingRule.objects.filter(agency=agency).order_by("position", "pk")),
            policies=list(ServiceLevelPolicy.objects.filter(agency=agency)),
            settings=ComplaintSettings.of(agency),
            triage_model_id=TriageModel.objects.filter(agency=agency).values_list("pk", flat=True).first(),
        )

    return CONFIG_MEMO.get(agency.pk, load)  # type: ignore[no-any-return]


def forget(**kwargs: Any) -> None:
    CONFIG_MEMO.clear()


WATCHED = (RoutingRule, ServiceLevelPolicy, ComplaintSettings, TriageModel)

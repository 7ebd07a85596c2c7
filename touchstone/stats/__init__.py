"""Survey statistics for Touchstone: numbers in, dataclasses out, checked against R's `survey` package.

No Django here: every function takes arrays or plain values and returns numbers or frozen dataclasses, so the
estimates can be tested against R alone.
"""

from touchstone.stats.aapor import Dispositions, OutcomeRates, outcome_rates
from touchstone.stats.calibration import (
    Margin,
    RakingResult,
    TrimResult,
    effective_sample_size,
    kish_design_effect,
    poststratify,
    poststratify_weights,
    rake,
    rake_weights,
    trim_weights,
)
from touchstone.stats.compare import (
    Comparison,
    adjust_p_values,
    compare_estimates,
    compare_means,
    compare_proportions,
)
from touchstone.stats.design import Estimate, SurveyDesign
from touchstone.stats.drivers import (
    DriverImportance,
    DriverWeight,
    ImportancePerformance,
    QuadrantItem,
    ServqualGaps,
    importance_performance,
    relative_weights,
    servqual_gaps,
    shapley_r_squared,
)
from touchstone.stats.estimate_cli import EstimateInputError, add_estimate_arguments, run_estimate
from touchstone.stats.proportions import (
    NetPromoterScore,
    Proportion,
    a11_driver_percentages,
    acsi_index,
    net_promoter_score,
    top_box,
    wilson_interval,
)
from touchstone.stats.replicates import ReplicateDesign, as_replicate_design
from touchstone.stats.spc import (
    BurnRateAlert,
    ChartPoint,
    PChart,
    XmRChart,
    attribute_chart,
    burn_rate,
    burn_rate_alerts,
    error_budget,
    laney_p_chart,
    p_chart,
    western_electric_flags,
    xmr_chart,
)
from touchstone.stats.themes import Theme, find_themes

__all__ = [
    "BurnRateAlert",
    "ChartPoint",
    "Comparison",
    "Dispositions",
    "DriverImportance",
    "DriverWeight",
    "Estimate",
    "EstimateInputError",
    "ImportancePerformance",
    "Margin",
    "NetPromoterScore",
    "OutcomeRates",
    "PChart",
    "Proportion",
    "QuadrantItem",
    "RakingResult",
    "ReplicateDesign",
    "ServqualGaps",
    "SurveyDesign",
    "Theme",
    "TrimResult",
    "XmRChart",
    "a11_driver_percentages",
    "acsi_index",
    "add_estimate_arguments",
    "adjust_p_values",
    "as_replicate_design",
    "burn_rate",
    "burn_rate_alerts",
    "compare_estimates",
    "compare_means",
    "compare_proportions",
    "effective_sample_size",
    "error_budget",
    "find_themes",
    "importance_performance",
    "kish_design_effect",
    "net_promoter_score",
    "outcome_rates",
    "p_chart",
    "laney_p_chart",
    "attribute_chart",
    "poststratify",
    "poststratify_weights",
    "rake",
    "rake_weights",
    "relative_weights",
    "run_estimate",
    "servqual_gaps",
    "shapley_r_squared",
    "top_box",
    "trim_weights",
    "western_electric_flags",
    "wilson_interval",
    "xmr_chart",
]

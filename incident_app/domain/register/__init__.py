"""The breach register: one row per incident, what happened after it was logged (outcomes), and the
figures a regulator and management ask for (metrics)."""

from typing import TYPE_CHECKING

from incident_app.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from incident_app.domain.register.metrics import (
        DurationSummary,
        RegisterMetrics,
        compute_metrics,
        metric_row,
        metrics_to_dict,
    )
    from incident_app.domain.register.outcomes import Milestone, MilestoneKind, ObligationOutcome
    from incident_app.domain.register.rows import (
        COLUMN_KEYS,
        REGISTER_COLUMNS,
        TIME_KEYS,
        RegisterInputs,
        register_record,
        register_totals,
    )

__all__ = [
    "COLUMN_KEYS",
    "REGISTER_COLUMNS",
    "TIME_KEYS",
    "DurationSummary",
    "Milestone",
    "MilestoneKind",
    "ObligationOutcome",
    "RegisterInputs",
    "RegisterMetrics",
    "compute_metrics",
    "metric_row",
    "metrics_to_dict",
    "register_record",
    "register_totals",
]
__getattr__ = lazy_exports(
    __name__,
    {
        "metrics": ["DurationSummary", "RegisterMetrics", "compute_metrics", "metric_row", "metrics_to_dict"],
        "outcomes": ["Milestone", "MilestoneKind", "ObligationOutcome"],
        "rows": ["COLUMN_KEYS", "REGISTER_COLUMNS", "TIME_KEYS", "RegisterInputs", "register_record",
                 "register_totals"],
    },
)

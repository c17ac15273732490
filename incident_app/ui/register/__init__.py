"""The register on the home screen: its table model, filters, export and the metrics panel."""

from typing import TYPE_CHECKING

from incident_app.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from incident_app.ui.register.export import ask_and_export
    from incident_app.ui.register.filters import RegisterFilterBar, RegisterFilterProxy
    from incident_app.ui.register.metrics_panel import MetricsPanel
    from incident_app.ui.register.model import RegisterModel

__all__ = [
    "MetricsPanel",
    "RegisterFilterBar",
    "RegisterFilterProxy",
    "RegisterModel",
    "ask_and_export",
]
__getattr__ = lazy_exports(
    __name__,
    {
        "export": ["ask_and_export"],
        "filters": ["RegisterFilterBar", "RegisterFilterProxy"],
        "metrics_panel": ["MetricsPanel"],
        "model": ["RegisterModel"],
    },
)

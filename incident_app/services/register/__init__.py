"""The breach register: its rows (assessed in batches), where its figures come from, and its export
as CSV, XLSX or JSON."""

from typing import TYPE_CHECKING

from incident_app.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from incident_app.services.register.export import (
        RegisterFormat,
        export_register,
        format_from_path,
    )
    from incident_app.services.register.metrics import register_metrics
    from incident_app.services.register.view import RegisterRow, register_details, register_rows

__all__ = [
    "RegisterFormat",
    "RegisterRow",
    "export_register",
    "format_from_path",
    "register_details",
    "register_metrics",
    "register_rows",
]
__getattr__ = lazy_exports(
    __name__,
    {
        "export": ["RegisterFormat", "export_register", "format_from_path"],
        "metrics": ["register_metrics"],
        "view": ["RegisterRow", "register_details", "register_rows"],
    },
)

"""Building blocks every screen shares: table models, form helpers, error reporting, progress
dialogs, problem texts, fonts and the application style."""

from typing import TYPE_CHECKING

from incident_app.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from incident_app.ui.common.errors import ErrorReporter
    from incident_app.ui.common.forms import DateTimeField, FieldErrors
    from incident_app.ui.common.job_dialog import JobDialog, ask_yes_no
    from incident_app.ui.common.problems import problem_text
    from incident_app.ui.common.progress import run_with_progress
    from incident_app.ui.common.table_model import (
        ALERT_COLOR,
        Column,
        Index,
        RecordRole,
        RecordTableModel,
        RowListModel,
        SortRole,
        TranslatedTableModel,
        record_table,
    )

__all__ = [
    "ALERT_COLOR",
    "Column",
    "DateTimeField",
    "ErrorReporter",
    "FieldErrors",
    "Index",
    "JobDialog",
    "RecordRole",
    "RecordTableModel",
    "RowListModel",
    "SortRole",
    "TranslatedTableModel",
    "ask_yes_no",
    "problem_text",
    "record_table",
    "run_with_progress",
]
__getattr__ = lazy_exports(
    __name__,
    {
        "errors": ["ErrorReporter"],
        "forms": ["DateTimeField", "FieldErrors"],
        "job_dialog": ["JobDialog", "ask_yes_no"],
        "problems": ["problem_text"],
        "progress": ["run_with_progress"],
        "table_model": ["RecordRole", "SortRole",
            "ALERT_COLOR",
            "Column",
            "Index",
            "RecordTableModel",
            "RowListModel",
            "TranslatedTableModel",
            "record_table",
        ],
    },
)

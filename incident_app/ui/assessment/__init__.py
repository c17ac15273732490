"""The Assessment tab: ENISA factors, the CAC grade with the officer's judgement, obligations with
live deadline clocks."""

from typing import TYPE_CHECKING

from incident_app.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from incident_app.ui.assessment.deadline_clocks import DeadlineClockList
    from incident_app.ui.assessment.tab import AssessmentTab

__all__ = ["AssessmentTab", "DeadlineClockList"]
__getattr__ = lazy_exports(__name__, {"deadline_clocks": ["DeadlineClockList"], "tab": ["AssessmentTab"]})

"""Assessing an incident: compute the assessment from its facts, profile, decisions and people, and
the stable ``assess`` JSON."""

from typing import TYPE_CHECKING

from incident_app.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from incident_app.services.assessment.service import AssessmentService

__all__ = ["AssessmentService"]
__getattr__ = lazy_exports(__name__, {"service": ["AssessmentService"]})

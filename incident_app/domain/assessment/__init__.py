"""The assessment engine: ENISA severity (severity.py), the CAC grade (grading.py), obligations
(obligations.py, applicability.py) and their deadline clocks (deadlines.py), put together by
engine.py. Pure domain code: the rule tables come in as parsed arguments."""

from incident_app.domain.assessment.engine import Assessment, AssessmentInput, AssessmentRules, assess

__all__ = ["Assessment", "AssessmentInput", "AssessmentRules", "assess"]

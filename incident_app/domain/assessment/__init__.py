"""The assessment engine: ENISA severity (severity.py, its rule tables in enisa_rules.py), the CAC
grade (grading.py), obligations (obligations.py, applicability.py), their deadline clocks
(deadlines.py), the people counts they read (people.py) and the e-mail delivery rule
(delivery.py), put together by engine.py; common.py holds the confidence marks and rule-file
checks they share. Pure domain code: the rule tables come in as parsed arguments."""

from incident_app.domain.assessment.engine import Assessment, AssessmentInput, AssessmentRules, assess

__all__ = ["Assessment", "AssessmentInput", "AssessmentRules", "assess"]

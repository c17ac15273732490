"""The assessment engine: ENISA severity (severity.py, its rule tables in enisa_rules.py), the CAC
grade (grading.py), obligations (obligations.py, applicability.py), their deadline clocks
(deadlines.py), the people counts they read (people.py) and the e-mail delivery rule
(delivery.py), put together by engine.py; common.py holds the confidence marks and rule-file
checks they share. Pure domain code: the rule tables come in as parsed arguments."""

from typing import TYPE_CHECKING

from incident_app.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from incident_app.domain.assessment.engine import Assessment, AssessmentInput, AssessmentRules, assess

__all__ = ["Assessment", "AssessmentInput", "AssessmentRules", "assess"]
# Lazy: a module that needs one table (storage reads the ENISA inputs' enums) does not load the
# whole engine with it (the register's helper process serves kept figures without assessing).
__getattr__ = lazy_exports(__name__, {"engine": ["Assessment", "AssessmentInput", "AssessmentRules", "assess"]})

"""New incident: the intake wizard, its pages and forms (shared with the edit-facts dialog) and the
data-type picker."""

from typing import TYPE_CHECKING

from incident_app.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from incident_app.ui.intake.data_type_picker import DataTypePicker
    from incident_app.ui.intake.forms import CountsForm, WhatHappenedForm
    from incident_app.ui.intake.wizard import IntakeWizard

__all__ = ["CountsForm", "DataTypePicker", "IntakeWizard", "WhatHappenedForm"]
__getattr__ = lazy_exports(
    __name__,
    {"data_type_picker": ["DataTypePicker"], "forms": ["CountsForm", "WhatHappenedForm"], "wizard": ["IntakeWizard"]},
)

"""The People tab: counts, filters by age band and channel, a masked table paged over SQL, the
import dialog and the dialog that corrects one person's contacts."""

from typing import TYPE_CHECKING

from incident_app.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from incident_app.ui.people.tab import PeopleTab

__all__ = ["PeopleTab"]
__getattr__ = lazy_exports(__name__, {"tab": ["PeopleTab"]})

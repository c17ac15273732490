"""The People tab: counts, a masked table paged over SQL, and the import dialog."""

from typing import TYPE_CHECKING

from incident_app.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from incident_app.ui.people.tab import PeopleTab

__all__ = ["PeopleTab"]
__getattr__ = lazy_exports(__name__, {"tab": ["PeopleTab"]})

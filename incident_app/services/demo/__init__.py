"""The demo incident a newcomer loads to see every screen filled: facts, remediation, decisions and a
generated list of affected people (never real personal data)."""

from typing import TYPE_CHECKING

from incident_app.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from incident_app.services.demo.incident import load_demo

__all__ = ["load_demo"]
__getattr__ = lazy_exports(__name__, {"incident": ["load_demo"]})

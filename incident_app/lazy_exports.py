"""Package exports that load their module on first use (PEP 562).

Each capability package's ``__init__`` names its public functions and classes and where they
live. Loading them lazily keeps the import order exactly what the callers' own imports ask for, so
naming a package's public face never creates an import cycle between capabilities."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any


def lazy_exports(package: str, modules: Mapping[str, Sequence[str]]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: ``modules`` maps a submodule name to the public
    names it defines; each name is imported from its submodule the first time it is asked for."""
    where = {name: f"{package}.{module}" for module, names in modules.items() for name in names}

    def attribute(name: str) -> Any:
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(where[name]), name)

    return attribute

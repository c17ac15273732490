"""Package exports that load their module on first use (PEP 562).

Each capability package's ``__init__`` names its public functions and classes and where they
live. Loading them lazily keeps the import order exactly what the callers' own imports ask for, so
naming a package's public face never creates an import cycle between capabilities."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from types import ModuleType
from typing import Any


class _LazyAttribute:
    """The ``__getattr__`` of one package: knows which submodule defines each public name."""

    def __init__(self, package: str, where: dict[str, str]) -> None:
        self.package = package
        self.where = where

    def __call__(self, name: str) -> Any:
        if name not in self.where:
            raise AttributeError(f"module {self.package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(self.where[name]), name)


def lazy_exports(package: str, modules: Mapping[str, Sequence[str]]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: ``modules`` maps a submodule name to the public
    names it defines; each name is imported from its submodule the first time it is asked for."""
    return _LazyAttribute(package, {name: f"{package}.{module}" for module, names in modules.items() for name in names})


def lazy_source(module: ModuleType, name: str) -> str | None:
    """The submodule that defines ``module``'s lazily exported ``name``, or None when ``name`` is
    not one (the GUI's import warm-up imports it before the modules that ask for the name)."""
    attribute = module.__dict__.get("__getattr__")
    if isinstance(attribute, _LazyAttribute):
        return attribute.where.get(name)
    return None

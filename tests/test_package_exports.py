"""Every capability package names its public face three times — the names mypy sees (the
``TYPE_CHECKING`` imports), ``__all__`` and the lazy map the runtime uses — and the three must
agree; every exported name must load, and be the very object its module defines."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "incident_app"
INITS = sorted(p for p in PACKAGE.glob("*/*/__init__.py") if "lazy_exports" in p.read_text(encoding="utf-8"))


def _declared(init: Path) -> tuple[dict[str, str], list[str], dict[str, str]]:
    tree = ast.parse(init.read_text(encoding="utf-8"))
    typed: dict[str, str] = {}
    exported: list[str] = []
    lazy: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If):  # if TYPE_CHECKING:
            for imp in node.body:
                assert isinstance(imp, ast.ImportFrom) and imp.module
                typed.update({a.name: imp.module.rsplit(".", 1)[1] for a in imp.names})
        elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            if node.targets[0].id == "__all__":
                exported = ast.literal_eval(node.value)
            elif node.targets[0].id == "__getattr__":
                assert isinstance(node.value, ast.Call)
                mapping = ast.literal_eval(node.value.args[1])
                lazy = {name: module for module, names in mapping.items() for name in names}
    return typed, exported, lazy


def test_there_are_capability_packages() -> None:
    assert len(INITS) >= 20


@pytest.mark.parametrize("init", INITS, ids=lambda p: ".".join(p.parent.relative_to(PACKAGE.parent).parts))
def test_the_three_lists_agree(init: Path) -> None:
    typed, exported, lazy = _declared(init)
    assert set(typed) == set(exported) == set(lazy)
    assert typed == lazy  # each name comes from the same module in both


@pytest.mark.parametrize("init", [p for p in INITS if "/ui/" not in p.as_posix()],
                         ids=lambda p: ".".join(p.parent.relative_to(PACKAGE.parent).parts))
def test_every_export_loads(init: Path) -> None:
    name = ".".join(init.parent.relative_to(PACKAGE.parent).parts)
    package = importlib.import_module(name)
    _, exported, lazy = _declared(init)
    for export in exported:
        module = importlib.import_module(f"{name}.{lazy[export]}")
        assert getattr(package, export) is getattr(module, export)
    with pytest.raises(AttributeError):
        _ = package.no_such_name

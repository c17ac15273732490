"""Import, while the window is idle, what the next window will need — one module at a time.

The first incident workspace opened imports about 190 modules (its tabs, the notice, mail and
enquiry services, Jinja2, asyncio, email): 0.3 s with the UI thread blocked, a frozen window
right after the officer's double-click (bench/gui_stalls.py). Importing them in a worker thread
would hand the GIL back and forth with the UI thread on every Qt callback; importing them in one
go while the register is idle would be the same freeze, only earlier. So the warm-up walks the
import graph itself — each module's top-level imports, read from its source with ``ast`` — and
imports the modules dependencies first, one per timer tick, each tick kept to a few milliseconds
of work, with the event loop free between ticks. Opening the workspace then only builds widgets.

What the walk cannot see (an import inside a function, a name a package exports lazily and its
submodule asks for) is imported with the module that asks for it, as it would be without the
warm-up; a module that fails to import is left to fail where it is really used."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import logging
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from incident_app.lazy_exports import lazy_source

log = logging.getLogger(__name__)

TICK_BUDGET_S = 0.008  # work done per tick before the event loop runs again


def _parent(name: str) -> str | None:
    return name.rpartition(".")[0] or None


def _is_type_checking(test: ast.expr) -> bool:
    """``if TYPE_CHECKING:`` / ``if typing.TYPE_CHECKING:`` — imports that never run."""
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _run_at_import(body: Sequence[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements of a module body that run when it is imported (not function bodies, not
    ``if TYPE_CHECKING`` blocks), blocks of ``if``/``try``/``with`` included."""
    for statement in body:
        if isinstance(statement, ast.If):
            if not _is_type_checking(statement.test):
                yield from _run_at_import(statement.body)
            yield from _run_at_import(statement.orelse)
        elif isinstance(statement, ast.Try):
            for block in (statement.body, statement.orelse, statement.finalbody):
                yield from _run_at_import(block)
            for handler in statement.handlers:
                yield from _run_at_import(handler.body)
        elif isinstance(statement, ast.With):
            yield from _run_at_import(statement.body)
        else:
            yield statement


def top_level_imports(source: str, module: str, is_package: bool) -> list[str]:
    """The modules ``source`` (the text of ``module``) imports when it is imported, in order.
    ``from pkg import name`` gives ``pkg`` and then ``pkg.name`` (a submodule, or a name the
    caller resolves or drops once ``pkg`` is imported)."""
    package = module if is_package else (_parent(module) or "")
    found: list[str] = []
    for statement in _run_at_import(ast.parse(source).body):
        if isinstance(statement, ast.Import):
            found.extend(alias.name for alias in statement.names)
        elif isinstance(statement, ast.ImportFrom):
            relative = "." * statement.level + (statement.module or "")
            try:
                base = importlib.util.resolve_name(relative, package) if statement.level else relative
            except ImportError:
                continue
            found.append(base)
            found.extend(f"{base}.{alias.name}" for alias in statement.names if alias.name != "*")
    return found


class ImportWarmUp(QObject):
    """Imports ``roots`` and what they import, a module per tick, while the event loop runs."""

    finished = Signal()

    def __init__(self, roots: Iterable[str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._roots = tuple(roots)
        self._stack: list[str] = list(reversed(self._roots))
        self._waiting: list[Callable[[], None]] = []
        self._expanded: set[str] = set()
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._tick)
        self._delay = QTimer(self)  # a child: gone with the window, never fires on a deleted one
        self._delay.setSingleShot(True)
        self._delay.timeout.connect(self.start)
        self.imported = 0  # modules this warm-up imported (the tests read it)

    def start_after(self, milliseconds: int) -> None:
        """Begin in ``milliseconds`` (let what the window just showed settle first)."""
        if self._stack and not self._timer.isActive() and not self._delay.isActive():
            self._delay.start(milliseconds)

    def start(self) -> None:
        """Begin (again) importing, a tick at a time; idempotent."""
        if self._stack and not self._timer.isActive():
            self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def is_done(self) -> bool:
        """Whether every root is imported (by this warm-up or by anything else)."""
        if self._stack and all(root in sys.modules for root in self._roots):
            self._finish()
        return not self._stack

    def drop_waiting(self) -> int:
        """Stop, and forget the callbacks waiting for the end (the window is going away);
        returns how many there were."""
        self.stop()
        self._delay.stop()
        dropped, self._waiting = len(self._waiting), []
        return dropped

    def when_done(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` once every root is imported: now when they are, else after the
        remaining ticks, started now (the officer is waiting for what needs them)."""
        if self.is_done():
            callback()
            return
        self._waiting.append(callback)
        self._delay.stop()
        self.start()

    def run_to_end(self) -> None:
        """Every remaining step now, without the event loop (for tests)."""
        while self._stack:
            self._step()

    def _tick(self) -> None:
        deadline = time.perf_counter() + TICK_BUDGET_S
        try:
            while self._stack and time.perf_counter() < deadline:
                self._step()
        except Exception:  # a warm-up never stops the app: the real import will say what failed
            log.debug("import warm-up stopped", exc_info=True)
            self._stack.clear()
        if not self._stack:
            self._finish()

    def _finish(self) -> None:
        self._stack.clear()
        self._timer.stop()
        self._delay.stop()
        self.finished.emit()
        waiting, self._waiting = self._waiting, []
        for callback in waiting:
            callback()

    def _step(self) -> None:
        """One unit of work: drop a module already imported, read one module's imports, or
        import one module whose imports are all in."""
        name = self._stack[-1]
        if name in sys.modules:
            self._stack.pop()
            return
        parent = _parent(name)
        if parent is not None and parent not in sys.modules:
            if parent in self._expanded:
                # The package waits below for what its __init__ imports (or could not be
                # imported): its submodule comes in with it, not before.
                self._stack.pop()
                self._expanded.add(name)
            else:
                self._stack.append(parent)
            return
        if parent is not None and not hasattr(sys.modules[parent], "__path__") and name not in self._expanded:
            self._stack.pop()  # ``from module import name`` of a plain module: an attribute, not a module
            self._expanded.add(name)
            return
        if name not in self._expanded:
            self._expanded.add(name)
            self._expand(name)
            return
        self._stack.pop()
        try:
            importlib.import_module(name)
            self.imported += 1
        except Exception:  # left to fail where it is really used
            log.debug("warm-up could not import %s", name, exc_info=True)

    def _expand(self, name: str) -> None:
        """Put ``name``'s own imports above it on the stack (first import on top)."""
        spec = self._spec(name)
        if spec is None:
            self._stack.pop()
            resolved = self._lazy_target(name)
            if resolved is not None and resolved not in sys.modules and resolved not in self._expanded:
                self._stack.append(resolved)
            return
        origin = spec.origin
        if origin is None or not origin.endswith(".py"):
            return  # built-in or compiled: nothing to read, imported as it is
        try:
            source = Path(origin).read_text(encoding="utf-8")
            wanted = top_level_imports(source, name, spec.submodule_search_locations is not None)
        except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
            return
        pending = [m for m in wanted if m not in sys.modules and m not in self._expanded and m != name]
        self._stack.extend(reversed(pending))

    @staticmethod
    def _spec(name: str) -> importlib.machinery.ModuleSpec | None:
        try:
            return importlib.util.find_spec(name)
        except (ImportError, ValueError, AttributeError):
            return None

    @staticmethod
    def _lazy_target(name: str) -> str | None:
        """``pkg.Name`` where ``pkg`` exports ``Name`` lazily: the submodule that defines it."""
        parent = _parent(name)
        module = sys.modules.get(parent) if parent else None
        return lazy_source(module, name.rpartition(".")[2]) if module is not None else None

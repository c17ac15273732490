"""Reading and normalising an affected-people file in batches — on this thread for small files,
in a helper process for large ones.

Normalising a row (parsing, email/phone/date checks, channel) costs about as much CPU as
deduplicating and storing it, and the machine has more than one core: for a large file a helper
process reads and normalises batch N+1 while this one merges and writes batch N. Both paths run
the same :func:`normalised_batches`, so they produce the same rows, reports and counts. The pipe
between them holds about one batch, which bounds memory; killing the helper is how a cancel or
failure stops it."""

from __future__ import annotations

import itertools
import marshal
import os
import pickle
import struct
import subprocess
import sys
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from incident_app.domain.errors import FieldProblem, ValidationError
from incident_app.domain.people import ColumnMapping
from incident_app.services.people.files import READ_ERRORS, TableSource, open_table
from incident_app.services.people.helper_entry import helper_command
from incident_app.services.people.rows import RowBuilder
from incident_app.services.resources import load_catalog

BATCH_ROWS = 5000
PARALLEL_MIN_ROWS = 20_000  # below this, starting a process costs more than it saves
ReportLine = tuple[int, str, str, str]


@dataclass
class Batch:
    """Normalised rows (tuples in ROW_COLUMNS order, id 0) of up to BATCH_ROWS file rows, the
    report lines about them in row order, and counts (``fields_dropped``/``warnings`` are
    running totals)."""

    rows: list[tuple[Any, ...]] = field(default_factory=list)
    problems: list[ReportLine] = field(default_factory=list)
    read: int = 0
    rejected: int = 0
    position: int = 0
    fields_dropped: int = 0
    warnings: int = 0


@dataclass(frozen=True)
class NormaliseSpec:
    """Everything a helper process needs to rebuild the RowBuilder (picklable)."""

    path: str
    headers: tuple[str, ...]
    fields: tuple[str | None, ...]
    incident_id: int
    cutoffs: tuple[str, str]
    today: str

    def builder(self, report: Any) -> RowBuilder:
        return RowBuilder(ColumnMapping(self.headers, self.fields), load_catalog(), incident_id=self.incident_id,
                          cutoffs=self.cutoffs, today=date.fromisoformat(self.today), report=report)


def normalised_batches(spec: NormaliseSpec, source: TableSource, first: tuple[int, list[str]]) -> Iterator[Batch]:
    """Batches of the file's data rows from ``first`` on (blank rows skipped, numbered as a
    spreadsheet numbers them)."""
    batch = Batch()
    builder = spec.builder(lambda row, fld, value, reason: batch.problems.append((row, fld, value or "", reason)))
    build = builder.build
    number = first[0] - 1
    try:
        for cells in itertools.chain((first[1],), source.records()):
            number += 1
            if not any(cells):
                continue
            if batch.read == BATCH_ROWS:
                _close(batch, builder, source)
                yield batch
                batch = Batch()
            batch.read += 1
            row = build(number, cells)
            if row is None:
                batch.rejected += 1
            else:
                batch.rows.append(tuple(row))
    except READ_ERRORS as exc:
        raise source.explain(exc, number + 1) from None
    _close(batch, builder, source)
    yield batch


def _close(batch: Batch, builder: RowBuilder, source: TableSource) -> None:
    batch.position = source.position()
    batch.fields_dropped, batch.warnings = builder.fields_dropped, builder.warnings


# -- the helper process --------------------------------------------------------------------
# The helper is "python -m incident_app.services.people.batches", not multiprocessing: a spawned
# multiprocessing child re-runs the caller's main script, which breaks any script without a
# __main__ guard. Messages are length-prefixed marshal dumps of plain tuples (str, int) on the
# helper's stdout: dumping a batch costs a third of pickling it, reading it back a little less.
_FRAME = struct.Struct("!Q")


class WorkerBatches:
    """Iterate the batches a helper process produces; :meth:`close` stops it."""

    def __init__(self, spec: NormaliseSpec) -> None:
        env = dict(os.environ)
        root = str(Path(__file__).resolve().parents[3])  # the folder holding incident_app
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
        self._process = subprocess.Popen(  # noqa: S603 - our own interpreter or app, no user input
            helper_command(),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
        )
        assert self._process.stdin is not None and self._process.stdout is not None
        self._out = self._process.stdout
        self._process.stdin.write(pickle.dumps(spec))
        self._process.stdin.close()

    def __iter__(self) -> Iterator[Batch]:
        while True:
            message = self._receive()
            if message[0] == "batch":
                yield Batch(*message[1:])
            elif message[0] == "end":
                return
            elif message[0] == "invalid":
                raise ValidationError([FieldProblem(*p) for p in message[1]])
            else:
                raise RuntimeError(f"the import helper process failed: {message[1]}\n{message[2]}")

    def _receive(self) -> tuple[Any, ...]:
        header = self._out.read(_FRAME.size)
        if len(header) < _FRAME.size:
            raise RuntimeError(f"the import helper process stopped unexpectedly (exit code {self._process.poll()})")
        # Only our own helper process writes to this pipe.
        return marshal.loads(self._out.read(_FRAME.unpack(header)[0]))  # type: ignore[no-any-return]  # noqa: S302

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait(timeout=10)
        self._out.close()


def serve() -> None:
    """Helper process: read the spec on stdin, send each batch on stdout; errors are sent, not
    raised. Stray prints go to stderr so they cannot corrupt the frames."""
    channel = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    spec = pickle.loads(sys.stdin.buffer.read())  # noqa: S301 - written by the importing process
    try:
        for batch in _batches(spec):
            _send(channel, ("batch", batch.rows, batch.problems, batch.read, batch.rejected, batch.position,
                            batch.fields_dropped, batch.warnings))
        _send(channel, ("end",))
    except ValidationError as exc:
        _send(channel, ("invalid", [(p.field, p.message, p.row) for p in exc.problems]))
    except BaseException as exc:  # noqa: BLE001 - every failure must reach the importing process
        _send(channel, ("crash", repr(exc), traceback.format_exc()))
    finally:
        channel.close()


def _batches(spec: NormaliseSpec) -> Iterator[Batch]:
    with open_table(Path(spec.path)) as source:
        first = next(source.rows(), None)
        if first is not None:
            yield from normalised_batches(spec, source, first)


def _send(channel: Any, message: tuple[Any, ...]) -> None:
    payload = marshal.dumps(message, 4)
    channel.write(_FRAME.pack(len(payload)))
    channel.write(payload)


if __name__ == "__main__":
    # Run as a module: import ourselves properly so pickled classes name the real module.
    from incident_app.services.people import batches as people_batches

    people_batches.serve()

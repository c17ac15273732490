"""Reading and normalising an affected-people file in batches — on this thread for small files,
in a helper process for large ones.

Normalising a row (parsing, email/phone/date checks, channel) costs about as much CPU as
deduplicating and storing it, and the machine has more than one core: for a large file a
spawned process reads and normalises batch N+1 while this one merges and writes batch N. Both
paths run the same :func:`normalised_batches`, so they produce the same rows, reports and counts.
The pipe between them holds about one batch, which bounds memory; killing the helper is how a
cancel or failure stops it."""

from __future__ import annotations

import csv
import itertools
import multiprocessing
import pickle
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from incident_app.domain.errors import FieldProblem, ValidationError
from incident_app.domain.people_columns import ColumnMapping
from incident_app.services.people_files import TableSource, open_table
from incident_app.services.people_rows import RowBuilder
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
    cutoff: str
    today: str

    def builder(self, report: Any) -> RowBuilder:
        return RowBuilder(ColumnMapping(self.headers, self.fields), load_catalog(), incident_id=self.incident_id,
                          cutoff=self.cutoff, today=date.fromisoformat(self.today), report=report)


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
    except (UnicodeDecodeError, csv.Error) as exc:
        raise source.explain(exc, number + 1) from None
    _close(batch, builder, source)
    yield batch


def _close(batch: Batch, builder: RowBuilder, source: TableSource) -> None:
    batch.position = source.position()
    batch.fields_dropped, batch.warnings = builder.fields_dropped, builder.warnings


# -- the helper process --------------------------------------------------------------------
class WorkerBatches:
    """Iterate the batches a spawned helper process produces; :meth:`close` stops it."""

    def __init__(self, spec: NormaliseSpec) -> None:
        context = multiprocessing.get_context("spawn")  # never fork a process that runs Qt threads
        self._receive, send = context.Pipe(duplex=False)
        self._process = context.Process(target=_work, args=(send, spec), name="people-import", daemon=True)
        self._process.start()
        send.close()

    def __iter__(self) -> Iterator[Batch]:
        while True:
            try:
                # Only our own helper process writes to this pipe (an anonymous OS pipe).
                message = pickle.loads(self._receive.recv_bytes())  # noqa: S301
            except EOFError:
                raise RuntimeError("the import helper process stopped unexpectedly") from None
            if isinstance(message, Batch):
                yield message
            elif message[0] == "end":
                return
            elif message[0] == "invalid":
                raise ValidationError([FieldProblem(*p) for p in message[1]])
            else:
                raise RuntimeError(f"the import helper process failed: {message[1]}\n{message[2]}")

    def close(self) -> None:
        if self._process.is_alive():
            self._process.kill()
        self._process.join(timeout=10)
        self._receive.close()


def _work(send: Connection, spec: NormaliseSpec) -> None:
    """Helper process: normalise the file and send each batch; errors are sent, not raised."""
    try:
        with open_table(Path(spec.path)) as source:
            first = next(source.rows(), None)
            if first is not None:
                for batch in normalised_batches(spec, source, first):
                    send.send_bytes(pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL))
        send.send_bytes(pickle.dumps(("end",)))
    except ValidationError as exc:
        send.send_bytes(pickle.dumps(("invalid", [(p.field, p.message, p.row) for p in exc.problems])))
    except BaseException as exc:  # noqa: BLE001 - every failure must reach the importing process
        send.send_bytes(pickle.dumps(("crash", repr(exc), traceback.format_exc())))
    finally:
        send.close()

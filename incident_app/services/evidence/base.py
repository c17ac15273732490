"""What every evidence-pack section gets and gives (services/evidence/pack.py builds the pack): the
request, the ``(name, content)`` files a section returns — the bytes, or :class:`Streamed` for a
file too large to hold in memory (the send ledger of 10,000,000 recipients), whose chunks go into
the ZIP on disk as they are made — and readable stable JSON for them."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from incident_app.services.container import Services
from incident_app.services.notices import PdfWriter
from incident_app.services.progress import Progress


@dataclass(frozen=True)
class EvidenceRequest:
    """What a section gets: the services, which incident, whether contacts may appear unmasked,
    the PDF writer when the composition root has one, and ``notes`` a section adds for the
    manifest (e.g. why a PDF is missing); ``progress`` (optional) is checked between chunks of a
    streamed file, so Cancel stops a long pack (which then leaves no file)."""

    services: Services
    incident_id: int
    unmask: bool
    generated_at: datetime
    pdf_writer: PdfWriter | None = None
    notes: list[str] = field(default_factory=list)
    progress: Progress | None = None

    def check(self) -> None:
        """Raise Cancelled if the officer cancelled the pack."""
        if self.progress is not None:
            self.progress.check()


@dataclass(frozen=True)
class Streamed:
    """A pack file made chunk by chunk when the pack is written: ``chunks()`` yields its bytes
    (a few hundred kilobytes each, so the ZIP's compressor gets work in useful sizes)."""

    chunks: Callable[[], Iterable[bytes]]

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.chunks())


EvidenceContent = bytes | Streamed
EvidenceFile = tuple[str, EvidenceContent]
EvidenceSection = Callable[[EvidenceRequest], Sequence[EvidenceFile]]


def json_bytes(value: Any) -> bytes:
    """Readable, stable JSON for a pack member."""
    return (json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n").encode("utf-8")


def content_bytes(content: EvidenceContent) -> bytes:
    """The whole content in memory (for a small file, or a test)."""
    return content if isinstance(content, bytes) else b"".join(content)


def json_array_chunks(items: Iterable[Any], per_chunk: int = 2000) -> Iterator[bytes]:
    """The bytes :func:`json_bytes` gives for a list of ``items``, made item by item: an element
    of a list indented 2 is the element dumped alone with every line indented 2 more (JSON
    strings never hold a raw line break), so a long list never sits in memory at once."""
    parts: list[str] = []
    first = True
    for item in items:
        text = json.dumps(item, ensure_ascii=False, indent=2, sort_keys=True, default=str)
        parts.append(("[\n  " if first else ",\n  ") + text.replace("\n", "\n  "))
        first = False
        if len(parts) >= per_chunk:
            yield "".join(parts).encode("utf-8")
            parts.clear()
    parts.append("[]\n" if first else "\n]\n")
    yield "".join(parts).encode("utf-8")

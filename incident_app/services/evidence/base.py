"""What every evidence-pack section gets and gives (services/evidence/pack.py builds the pack): the
request, the ``(name, bytes)`` files a section returns, and readable stable JSON for them."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from incident_app.services.container import Services
from incident_app.services.notices import PdfWriter


@dataclass(frozen=True)
class EvidenceRequest:
    """What a section gets: the services, which incident, whether contacts may appear unmasked,
    the PDF writer when the composition root has one, and ``notes`` a section adds for the
    manifest (e.g. why a PDF is missing)."""

    services: Services
    incident_id: int
    unmask: bool
    generated_at: datetime
    pdf_writer: PdfWriter | None = None
    notes: list[str] = field(default_factory=list)


EvidenceFile = tuple[str, bytes]
EvidenceSection = Callable[[EvidenceRequest], Sequence[EvidenceFile]]


def json_bytes(value: Any) -> bytes:
    """Readable, stable JSON for a pack member."""
    return (json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n").encode("utf-8")

"""The letters PDF (Qt writer) reports one step per recipient and a Cancel between two letters
leaves no letters file, not even a truncated one under its temporary name."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from incident_app.adapters.qt_pdf import QtPdfWriter
from incident_app.services.container import Services
from incident_app.services.progress import Cancelled, Progress
from tests.notice_helpers import person


def test_letters_pdf_progress_and_cancel(services: Services, intake: dict[str, object], tmp_path: Path) -> None:
    incident = services.incidents.create(intake)
    people = [replace(person(i), channel="letter") for i in range(1, 41)]  # only letter recipients get letters
    seen: list[tuple[int, int | None, str]] = []
    progress = Progress(on_change=lambda s: seen.append((s.done, s.total, s.message)), min_interval_s=0)
    _, result = services.notices.export(incident.id, tmp_path / "ok", ["pdf"], recipients=people,
                                        pdf_writer=QtPdfWriter(), progress=progress)
    letters = [d for d, _, m in seen if m == "letters"]
    assert len(letters) >= 40 and seen[-1][0] == seen[-1][1]
    assert any(p.name.startswith("letters.") for p in result.files)

    cancelling = Progress(min_interval_s=0)
    cancelling._on_change = lambda s: cancelling.cancel() if s.message == "letters" and s.done % 40 == 20 else None
    out = tmp_path / "cancelled"
    with pytest.raises(Cancelled):
        services.notices.export(incident.id, out, ["pdf"], recipients=people, pdf_writer=QtPdfWriter(),
                                progress=cancelling)
    assert not out.exists() or [p for p in out.rglob("*") if p.is_file()] == []

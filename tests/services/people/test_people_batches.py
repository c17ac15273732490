"""The helper process that reads and normalises large files."""

from __future__ import annotations

from pathlib import Path

import pytest

from incident_app.domain.errors import ValidationError
from incident_app.services.people.batches import NormaliseSpec, WorkerBatches


def test_helper_process_reports_a_problem_instead_of_dying(tmp_path: Path) -> None:
    spec = NormaliseSpec(str(tmp_path / "gone.csv"), ("user_id",), ("user_id",), 1, "2012-11-18", "2026-11-20")
    helper = WorkerBatches(spec)
    try:
        with pytest.raises(ValidationError, match=r"gone\.csv does not exist"):
            list(helper)
    finally:
        helper.close()


def test_helper_process_sends_batches_in_file_order(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("user_id,email\n" + "".join(f"U{i},bad{i}@\n" for i in range(12_001)), encoding="utf-8")
    spec = NormaliseSpec(str(path), ("user_id", "email"), ("user_id", "email"), 1, "2012-11-18", "2026-11-20")
    helper = WorkerBatches(spec)
    try:
        batches = list(helper)
    finally:
        helper.close()
    assert [b.read for b in batches] == [5000, 5000, 2001]
    assert batches[-1].fields_dropped == 12_001 and batches[-1].position == path.stat().st_size
    assert batches[1].rows[0][3] == "U5000" and batches[1].problems[0][:2] == (5002, "email")

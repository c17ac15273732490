"""A set of staged files takes its names inside the transaction of its export event: a rename
that fails half-way takes back the files already renamed, and the event rolls back with them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from incident_app.services.audit import record_export
from incident_app.services.container import Services
from incident_app.services.private_files import StagedOutputs
from tests.small_disk import files_under


def event_count(services: Services) -> int:
    return int(services.ctx.store.db.execute("SELECT count(*) FROM events").fetchone()[0])


def log_and_publish(services: Services, staged: StagedOutputs, out: Path,
                    after: Callable[[], None] = lambda: None) -> None:
    """What every export does: log it and publish its files in one transaction."""
    with staged.committing(), services.ctx.store.transaction():
        record_export(services.ctx, what="notices", where=str(out), count=1, unmasked=False)
        staged.publish()
        after()


def test_a_failed_rename_takes_back_the_files_and_the_event(services: Services, tmp_path: Path) -> None:
    out = tmp_path / "out"
    staged = StagedOutputs(services.ctx.store.path)
    for name in ("a.txt", "b.txt", "c.txt"):
        staged.write(out / name, name.encode())
    # Another program cleans the folder: b's temporary file is gone, so its rename fails after a's.
    [temp_b] = out.glob(".b.txt.*.part")
    temp_b.unlink()
    before = event_count(services)
    with pytest.raises(FileNotFoundError):
        log_and_publish(services, staged, out)
    assert files_under(out) == []  # a.txt taken back, c.txt's temporary file removed
    assert event_count(services) == before


def test_a_failed_commit_takes_back_the_published_files(services: Services, tmp_path: Path) -> None:
    out = tmp_path / "out"
    staged = StagedOutputs(services.ctx.store.path)
    staged.write(out / "a.txt", b"a")
    seen: list[str] = []

    def then_fail() -> None:
        seen.extend(files_under(out))
        raise RuntimeError("the commit failed")  # stands for a COMMIT refused by a full disk

    with pytest.raises(RuntimeError):
        log_and_publish(services, staged, out, after=then_fail)
    assert seen == ["a.txt"]
    assert files_under(out) == []


def test_a_successful_publish_keeps_the_files_and_the_event(services: Services, tmp_path: Path) -> None:
    out = tmp_path / "out"
    staged = StagedOutputs(services.ctx.store.path)
    staged.write(out / "a.txt", b"a")
    before = event_count(services)
    log_and_publish(services, staged, out)
    assert files_under(out) == ["a.txt"] and event_count(services) == before + 1

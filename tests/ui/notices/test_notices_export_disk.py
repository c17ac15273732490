"""Exporting from the Notices tab onto a full disk (a real, tiny tmpfs): a plain message in the
officer's language, no file left behind, and a retry works once there is room."""

from __future__ import annotations

from pathlib import Path

from incident_app.ui.notices.tab import NoticesTab
from tests.small_disk import files_under, small_disk
from tests.ui.notices.test_notices_tab import tab as tab  # the fixture


def test_a_full_disk_shows_a_plain_message_and_leaves_nothing(tab: NoticesTab, tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", "24k") as disk:
        tab.export_to(disk, ["html", "txt"])
        assert tab.errors.shown and "磁盘已满" in tab.errors.shown[-1] and "Errno" not in tab.errors.shown[-1]
        assert files_under(disk) == []
    tab.export_to(tmp_path / "roomy", ["html", "txt"])
    assert (tmp_path / "roomy" / "regulator_initial" / "document.zh-CN.html").exists()

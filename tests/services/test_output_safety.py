"""Output files: temp-then-rename, planted symbolic links never followed, a full disk (a real
tmpfs) leaves nothing under a final name and no export event."""

from __future__ import annotations

import errno
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from incident_app.services.container import Services, open_services
from incident_app.services.evidence import build_evidence_pack
from incident_app.services.private_files import StagedOutputs, UnsafeOutputError, write_private
from incident_app.services.register import export_register
from tests.conftest import Clock
from tests.notice_helpers import person
from tests.small_disk import files_under, small_disk


@pytest.fixture
def svc(tmp_path: Path, intake: dict[str, object]) -> Iterator[Services]:
    services = open_services(tmp_path / "db.sqlite3", clock=Clock())
    services.incidents.create(intake)
    yield services
    services.close()


def plant_link(link: Path, tmp_path: Path) -> Path:
    """A link at ``link`` to a precious file (mode 0644) outside the output folder."""
    precious = tmp_path / "precious.txt"
    precious.write_text("do not touch\n", encoding="utf-8")
    precious.chmod(0o644)
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(precious)
    return precious


def assert_untouched(precious: Path, link: Path) -> None:
    assert precious.read_text(encoding="utf-8") == "do not touch\n"
    assert stat.S_IMODE(precious.stat().st_mode) == 0o644
    assert not link.is_symlink() and link.is_file()  # the link itself was replaced
    assert stat.S_IMODE(link.stat().st_mode) == 0o600


def export_kinds(services: Services) -> list[object]:
    return [e.payload.get("what") for e in services.ctx.store.events.of_types(["export.written"])]


def test_rename_replaces_a_link_at_the_final_name(tmp_path: Path) -> None:
    link = tmp_path / "out" / "register.csv"
    precious = plant_link(link, tmp_path)
    write_private(link, b"new")
    assert_untouched(precious, link)
    assert link.read_bytes() == b"new"


def test_staged_files_wait_under_temporary_names(tmp_path: Path) -> None:
    staged = StagedOutputs()
    target = staged.write(tmp_path / "a.txt", b"a")
    assert files_under(tmp_path) == [".a.txt." + n.split(".a.txt.", 1)[1] for n in files_under(tmp_path)]
    assert not target.exists() and files_under(tmp_path)[0].endswith(".part")
    staged.publish()
    assert files_under(tmp_path) == ["a.txt"]
    staged.write(tmp_path / "b.txt", b"b")
    staged.discard()
    assert files_under(tmp_path) == ["a.txt"]


def test_notices_replace_a_planted_link_and_refuse_a_planted_folder(svc: Services, tmp_path: Path) -> None:
    out = tmp_path / "out"
    link = out / "individual" / "letter.zh-CN.html"
    precious = plant_link(link, tmp_path)
    svc.notices.export(1, out, ["html", "txt"])
    assert_untouched(precious, link)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out2 = tmp_path / "out2"
    out2.mkdir()
    (out2 / "regulator_initial").symlink_to(elsewhere)
    with pytest.raises(UnsafeOutputError, match="is a link or a file"):
        svc.notices.export(1, out2, ["html", "txt"])
    assert files_under(elsewhere) == []
    assert [f for f in files_under(out2) if not f.startswith("regulator_initial")] == []  # nothing staged stays


def test_register_and_evidence_replace_planted_links(svc: Services, tmp_path: Path) -> None:
    register = tmp_path / "out" / "register.csv"
    precious = plant_link(register, tmp_path)
    export_register(svc, register, "csv")
    assert_untouched(precious, register)
    pack = tmp_path / "out" / "pack.zip"
    pack.symlink_to(precious)
    build_evidence_pack(svc, 1, pack)
    assert_untouched(precious, pack)


def test_the_import_report_never_follows_a_link_at_its_predictable_name(svc: Services, tmp_path: Path) -> None:
    report = tmp_path / "db.sqlite3.people-import-1-20261120T120000.csv"
    target = tmp_path / "created-through-the-link.csv"
    report.symlink_to(target)  # dangling: exists() is False, so the importer picks this very name
    people = tmp_path / "people.csv"
    people.write_text("name,email\n张三,zhang@example.com\n李四,bad-address\n", encoding="utf-8")
    result = svc.people.import_file(1, people)
    assert result.report_path == report
    assert not target.exists()
    assert not report.is_symlink() and stat.S_IMODE(report.stat().st_mode) == 0o600
    assert "bad-address" not in report.read_text(encoding="utf-8-sig")


def test_a_full_disk_during_notices_leaves_no_file_and_no_event(svc: Services, tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", "64k") as disk:
        with pytest.raises(OSError) as exc:
            svc.notices.export(1, disk, ["html", "txt", "eml"], recipients=[person(i) for i in range(400)])
        assert exc.value.errno == errno.ENOSPC
        assert files_under(disk) == []  # no final file and no temporary one
    assert "notice.exported" not in [e.type for e in svc.audit.timeline(1)]
    assert export_kinds(svc) == []


def test_a_full_disk_during_the_evidence_pack_and_register(svc: Services, tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", "16k") as disk:
        with pytest.raises(OSError) as exc:
            build_evidence_pack(svc, 1, disk / "pack.zip")
        assert exc.value.errno == errno.ENOSPC
        assert files_under(disk) == []
        (disk / "filler").write_bytes(b"x" * 12_000)
        with pytest.raises(OSError):
            export_register(svc, disk / "register.xlsx", "xlsx")
        assert files_under(disk) == ["filler"]
    assert export_kinds(svc) == []


class _FailingPdfWriter:
    """A real writer that fails half-way: it writes the start of a PDF, then raises."""

    def write_pdf(self, html_pages, path: Path, *, watermark: str = "") -> int:  # type: ignore[no-untyped-def]
        path.write_bytes(b"%PDF-1.4\n% half a document")
        raise RuntimeError("the writer broke half-way")


def test_a_writer_failing_half_way_leaves_no_file_under_a_final_name(svc: Services, tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(RuntimeError, match="half-way"):
        svc.notices.export(1, out, ["html", "txt", "docx", "pdf"], pdf_writer=_FailingPdfWriter())
    assert files_under(out) == []  # the html/txt/docx staged before the failure are gone too
    assert "notice.exported" not in [e.type for e in svc.audit.timeline(1)]


def test_the_import_report_on_a_full_disk_is_removed(tmp_path: Path) -> None:
    from incident_app.services.people.importer import ReportWriter

    with small_disk(tmp_path / "disk", "16k") as disk:
        report = ReportWriter(disk / "report.csv")

        def fill_and_close() -> None:
            for row in range(5_000):
                report.add(row, "email", "x" * 40, "a reason long enough to fill the disk quickly")
            report.close()

        with pytest.raises(OSError) as exc:
            fill_and_close()
        report.discard()
        assert exc.value.errno == errno.ENOSPC
        assert files_under(disk) == []

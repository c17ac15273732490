"""``evidence ID --out FILE.zip [--unmask]``: the evidence pack of one incident with its SHA-256
manifest. ``evidence verify FILE.zip``: check a pack's files and, against the database (``--db``),
that its event log still verifies and holds the chain head the pack recorded; exit 1 naming every
problem, 3 when the database cannot confirm the pack (key missing, or another database's pack)."""

from __future__ import annotations

import argparse
import importlib.util
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from incident_app.cli.commands.audit import EXIT_CANNOT_VERIFY
from incident_app.cli.output import CliError, print_json, say
from incident_app.services.container import Services
from incident_app.services.evidence import build_evidence_pack, check_against_database, verify_evidence
from incident_app.services.notices import PdfWriter
from incident_app.services.private_files import check_readable_input


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser(
        "evidence", parents=[common], help="write (or verify) an incident's evidence pack",
        description="evidence ID --out FILE.zip [--unmask]   |   [--db DB] evidence verify FILE.zip (checks the "
                    "pack's files and that the database still holds the chain head it recorded; exit 1 "
                    "tampered, 3 cannot verify)",
    )
    parser.add_argument("target", metavar="ID|verify", help="incident id, or 'verify' to check a pack")
    parser.add_argument("pack", nargs="?", type=Path, metavar="FILE.zip", help="the pack to verify")
    parser.add_argument("--out", type=Path, metavar="FILE.zip", help="where to write the pack (mode 0600)")
    parser.add_argument("--unmask", action="store_true",
                        help="include affected people's contacts unmasked (logged as an unmasked export)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, services: Services) -> int:
    if args.target == "verify":
        if args.pack is None:
            raise CliError("say which pack to check: evidence verify FILE.zip", 2)
        return _verify(args.pack, services)
    try:
        incident_id = int(args.target)
    except ValueError:
        raise CliError(f"'{args.target}' is neither an incident id nor 'verify'", 2) from None
    if args.out is None:
        raise CliError("say where to write the pack: evidence ID --out FILE.zip", 2)
    pack = build_evidence_pack(services, incident_id, args.out, unmask=args.unmask, pdf_writer=_pdf_writer())
    say(f"evidence pack of incident {incident_id} written to {pack.path} ({len(pack.files)} files)")
    print_json({"path": pack.path, "files": len(pack.files), "manifest_sha256": pack.manifest_sha256,
                "unmasked": args.unmask})
    return 0


class _QtPdfOnFirstUse:
    """The Qt PDF adapter, loaded only when a pack has a printable notice (the CLI never imports
    Qt otherwise)."""

    def __init__(self) -> None:
        self._writer: PdfWriter | None = None

    def write_pdf(self, html_pages: Iterable[str], path: Path, *, watermark: str = "") -> int:
        if self._writer is None:
            from incident_app.adapters.qt_pdf import QtPdfWriter

            self._writer = QtPdfWriter()
        return self._writer.write_pdf(html_pages, path, watermark=watermark)


def _pdf_writer() -> PdfWriter | None:
    """A PDF writer when Qt is installed; without one the pack has no PDF copies and its
    manifest and README say so."""
    try:
        found = importlib.util.find_spec("PySide6.QtGui")
    except ImportError:  # PySide6 missing (or blocked, as in the no-Qt test run)
        return None
    return _QtPdfOnFirstUse() if found is not None else None


def _verify(pack: Path, services: Services) -> int:
    # A pack that is not there is a mistyped path (exit 2), not a tampered pack (exit 1).
    check_readable_input(pack)
    report = verify_evidence(pack)
    check = check_against_database(services, pack, report)
    result = report.to_dict() | {"recorded_in_event_log_seq": check.recorded_in_event_log_seq,
                                 "database": check.to_dict()}
    result["ok"] = report.ok and check.status == "ok"
    print_json(result)
    for problem in report.problems:
        say(f"evidence pack {pack}: {problem}")
    for db_problem in check.problems:
        say(f"evidence pack {pack} against {services.db_path}: {db_problem}")
    for note in check.notes:
        say(f"note: {note}")
    if not report.ok or check.status == "tampered":
        return 1
    return EXIT_CANNOT_VERIFY if check.status == "cannot_verify" else 0

"""The mass-messaging platform hand-off: ``export-recipients ID --out FILE.jsonl [--merge-fields]``
(one JSON line per recipient of the approved personal notices, for the company's own platform)
and ``import-delivery ID FILE.csv`` (the platform's per-recipient delivery report back into the
send ledger)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from incident_app.cli.output import print_json, say
from incident_app.cli.progress_bar import ProgressBar
from incident_app.services.container import Services
from incident_app.services.progress import Progress


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    export = sub.add_parser(
        "export-recipients", parents=[common], help="the recipients file for the company's mass-messaging platform",
        description="One JSON line per recipient of the approved personal notices (channel, address or number, the "
                    "approved text per channel or with --merge-fields the template id and merge fields, notice "
                    "version and hash, the reference the report must echo); mode 0600, with FILE.manifest.json "
                    "(count, time, SHA-256). Queues one send-ledger row each (channel platform).")
    export.add_argument("id", type=int, help="incident id")
    export.add_argument("--out", type=Path, required=True, metavar="FILE.jsonl", help="the file to write")
    export.add_argument("--merge-fields", action="store_true",
                        help="give the template id and each recipient's merge fields instead of the rendered text")
    export.set_defaults(handler=handle_export)

    report = sub.add_parser(
        "import-delivery", parents=[common], help="mark people notified from the platform's delivery report",
        description="Reads the platform's report (CSV, UTF-8 or GB18030: reference, status, time, optional reason); "
                    "all or nothing, importing twice changes nothing, a later report updates in order.")
    report.add_argument("id", type=int, help="incident id")
    report.add_argument("file", type=Path, help="the delivery report (CSV)")
    report.add_argument("--check", action="store_true", help="only check and count; write nothing")
    report.add_argument("--encoding", metavar="CODEC",
                        help="the report's text encoding when it is neither UTF-8 nor Chinese GB18030 (e.g. cp1252,"
                             " latin-1); without it such a file is refused, naming the line")
    report.set_defaults(handler=handle_import)


def handle_export(args: argparse.Namespace, services: Services) -> int:
    bar = ProgressBar()
    progress = Progress(on_change=bar.update, min_interval_s=0.2)
    result = services.platform.export_recipients(args.id, args.out, merge_fields=args.merge_fields,
                                                 progress=progress)
    bar.finish()
    changes = result["changes"]
    if changes and not changes["same_version"]:
        changed = ", ".join(c["notice"] for c in changes["notices_changed"]) or "none"
        say(f"A new approved version since the last export (notices changed: {changed}): every recipient has a new "
            "reference; send this file instead of the previous one.")
    elif changes and result["new_ledger_rows"]:
        corrected = result["corrected_contacts"]
        say(f"Same approved notices as the last export, but {corrected:,} corrected contact(s) handed off under new "
            f"references and {result['new_ledger_rows'] - corrected:,} recipient(s) not handed off before: upload "
            "this file to the platform again (everybody else keeps their reference).")
    elif changes:
        say("Same approved notices as the last export: the same references, no new ledger rows.")
    say(f"{result['rows']:,} recipient(s) written to {args.out}; import the platform's delivery report with "
        f"'import-delivery {args.id} FILE.csv'")
    print_json(result)
    return 0


def handle_import(args: argparse.Namespace, services: Services) -> int:
    summary = services.platform.import_delivery(args.id, args.file, commit=not args.check, encoding=args.encoding)
    print_json(summary)
    if summary["problems"]:  # --check: the import itself would refuse this file (exit 2, bad input)
        say("The import would refuse this report:\n" + "\n".join(f"  - {p}" for p in summary["problems"]))
        return 2
    return 0

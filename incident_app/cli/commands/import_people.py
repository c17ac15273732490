"""``import-people ID FILE``: import a CSV/XLSX of affected people (all or nothing), with a
progress bar on a terminal; prints the counts and where the reject/warning report went."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from incident_app.cli.output import CliError, print_json, say
from incident_app.cli.progress_bar import ProgressBar
from incident_app.domain.people import FIELDS
from incident_app.services.container import Services
from incident_app.services.people import DiskFull
from incident_app.services.progress import Cancelled, Progress


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser(
        "import-people", parents=[common], help="import affected people from a CSV or XLSX file",
        description="Headers in English or Chinese (user_id/用户ID, name/姓名, email/邮箱, phone/手机号, ...). "
                    "The import is all or nothing; the report of rejected fields goes beside the database.",
    )
    parser.add_argument("id", type=int, help="incident id")
    parser.add_argument("file", type=Path, help="CSV (UTF-8 with or without BOM, UTF-16, GB18030/GBK, Big5, "
                                                "Shift-JIS; one encoding for the whole file) or XLSX")
    parser.add_argument("--map", action="append", default=[], metavar="HEADER=FIELD",
                        help="correct the header mapping, e.g. --map '联系方式=phone' or --map 'Notes=' to ignore; "
                             "fields: " + ", ".join(FIELDS))
    parser.add_argument("--replace", action="store_true",
                        help="replace the incident's people instead of adding to (and merging with) them")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, services: Services) -> int:
    bar = ProgressBar()
    progress = Progress(on_change=bar.update if bar.drawing else None, min_interval_s=0.2)
    try:
        with bar:
            result = services.people.import_file(args.id, args.file, progress, _corrections(args.map),
                                                 replace=args.replace)
    except (Cancelled, KeyboardInterrupt):
        raise CliError("import cancelled; the database is as it was before (the attempt is in the event log)",
                       1) from None
    except DiskFull as exc:
        raise CliError(str(exc), 1) from None
    say(f"imported {result.imported:,} people, merged {result.duplicates_merged:,} duplicates, "
        f"rejected {result.rejected_rows:,} rows; minors {result.summary.minors:,} "
        f"({result.summary.children:,} under 14, {result.summary.teens:,} aged 14-17), "
        f"unreachable {result.summary.unreachable:,}")
    say(f"report (row, field, masked value, reason): {result.report_path}")
    print_json(result.to_dict())
    return 0


def _corrections(pairs: list[str]) -> dict[str, str | None] | None:
    if not pairs:
        return None
    mapping: dict[str, str | None] = {}
    for pair in pairs:
        header, sep, field = pair.partition("=")
        if not sep:
            raise CliError(f"--map {pair!r}: write HEADER=FIELD (or HEADER= to ignore the column)", 2)
        mapping[header.strip()] = field.strip() or None
    return mapping


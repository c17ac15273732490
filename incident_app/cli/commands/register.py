"""``register [--format csv|xlsx|json] [--out PATH]``: the breach register of all incidents,
notified or not. Without ``--out`` the JSON (or CSV) goes to stdout; XLSX needs ``--out``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from incident_app.cli.output import CliError, say
from incident_app.services.container import Services
from incident_app.services.register import RegisterFormat, export_register, format_from_path


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser("register", parents=[common], help="the breach register of all incidents")
    parser.add_argument("--format", dest="fmt", choices=[f.value for f in RegisterFormat],
                        help="file format (default: from the --out suffix, else json)")
    parser.add_argument("--out", type=Path, metavar="PATH", help="write to this file (mode 0600) instead of stdout")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, services: Services) -> int:
    fmt = _format(args)
    if fmt is RegisterFormat.XLSX and args.out is None:
        raise CliError("an XLSX register needs --out FILE.xlsx (it is not text for stdout)", 2)
    content, data = export_register(services, args.out, fmt)
    if args.out is None:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
    else:
        say(f"register of {len(data.records)} incident(s) written to {args.out} "
            f"({data.totals['drills_excluded']} drill(s) listed, not counted in the totals)")
    return 0


def _format(args: argparse.Namespace) -> RegisterFormat:
    if args.fmt:
        return RegisterFormat(args.fmt)
    guessed = format_from_path(args.out) if args.out is not None else None
    return guessed or RegisterFormat.JSON

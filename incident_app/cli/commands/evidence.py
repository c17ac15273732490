"""``evidence ID --out FILE.zip [--unmask]``: the evidence pack of one incident with its SHA-256
manifest. ``evidence verify FILE.zip``: check a pack; exit 1 naming every file that does not match."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from incident_app.cli.output import CliError, print_json, say
from incident_app.services.container import Services
from incident_app.services.evidence import build_evidence_pack
from incident_app.services.evidence_verify import find_in_event_log, verify_evidence


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser(
        "evidence", parents=[common], help="write (or verify) an incident's evidence pack",
        description="evidence ID --out FILE.zip [--unmask]   |   evidence verify FILE.zip",
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
    pack = build_evidence_pack(services, incident_id, args.out, unmask=args.unmask)
    say(f"evidence pack of incident {incident_id} written to {pack.path} ({len(pack.files)} files)")
    print_json({"path": pack.path, "files": len(pack.files), "manifest_sha256": pack.manifest_sha256,
                "unmasked": args.unmask})
    return 0


def _verify(pack: Path, services: Services) -> int:
    report = verify_evidence(pack)
    result = report.to_dict()
    if report.manifest_sha256:
        result["recorded_in_event_log_seq"] = find_in_event_log(services, report.manifest_sha256)
    print_json(result)
    for problem in report.problems:
        say(f"evidence pack {pack}: {problem}")
    if report.ok and result.get("recorded_in_event_log_seq") is None:
        say("note: this database's event log has no record of this pack (made elsewhere, or rebuilt)")
    return 0 if report.ok else 1

"""``audit verify``: recompute the event log's keyed hash chain. Exit 0 intact, 1 tampered (a plain
message names the first bad event), 3 cannot verify (this computer lacks the database's key)."""

from __future__ import annotations

import argparse
from typing import Any

from incident_app.cli.output import print_json, say
from incident_app.services.container import Services

EXIT_CANNOT_VERIFY = 3


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser("audit", parents=[common], help="check the tamper-evident event log")
    actions = parser.add_subparsers(dest="audit_action", metavar="ACTION", required=True)
    verify = actions.add_parser("verify", parents=[common],
                                help="verify the keyed hash chain (exit 1 tampered, 3 cannot verify: key missing)")
    verify.set_defaults(handler=handle_verify)


def handle_verify(args: argparse.Namespace, services: Services) -> int:
    report = services.audit.verify()
    print_json({
        "ok": report.ok, "status": report.status, "events_checked": report.checked,
        "first_bad_event": report.first_bad_seq, "reason": report.reason,
        "database_id": services.audit.database_id, "head": report.head.to_dict() if report.head else None,
    })
    if report.key_missing:
        say(f"cannot verify the event log: {report.reason}")
        return EXIT_CANNOT_VERIFY
    if not report.ok:
        say(f"event log tampered: event {report.first_bad_seq}: {report.reason}")
        return 1
    return 0

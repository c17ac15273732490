"""``audit verify``: recompute the event log's keyed hash chain. Exit 0 intact, 1 tampered (a plain
message names the first bad event), 3 cannot verify (this computer lacks the database's key).
``audit export-key FILE`` / ``audit import-key FILE``: move the key to another computer."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from incident_app.cli.output import print_json, say
from incident_app.services.audit import export_key, import_key
from incident_app.services.container import Services

EXIT_CANNOT_VERIFY = 3


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser("audit", parents=[common], help="check the tamper-evident event log")
    actions = parser.add_subparsers(dest="audit_action", metavar="ACTION", required=True)
    verify = actions.add_parser("verify", parents=[common],
                                help="verify the keyed hash chain (exit 1 tampered, 3 cannot verify: key missing)")
    verify.set_defaults(handler=handle_verify)
    export = actions.add_parser("export-key", parents=[common],
                                help="write this database's event-log key to FILE (mode 0600; logged)")
    export.add_argument("file", type=Path, metavar="FILE")
    export.set_defaults(handler=handle_export_key)
    imported = actions.add_parser("import-key", parents=[common],
                                  help="keep the event-log key from FILE on this computer (checked first)")
    imported.add_argument("file", type=Path, metavar="FILE")
    imported.set_defaults(handler=handle_import_key)


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


def handle_export_key(args: argparse.Namespace, services: Services) -> int:
    written = export_key(services.ctx, args.file)
    say(f"event-log key of database {services.audit.database_id} written to {written}; keep it as secret as "
        "the database (whoever holds both can rewrite the log)")
    print_json({"database_id": services.audit.database_id, "path": str(written)})
    return 0


def handle_import_key(args: argparse.Namespace, services: Services) -> int:
    where = import_key(services.ctx, args.file)
    say(f"event-log key of database {services.audit.database_id} checked and kept in {where}")
    print_json({"database_id": services.audit.database_id, "kept_in": where})
    return 0

"""``status ID STATUS --comment TEXT``: move the incident through its workflow (closing it starts
the CAC summary-report clock); the comment goes into the event log."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from incident_app.cli.output import print_json
from incident_app.domain.clock import to_iso
from incident_app.domain.errors import ValidationError
from incident_app.domain.incident import IncidentStatus
from incident_app.services.container import Services


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser("status", parents=[common], help="change the incident's workflow status (logged)")
    parser.add_argument("id", type=int, help="incident id")
    parser.add_argument("status", help=" | ".join(s.value for s in IncidentStatus))
    parser.add_argument("--comment", required=True, help="why the status changes (goes into the log)")
    parser.add_argument("--force", action="store_true",
                        help="close even though obligations are still open (they are listed and logged)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, services: Services) -> int:
    try:
        status = IncidentStatus(args.status)
    except ValueError:
        raise ValidationError.single("status", f"'{args.status}' is not a status; use one of: "
                                               + ", ".join(s.value for s in IncidentStatus)) from None
    if status == IncidentStatus.CLOSED and args.force:
        still_open = services.incidents.open_obligations(args.id)
        if still_open:  # closed anyway on purpose: say what stays open
            print("warning: closing with obligations still open: " + ", ".join(still_open), file=sys.stderr)
    incident = services.incidents.change_status(args.id, status, args.comment, force=args.force)
    closed = incident.handling_closed_at
    print_json({"id": incident.id, "status": incident.status.value,
                "handling_closed_at": to_iso(closed) if closed else None})
    return 0

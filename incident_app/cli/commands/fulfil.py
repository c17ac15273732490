"""``fulfil ID OBLIGATION_ID --at TIME --channel CHANNEL [--ref REF] [--file PATH]``: record that an
obligation was met outside the tool (filed on the 12387 website, told the police, posted a letter).
The clock then shows it met on time or late; an attached file is kept with its SHA-256."""

from __future__ import annotations

import argparse
from typing import Any

from incident_app.cli.output import print_json
from incident_app.domain.fulfilments import FULFILMENT_CHANNELS
from incident_app.services.container import Services


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser("fulfil", parents=[common], help="record that an obligation was met outside the tool")
    parser.add_argument("id", type=int, help="incident id")
    parser.add_argument("obligation_id", help="the obligation (ids as in 'assess ID', e.g. cac-initial-report)")
    parser.add_argument("--at", required=True, metavar="TIME",
                        help="when it was done, ISO 8601 (no offset = Beijing time), or 'now'")
    parser.add_argument("--channel", required=True, help=" | ".join(FULFILMENT_CHANNELS))
    parser.add_argument("--ref", default="", help="reference or receipt number")
    parser.add_argument("--by", default=None, help="who did it (default: the actor in settings)")
    parser.add_argument("--note", default="", help="anything else worth keeping")
    parser.add_argument("--file", default=None, metavar="PATH", help="the submitted file or a screenshot")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, services: Services) -> int:
    data = {"obligation_id": args.obligation_id, "done_at": "" if args.at.strip().lower() == "now" else args.at,
            "channel": args.channel, "reference": args.ref, "done_by": args.by or services.ctx.actor,
            "note": args.note}
    fulfilment = services.fulfilments.record(args.id, data, file=args.file)
    obligation = services.assessment.assess(args.id).obligation(fulfilment.obligation_id)
    late = obligation.late_by
    print_json(fulfilment.to_dict() | {"status": obligation.status.value, "met_on_time": late is None,
                                       "late_by_seconds": int(late.total_seconds()) if late else None})
    return 0

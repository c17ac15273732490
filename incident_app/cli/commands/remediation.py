"""``remediation ID --json FILE``: add remediation actions, advice and remedies."""

from __future__ import annotations

import argparse
from typing import Any

from incident_app.cli.json_input import read_json_file
from incident_app.cli.output import print_json
from incident_app.services.container import Services


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser("remediation", parents=[common], help="add remediation actions, advice, remedies")
    parser.add_argument("id", type=int, help="incident id")
    parser.add_argument("--json", dest="json_file", required=True, metavar="FILE",
                        help='a list of actions, or {"actions": [...], "advice": [...], "remedies": [...]}')
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, services: Services) -> int:
    actions, notes = services.remediation.add(args.id, read_json_file(args.json_file))
    print_json({"actions": [a.to_dict() for a in actions], "notes": [n.to_dict() for n in notes]})
    return 0

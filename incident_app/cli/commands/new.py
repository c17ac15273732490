"""``new --json FILE``: create an incident from an intake JSON file."""

from __future__ import annotations

import argparse
from typing import Any

from incident_app.cli.output import CliError, print_json, read_json_file
from incident_app.services.container import Services


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser("new", parents=[common], help="create an incident from an intake JSON file")
    parser.add_argument("--json", dest="json_file", required=True, metavar="FILE",
                        help="intake JSON (keys: docs/intake.md)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, services: Services) -> int:
    data = read_json_file(args.json_file)
    if not isinstance(data, dict):
        raise CliError(f"{args.json_file}: must hold one JSON object with the intake keys", 2)
    incident = services.incidents.create(data)
    print_json({"id": incident.id})
    return 0

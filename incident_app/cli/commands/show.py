"""``show ID``: the incident with everything recorded about it, as JSON."""

from __future__ import annotations

import argparse
from typing import Any

from incident_app.cli.output import print_json
from incident_app.services.container import Services
from incident_app.services.incidents import incident_report


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser("show", parents=[common], help="the incident as JSON")
    parser.add_argument("id", type=int, help="incident id")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, services: Services) -> int:
    print_json(incident_report(services, args.id))
    return 0

"""``demo``: load a realistic demo incident."""

from __future__ import annotations

import argparse
from typing import Any

from incident_app.cli.output import print_json, say
from incident_app.services.container import Services
from incident_app.services.demo import load_demo


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser("demo", parents=[common], help="load a realistic demo incident")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, services: Services) -> int:
    incident = load_demo(services)
    say(f"demo incident {incident.id} loaded into {services.db_path}")
    print_json({"id": incident.id})
    return 0

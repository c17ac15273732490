"""``correct ID fulfilment|decision RECORD_ID --reason TEXT``: withdraw a recorded fulfilment or
decision with a reason. Nothing is edited in place: the record stays, the assessment stops
counting it (an obligation it met opens again), and one event keeps the reason."""

from __future__ import annotations

import argparse
from typing import Any

from incident_app.cli.output import print_json
from incident_app.services.container import Services


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser("correct", parents=[common], help="withdraw a recorded fulfilment or decision")
    parser.add_argument("id", type=int, help="incident id")
    parser.add_argument("target", choices=("fulfilment", "decision"), help="what kind of record")
    parser.add_argument("record_id", type=int, help="its id (from 'show ID')")
    parser.add_argument("--reason", required=True, help="why the record was wrong (goes into the log)")
    parser.add_argument("--by", default=None, help="who corrects it (default: the actor in settings)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, services: Services) -> int:
    correction = services.corrections.correct(args.id, args.target, args.record_id, args.reason, args.by)
    print_json(correction.to_dict())
    return 0

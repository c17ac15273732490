"""``edit ID --json FILE``: change some facts of an incident (only the keys in the file), validated
like intake; one event records each key's old and new value, and every clock recomputes."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import Any

from incident_app.cli.json_input import read_json_file
from incident_app.cli.output import print_json
from incident_app.domain.errors import ValidationError
from incident_app.services.container import Services


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser("edit", parents=[common], help="change facts of an incident (only the keys given)")
    parser.add_argument("id", type=int, help="incident id")
    parser.add_argument("--json", dest="json_file", required=True, metavar="FILE",
                        help='the changed facts only, e.g. {"affected_people": 5200} (keys: docs/intake.md)')
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, services: Services) -> int:
    changes = read_json_file(args.json_file)
    if not isinstance(changes, Mapping) or not changes:
        raise ValidationError.single("(file)", "must be a JSON object with the facts to change, "
                                               'e.g. {"affected_people": 5200}')
    before = services.incidents.get(args.id).facts.to_dict()
    after = services.incidents.update_facts(args.id, changes).facts.to_dict()
    keys = [*after, *(k for k in before if k not in after)]  # a removed ransom is a change too
    print_json({"id": args.id, "changed": {k: {"from": before.get(k), "to": after.get(k)}
                                           for k in keys if before.get(k) != after.get(k)}})
    return 0

"""``edit ID --json FILE``: change some facts of an incident (only the keys in the file), validated
like intake; one event records each key's old and new value, and every clock recomputes."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import Any

from incident_app.cli.output import print_json, read_json_file
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
    print_json({"id": args.id, "changed": {k: {"from": before[k], "to": after[k]}
                                           for k in after if before.get(k) != after[k]}})
    return 0

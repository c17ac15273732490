"""``profile show`` / ``profile set KEY VALUE``: the organisation profile every notice carries and
the assessment reads (operator type, province, working days…), validated like the Settings dialog."""

from __future__ import annotations

import argparse
from typing import Any

from incident_app.cli.output import print_json
from incident_app.services.container import Services


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser("profile", parents=[common], help="show or change the organisation profile")
    actions = parser.add_subparsers(dest="profile_action", metavar="ACTION", required=True)
    show = actions.add_parser("show", parents=[common], help="print the profile as JSON")
    show.set_defaults(handler=handle_show)
    change = actions.add_parser(
        "set", parents=[common], help="change one field (e.g. operator_type cii, province 北京市); logged")
    change.add_argument("key", help="a profile field, e.g. operator_type, province, reply_working_days")
    change.add_argument("value", help="the new value (lists: comma-separated or a JSON list)")
    change.set_defaults(handler=handle_set)


def handle_show(_args: argparse.Namespace, services: Services) -> int:
    print_json(services.profile.get().to_dict())
    return 0


def handle_set(args: argparse.Namespace, services: Services) -> int:
    profile = services.profile.set_value(args.key, args.value)
    print_json({args.key: profile.to_dict()[args.key]})
    return 0

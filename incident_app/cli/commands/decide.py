"""``decide ID --json FILE``: record a signed decision (exemption, announcement instead, …)."""

from __future__ import annotations

import argparse
from typing import Any

from incident_app.cli.json_input import read_json_file
from incident_app.cli.output import print_json
from incident_app.services.container import Services


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser("decide", parents=[common], help="record a decision with its rationale")
    parser.add_argument("id", type=int, help="incident id")
    parser.add_argument("--json", dest="json_file", required=True, metavar="FILE",
                        help='{"kind": …, "rationale": …, "decided_by": …, "details": {…}}; the rationale '
                             'in both languages: {"zh-CN": …, "en": …}')
    parser.add_argument("--lang", choices=("zh-CN", "en"), default="zh-CN",
                        help="the language of a plain-text rationale (default zh-CN); English notices print "
                             "the English one")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, services: Services) -> int:
    decision = services.decisions.record(args.id, read_json_file(args.json_file), lang=args.lang)
    print_json(decision.to_dict())
    return 0

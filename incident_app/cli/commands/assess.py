"""``assess ID``: severity, CAC grade and obligations with due times and reasons, as JSON."""

from __future__ import annotations

import argparse
from typing import Any

from incident_app.cli.output import print_json, say
from incident_app.domain.assessment.people import gap_note
from incident_app.domain.i18n import LANGUAGES
from incident_app.services.container import Services


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser("assess", parents=[common],
                            help="severity, CAC grade and obligations (due times, why, source) as JSON")
    parser.add_argument("id", type=int, help="incident id")
    parser.add_argument("--lang", choices=LANGUAGES, default="zh-CN",
                        help="language of the reasons (default zh-CN)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, services: Services) -> int:
    assessment = services.assessment.assess(args.id)
    print_json(services.assessment.to_json(assessment, args.lang))
    if assessment.people.gap_to_estimate:
        say(gap_note(assessment.people.estimate, assessment.people.total))
    return 0

"""``catalog``: the data-type catalog as JSON, so intake files can name ids."""

from __future__ import annotations

import argparse
from typing import Any

from incident_app.cli.output import print_json
from incident_app.services.container import Services


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser("catalog", parents=[common], help="list the data types (ids for intake files)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, services: Services) -> int:
    print_json([
        {"id": t.id, "group": t.group, "name_zh": t.name_zh, "name_en": t.name_en,
         "sensitive": t.sensitive, "enisa_category": t.enisa_category.value,
         "enisa_base": t.enisa_category.base_score}
        for t in services.ctx.catalog.types
    ])
    return 0

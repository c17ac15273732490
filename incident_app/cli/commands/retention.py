"""``retention status``, ``retention set --days N``, ``retention purge``: how long affected
people's contacts are kept after an incident closes, and purging them when that time is up."""

from __future__ import annotations

import argparse
from typing import Any

from incident_app.cli.output import print_json, say
from incident_app.domain.clock import to_iso
from incident_app.services.container import Services
from incident_app.services.retention import (
    DEFAULT_PURGE_TARGETS,
    purge_candidates,
    purge_due,
    retention_policy,
    set_retention_days,
)


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser("retention", parents=[common], help="retention of affected people's contact data")
    actions = parser.add_subparsers(dest="retention_action", metavar="ACTION", required=True)
    status = actions.add_parser("status", parents=[common], help="the policy and the incidents due for purging")
    status.set_defaults(handler=handle_status)
    change = actions.add_parser("set", parents=[common], help="change the retention period")
    change.add_argument("--days", type=int, required=True, help="days after an incident closes (0-3650)")
    change.set_defaults(handler=handle_set)
    purge = actions.add_parser("purge", parents=[common], help="purge contact data of incidents past retention")
    purge.set_defaults(handler=handle_purge)


def handle_status(args: argparse.Namespace, services: Services) -> int:
    print_json({
        "days_after_close": retention_policy(services).days_after_close,
        "purge_targets": [t.name for t in DEFAULT_PURGE_TARGETS],
        "due": [{"incident_id": c.incident_id, "closed_at": to_iso(c.closed_at), "due_at": to_iso(c.due_at),
                 "pending_targets": list(c.pending_targets)} for c in purge_candidates(services)],
    })
    return 0


def handle_set(args: argparse.Namespace, services: Services) -> int:
    policy = set_retention_days(services, args.days)
    print_json({"days_after_close": policy.days_after_close})
    return 0


def handle_purge(args: argparse.Namespace, services: Services) -> int:
    results = purge_due(services)
    if not results:
        say("nothing to purge: no closed incident is past its retention period")
    print_json([{"incident_id": r.incident_id, "records_by_target": r.records_by_target} for r in results])
    return 0

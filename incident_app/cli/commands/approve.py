"""``approve ID [--notice KIND] [--by NAME]``: approve the current rendering of the notices
(all, or one kind), binding the approver to the SHA-256 of each; refuses, listing what is
missing, when a completeness check fails."""

from __future__ import annotations

import argparse
from typing import Any

from incident_app.cli.output import CliError, print_json
from incident_app.domain.notices import NoticeKind
from incident_app.services.container import Services


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser("approve", parents=[common], help="approve the rendered notices")
    parser.add_argument("id", type=int, help="incident id")
    parser.add_argument("--notice", metavar="KIND", help="one kind: " + ", ".join(k.value for k in NoticeKind))
    parser.add_argument("--by", metavar="NAME", help="the approver (default: the actor)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, services: Services) -> int:
    kind = None
    if args.notice:
        try:
            kind = NoticeKind(args.notice)
        except ValueError:
            raise CliError(f"--notice: '{args.notice}' is not a notice kind; use one of "
                           + ", ".join(k.value for k in NoticeKind), 2) from None
    approvals = services.notices.approve(args.id, args.by, kind)
    notice_set = services.notices.prepare(args.id, kinds=[kind] if kind else None)
    print_json({"approved": [a.to_dict() for a in approvals],
                "notices": [{"kind": n.rendered.kind.value, "channel": n.rendered.channel.value,
                             "lang": n.rendered.lang, "status": n.status, "sha256": n.rendered.sha256}
                            for n in notice_set.notices]})
    return 0

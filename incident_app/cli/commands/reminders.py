"""``reminders status``, ``reminders set --lead-minutes 60,30,10,0 [--close-action ask|tray|quit]``:
the desktop app's deadline reminders — when they fire before each legal due time, and whether
closing the window keeps the app in the tray. ``status`` also lists the open legal deadlines."""

from __future__ import annotations

import argparse
from typing import Any

from incident_app.cli.output import CliError, print_json
from incident_app.domain.clock import SHANGHAI, to_iso
from incident_app.services.container import Services
from incident_app.services.reminders import upcoming
from incident_app.services.settings.reminders import reminder_settings, save_reminder_settings


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser("reminders", parents=[common], help="deadline reminders of the desktop app")
    actions = parser.add_subparsers(dest="reminders_action", metavar="ACTION", required=True)
    status = actions.add_parser("status", parents=[common],
                                help="the lead times, the close action and the open legal deadlines")
    status.set_defaults(handler=handle_status)
    change = actions.add_parser("set", parents=[common], help="change the lead times or the close action; logged")
    change.add_argument("--lead-minutes", default=None,
                        help="minutes before each legal due time, comma-separated; 0 = when it passes "
                             "(default 60,30,10,0)")
    # Any case (TRAY, Tray): the service folds and checks it, naming the field when it is not one.
    change.add_argument("--close-action", default=None, metavar="ask|tray|quit",
                        help="closing the main window: ask once, keep running in the tray, or quit")
    change.set_defaults(handler=handle_set)


def handle_status(_args: argparse.Namespace, services: Services) -> int:
    deadlines = [{"incident_id": d.incident_id, "incident": d.incident_title, "drill": d.drill,
                  "obligation": d.obligation_id,
                  "title": d.obligation_title.to_dict(), "due": to_iso(d.due.astimezone(SHANGHAI))}
                 for d in upcoming(services)]
    print_json(reminder_settings(services).to_dict() | {"open_deadlines": deadlines})
    return 0


def handle_set(args: argparse.Namespace, services: Services) -> int:
    if args.lead_minutes is None and args.close_action is None:
        raise CliError("give --lead-minutes (e.g. 60,30,10,0) or --close-action (ask, tray or quit)", 2)
    print_json(save_reminder_settings(services, lead_minutes=args.lead_minutes,
                                      close_action=args.close_action).to_dict())
    return 0

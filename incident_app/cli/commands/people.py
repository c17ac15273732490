"""``people ID [--unmask]``: the affected people as JSON, masked unless --unmask (logged)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date
from typing import Any

from incident_app.cli.output import say
from incident_app.domain.clock import to_iso
from incident_app.domain.people import Person
from incident_app.services.container import Services


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser("people", parents=[common], help="the incident's affected people as JSON (masked)")
    parser.add_argument("id", type=int, help="incident id")
    parser.add_argument("--unmask", action="store_true", help="show real names and contacts (recorded in the log)")
    parser.add_argument("--reason", default="", help="why the data is shown unmasked (goes in the log)")
    parser.add_argument("--search", default="", help="user id, part of a name or email, or phone digits")
    parser.add_argument("--offset", type=int, default=0)
    parser.add_argument("--limit", type=int, default=None, help="at most this many people (default: all)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, services: Services) -> int:
    services.incidents.get(args.id)  # a clear "does not exist" before any output
    shown = [0]
    try:
        _write(args, services, sys.stdout, shown)
    except BrokenPipeError:
        # The reader (e.g. `| head`) stopped early: not an error. Silence the final flush.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    # Logged even when the reader stopped early: what was written was shown.
    services.people.log_list_written(args.id, shown[0], unmasked=args.unmask,
                                     reason=args.reason or ("people --unmask (command line)" if args.unmask else ""))
    return 0


def _write(args: argparse.Namespace, services: Services, out: Any, shown: list[int]) -> None:
    """Stream the JSON (a million people never sit in memory), counting people in ``shown``."""
    people = services.people
    total = people.count(args.id, args.search)
    limit = total if args.limit is None else args.limit
    masked = "false" if args.unmask else "true"
    purged = people.purged_at(args.id)
    if purged is not None:
        say(f"the contacts of incident {args.id} were purged on {to_iso(purged)} (retention): "
            "names, user ids, contacts, addresses and birth dates are blank; the counts stay")
    out.write(f'{{\n  "incident_id": {args.id},\n  "masked": {masked},\n')
    out.write(f'  "contacts_purged_at": {json.dumps(to_iso(purged) if purged else None)},\n')
    out.write(f'  "summary": {json.dumps(people.summary(args.id).to_dict(), ensure_ascii=False)},\n')
    out.write(f'  "matching": {total},\n  "people": [')
    for person in _selected(services, args, limit):
        out.write(("," if shown[0] else "") + "\n    " + json.dumps(_as_json(person, args.unmask), ensure_ascii=False))
        shown[0] += 1
    out.write("\n  ]\n}\n")
    out.flush()


def _selected(services: Services, args: argparse.Namespace, limit: int) -> Any:
    offset, page = args.offset, 5000
    while limit > 0:
        batch = services.people.page(args.id, offset, min(page, limit), args.search)
        yield from batch
        if len(batch) < min(page, limit):
            return
        offset += len(batch)
        limit -= len(batch)


def _as_json(person: Person, unmask: bool) -> dict[str, Any]:
    shown = person if unmask else person.masked()
    birth: date | None = shown.birth_date
    return {
        "id": shown.id, "user_id": shown.user_id, "name": shown.name, "email": shown.email, "phone": shown.phone,
        "address": shown.address,
        "birth_date": (birth.isoformat() if unmask else f"{birth.year}-**-**") if birth else None,
        "is_minor": shown.is_minor, "minor_band": shown.minor_band.value, "id_number": shown.id_number,
        "guardian_name": shown.guardian_name, "guardian_email": shown.guardian_email,
        "guardian_phone": shown.guardian_phone, "data_types": list(shown.data_types), "language": shown.language,
        "channel": shown.channel.value,
    }

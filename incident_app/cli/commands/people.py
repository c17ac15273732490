"""``people ID [--unmask]``: the affected people as JSON, masked unless --unmask (logged), filtered
by a search, age band or channel; ``people ID --edit PERSON --set FIELD=VALUE --reason …`` corrects
one person (logged) and prints them masked."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date
from typing import Any

from incident_app.cli.output import CliError, print_json, say
from incident_app.domain.clock import to_iso
from incident_app.domain.people import Person
from incident_app.services.container import Services
from incident_app.services.people import BANDS, CHANNEL_FILTERS, EDITABLE, Correction


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser("people", parents=[common], help="the incident's affected people as JSON (masked)")
    parser.add_argument("id", type=int, help="incident id")
    parser.add_argument("--unmask", action="store_true", help="show real names and contacts (recorded in the log)")
    parser.add_argument("--reason", default="", help="why the data is shown unmasked, or corrected (goes in the log)")
    parser.add_argument("--search", default="",
                        help="a whole e-mail or phone number (exact, normalised like the import: an index"
                             " probe), #ID for the person with that id (the \"id\" of the listing), the"
                             " beginning of a user id (an index), else part of a name or email,"
                             " or phone digits (reads every person: seconds at 10 million)")
    parser.add_argument("--band", choices=BANDS, help="only this age band on the incident day (under 14, 14-17, 18+)")
    parser.add_argument("--channel", choices=tuple(CHANNEL_FILTERS),
                        help="only people reached this way (email/sms/letter include via a guardian)")
    parser.add_argument("--offset", type=int, default=0)
    parser.add_argument("--limit", type=int, default=None, help="at most this many people (default: all)")
    parser.add_argument("--edit", type=int, metavar="PERSON_ID",
                        help="correct this person (the \"id\" of the listing) with --set and --reason")
    parser.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", dest="changes",
                        help=f"with --edit: a new value (empty clears it); fields: {', '.join(EDITABLE)}")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, services: Services) -> int:
    services.incidents.get(args.id)  # a clear "does not exist" before any output
    if args.edit is not None or args.changes:
        return _edit(args, services)
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
    total = people.count(args.id, args.search, band=args.band or "", channel=args.channel or "")
    limit = total if args.limit is None else args.limit
    masked = "false" if args.unmask else "true"
    purged = people.purged_at(args.id)
    if purged is not None:
        say(f"the contacts of incident {args.id} were purged on {to_iso(purged)} (retention): "
            "names, user ids, contacts, addresses and birth dates are blank; the counts stay")
    started = people.purge_started_at(args.id)
    if started is not None:
        say(f"the retention purge of incident {args.id} started on {to_iso(started)} and did not finish: some "
            "people are blank, the others not yet; run `retention purge` again to finish it")
    out.write(f'{{\n  "incident_id": {args.id},\n  "masked": {masked},\n')
    out.write(f'  "contacts_purged_at": {json.dumps(to_iso(purged) if purged else None)},\n')
    out.write(f'  "contacts_purge_started_at": {json.dumps(to_iso(started) if started else None)},\n')
    out.write(f'  "summary": {json.dumps(people.summary(args.id).to_dict(), ensure_ascii=False)},\n')
    out.write(f'  "matching": {total},\n  "people": [')
    for person in _selected(services, args, limit):
        out.write(("," if shown[0] else "") + "\n    " + json.dumps(_as_json(person, args.unmask), ensure_ascii=False))
        shown[0] += 1
    out.write("\n  ]\n}\n")
    out.flush()


def _selected(services: Services, args: argparse.Namespace, limit: int) -> Any:
    # The first page counts from --offset; each next one continues after the last person id
    # written (keyset paging: page 2,000 costs what page 1 does).
    offset, page, after = args.offset, 5000, None
    while limit > 0:
        batch = services.people.page(args.id, offset, min(page, limit), args.search, band=args.band or "",
                                     channel=args.channel or "", after=after)
        yield from batch
        if len(batch) < min(page, limit):
            return
        after = batch[-1].id
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


# -- correcting one person -------------------------------------------------------------------
_LISTING_ONLY = ("search", "band", "channel", "limit", "unmask")


def _edit(args: argparse.Namespace, services: Services) -> int:
    """``--edit PERSON_ID --set FIELD=VALUE … --reason TEXT``: print the corrected person
    masked with the fields changed and the channel before and after; warnings on stderr."""
    if args.edit is None:
        raise CliError("--set needs --edit PERSON_ID (the person's \"id\" in the listing)", 2)
    if not args.changes:
        raise CliError(f"--edit needs at least one --set FIELD=VALUE; fields: {', '.join(EDITABLE)}", 2)
    mixed = [f"--{name}" for name in _LISTING_ONLY if getattr(args, name)]
    if mixed or args.offset:
        raise CliError(f"--edit corrects one person: leave out {', '.join(mixed or ['--offset'])}", 2)
    result = services.people.edit_person(args.id, args.edit, _changes(args.changes), args.reason)
    for warning in result.warnings:
        say(f"warning: {warning}")
    print_json(_correction_json(args.id, result))
    return 0


def _changes(pairs: list[str]) -> dict[str, str]:
    """``["email=a@b.cn", "phone="]`` -> {"email": "a@b.cn", "phone": ""}; a pair without "="
    or a field given twice is refused (exit 2)."""
    changes: dict[str, str] = {}
    for pair in pairs:
        field, equals, value = pair.partition("=")
        field = field.strip()
        if not equals or not field:
            raise CliError(f"--set {pair!r}: write FIELD=VALUE (fields: {', '.join(EDITABLE)})", 2)
        if field in changes:
            raise CliError(f"--set {field}: given twice; keep one", 2)
        changes[field] = value
    return changes


def _correction_json(incident_id: int, result: Correction) -> dict[str, Any]:
    return {
        "incident_id": incident_id, "masked": True, "changed": list(result.fields),
        "channel": {"from": result.channel_before.value, "to": result.channel_after.value},
        "person": _as_json(result.person, False),
    }

"""``preview ID PERSON_ID [--unmask --reason TEXT]``: before approving, one affected person's
actual e-mail, letter and SMS (and a minor's guardian's) as JSON — the sender's and the letters
export's own rendering — masked unless ``--unmask`` with a reason (logged like ``people --unmask``).
Nothing is written or sent; PERSON_ID is the ``id`` that ``people ID`` lists."""

from __future__ import annotations

import argparse
from typing import Any

from incident_app.cli.output import print_json, say
from incident_app.domain.errors import ValidationError
from incident_app.services.container import Services

# Only an e-mail has a fallback: the sender assigns it to a recipient whose e-mail failed for good.
FALLBACK_WHEN = ("the e-mail fails for good (bounced or refused): SMS when a phone is on file, else a letter, "
                 "else the announcement")


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser("preview", parents=[common],
                            help="one person's actual e-mail, letter and SMS before approval (masked)")
    parser.add_argument("id", type=int, help="incident id")
    parser.add_argument("person_id", type=int, help="the person's id, as 'people ID' lists it")
    parser.add_argument("--unmask", action="store_true", help="show the real text (recorded in the log)")
    parser.add_argument("--reason", default="", help="why the text is shown unmasked (goes in the log)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, services: Services) -> int:
    if args.unmask and not args.reason.strip():
        raise ValidationError.single("reason", "say why the person's data must be shown (--reason; it is logged)")
    previews = services.notices.preview_person(args.id, args.person_id)
    partners = services.notices.shared_key_partners(args.id, args.person_id)
    if args.unmask:  # logged before anything is printed
        services.people.unmask(args.id, args.person_id, args.reason, where="notice preview (command line)")
    print_json({"incident": args.id, "person_id": args.person_id, "masked": not args.unmask, "notices": [
        {"kind": p.kind.value, "channel": p.channel.value, "lang": p.lang, "reference": p.reference,
         "to": p.to_masked, "subject": p.subject, "text": p.text if args.unmask else p.masked_text,
         **({"fallback": {"channel": p.fallback, "when": FALLBACK_WHEN}} if p.fallback else {})}
        for p in previews], **({"warnings": [shared_key_warning(partners)]} if partners else {})})
    if partners:
        say(shared_key_warning(partners))
    return 0


def shared_key_warning(partners: list[int]) -> str:
    """The preview still renders, but its reference is the other people's too (bilingual)."""
    named = ", ".join(f"#{other}" for other in partners)
    return (f"注意：此人与人员 {named} 共用一个发送记录键（参考编号相同），在更正之前发送和导出都会被拒绝"
            f" / warning: this person shares a send-ledger key (and so this reference) with person {named}:"
            " sending and exports are refused until one of them is corrected")

"""``edit ID --json FILE``: change some facts of an incident (only the keys in the file), validated
like intake; one event records each key's old and new value, and every clock recomputes.

``edit ID --field summary --lang en --value TEXT`` changes one language of a bilingual fact
(``--from-other-language`` starts it as a copy of the other language, marked untranslated until
edited); ``edit ID --element situation --lang en --value TEXT [--audience individual]`` sets the
officer's own wording of one notice element, for one audience or (without it) for the authorities."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import Any

from incident_app.cli.json_input import read_json_file
from incident_app.cli.output import print_json
from incident_app.domain.errors import ValidationError
from incident_app.domain.incident import Incident
from incident_app.services.container import Services


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser("edit", parents=[common], help="change facts of an incident (only the keys given)")
    parser.add_argument("id", type=int, help="incident id")
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--json", dest="json_file", metavar="FILE",
                      help='the changed facts only, e.g. {"affected_people": 5200} (keys: docs/intake.md)')
    what.add_argument("--field", help="one fact with two languages: title, summary, discovered_by, location, "
                                      "systems (with --lang and --value or --from-other-language)")
    what.add_argument("--element", help="a notice element's own wording, e.g. situation (with --lang and --value)")
    parser.add_argument("--lang", choices=("zh-CN", "en"), help="which language's text to change")
    parser.add_argument("--value", help="the new text (systems: one per line or comma-separated; "
                                        "with --element an empty text returns to the generated wording)")
    parser.add_argument("--from-other-language", action="store_true",
                        help="with --field: start from the other language's text, marked untranslated until edited")
    parser.add_argument("--audience", default="", help="with --element: individual, guardian, minor, "
                                                       "public_announcement or partner (default: the authorities)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, services: Services) -> int:
    if args.json_file:
        changes = read_json_file(args.json_file)
        if not isinstance(changes, Mapping) or not changes:
            raise ValidationError.single("(file)", "must be a JSON object with the facts to change, "
                                                   'e.g. {"affected_people": 5200}')
        return _print_changes(services, args.id, lambda: services.incidents.update_facts(args.id, changes))
    if not args.lang:
        raise ValidationError.single("--lang", "say which language to change: --lang zh-CN or --lang en")
    if args.element:
        return _edit_element(args, services)
    if args.from_other_language == (args.value is not None):
        raise ValidationError.single("--value", "give either --value TEXT or --from-other-language")
    if args.from_other_language:
        return _print_changes(services, args.id,
                              lambda: services.incidents.start_from_other_language(args.id, args.field, args.lang))
    value: str | list[str] = args.value
    if args.field == "systems":
        value = [v.strip() for v in args.value.replace("\n", ",").split(",") if v.strip()]
    return _print_changes(services, args.id,
                          lambda: services.incidents.set_fact_text(args.id, args.field, args.lang, value))


def _edit_element(args: argparse.Namespace, services: Services) -> int:
    if args.value is None:
        raise ValidationError.single("--value", "give the element's text with --value (empty: back to generated)")
    services.notices.set_element_text(args.id, args.element, args.lang, args.value, args.audience)
    print_json({"id": args.id, "element": args.element, "lang": args.lang, "audience": args.audience or "authorities",
                "text": args.value.strip()})
    return 0


def _print_changes(services: Services, incident_id: int, change: Any) -> int:
    before = services.incidents.get(incident_id).facts.to_dict()
    updated: Incident = change()
    after = updated.facts.to_dict()
    keys = [*after, *(k for k in before if k not in after)]  # a removed ransom is a change too
    print_json({"id": incident_id, "changed": {k: {"from": before.get(k), "to": after.get(k)}
                                               for k in keys if before.get(k) != after.get(k)}})
    return 0

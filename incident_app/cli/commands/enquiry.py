"""``enquiry``: the enquiry desk from the command line (JSON out).

- ``enquiry add ID --channel C --received-at TIME --contact X --topic T [--text …]``
- ``enquiry lookup ID (--phone P | --email E | --user-id U)``: affected or not, the person masked
- ``enquiry list ID [--topic T] [--status S] [--overdue]``
- ``enquiry reply ENQ (--template T | --note TEXT) [--via phone|email] [relay options | --dry-run DIR]``
- ``enquiry bulk-reply ID --template T (--ids 1,2,3 | --topic T …) [--via …]``
- ``enquiry close ENQ [--outcome done|refused|withdrawn]``
- ``enquiry faq ID [--topic T]``: the pre-filled answers the phone team reads (both languages)"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from incident_app.cli.output import CliError, print_json, say
from incident_app.domain.enquiries import EnquiryChannel, EnquiryFilter, EnquiryStatus, ReplyKind, RequestOutcome, Topic
from incident_app.domain.errors import ValidationError
from incident_app.domain.mail.sending import SmtpSettings, TlsMode
from incident_app.services.container import Services
from incident_app.services.enquiries import ReplyMail
from incident_app.services.enquiries.replies import LANGUAGES, template_names
from incident_app.services.mail import SendAborted

DEFAULT_PORT_MODES = {465: TlsMode.TLS, 587: TlsMode.STARTTLS}
LIST_LIMIT = 200


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser("enquiry", parents=[common], help="the enquiry desk: log, look up, reply, close")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", parents=[common], help="log an enquiry; prints it with its due times")
    add.add_argument("id", type=int, help="incident id")
    add.add_argument("--channel", required=True, help=" | ".join(c.value for c in EnquiryChannel))
    add.add_argument("--received-at", default="now", metavar="TIME",
                     help="when it arrived, ISO 8601 (no offset = Beijing time), or 'now'")
    add.add_argument("--contact", required=True, help="the enquirer's phone, e-mail or user id")
    add.add_argument("--contact-kind", default="", choices=("", "phone", "email", "user_id", "other"),
                     help="what --contact is (guessed when left out)")
    add.add_argument("--topic", required=True, help=" | ".join(t.value for t in Topic))
    add.add_argument("--text", default="", help="what they said, in a few words")
    add.add_argument("--handler", dest="handled_by", default=None,
                     help="who handles it (default: the actor in settings)")
    lookup = actions.add_parser("lookup", parents=[common], help="is this person affected? (masked)")
    lookup.add_argument("id", type=int, help="incident id")
    by = lookup.add_mutually_exclusive_group(required=True)
    by.add_argument("--phone")
    by.add_argument("--email")
    by.add_argument("--user-id")
    listing = actions.add_parser("list", parents=[common], help="the incident's enquiries, newest first")
    listing.add_argument("id", type=int, help="incident id")
    listing.add_argument("--topic", choices=[t.value for t in Topic])
    listing.add_argument("--status", choices=[s.value for s in EnquiryStatus])
    listing.add_argument("--overdue", action="store_true", help="only enquiries past a due time")
    listing.add_argument("--offset", type=int, default=0)
    listing.add_argument("--limit", type=int, default=LIST_LIMIT)
    reply = actions.add_parser("reply", parents=[common], help="reply by template or record a reply note")
    reply.add_argument("enquiry", type=int, help="enquiry id")
    what = reply.add_mutually_exclusive_group(required=True)
    what.add_argument("--template", choices=template_names())
    what.add_argument("--note", help="the reply given (e.g. on the phone)")
    _reply_options(reply)
    bulk = actions.add_parser("bulk-reply", parents=[common], help="one template to a selection of enquiries")
    bulk.add_argument("id", type=int, help="incident id")
    bulk.add_argument("--template", required=True, choices=template_names())
    bulk.add_argument("--ids", default="", help="enquiry ids, comma-separated (else the filter below)")
    bulk.add_argument("--topic", choices=[t.value for t in Topic])
    bulk.add_argument("--status", choices=[s.value for s in EnquiryStatus])
    bulk.add_argument("--overdue", action="store_true")
    _reply_options(bulk)
    close = actions.add_parser("close", parents=[common], help="close an answered enquiry")
    close.add_argument("enquiry", type=int, help="enquiry id")
    close.add_argument("--outcome", default="", help="for complaints and requests: "
                       + " | ".join(o.value for o in RequestOutcome if o != RequestOutcome.PENDING))
    close.add_argument("--at", default=None, metavar="TIME", help="when it was closed (default: now)")
    faq = actions.add_parser("faq", parents=[common], help="the answers per topic, pre-filled from the incident")
    faq.add_argument("id", type=int, help="incident id")
    faq.add_argument("--topic", choices=[t.value for t in Topic])
    for action in (add, lookup, listing, reply, bulk, close, faq):
        action.set_defaults(handler=handle)
    parser.set_defaults(handler=handle)


def _reply_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--via", choices=[k.value for k in ReplyKind], default=None,
                        help="email (through the relay), phone (read out), note; default: email when a relay "
                             "or --dry-run is given, else phone")
    parser.add_argument("--language", choices=LANGUAGES, default=None, help="default: the person's language")
    parser.add_argument("--at", default=None, metavar="TIME", help="when a phone reply was given (default: now)")
    relay = parser.add_argument_group("relay (e-mail replies)")
    relay.add_argument("--smtp-host", metavar="H")
    relay.add_argument("--smtp-port", metavar="P", type=int)
    mode = relay.add_mutually_exclusive_group()
    mode.add_argument("--tls", dest="tls_mode", action="store_const", const=TlsMode.TLS)
    mode.add_argument("--starttls", dest="tls_mode", action="store_const", const=TlsMode.STARTTLS)
    mode.add_argument("--plain", dest="tls_mode", action="store_const", const=TlsMode.PLAIN)
    relay.add_argument("--user", default="", metavar="U")
    relay.add_argument("--password-env", metavar="VAR", help="read the SMTP password from this variable")
    relay.add_argument("--from", dest="from_address", metavar="ADDRESS", help="default: the PI officer's e-mail")
    relay.add_argument("--dry-run", metavar="DIR", type=Path, help="write the e-mail as an .eml file instead")


def handle(args: argparse.Namespace, services: Services) -> int:
    handlers = {"add": _add, "lookup": _lookup, "list": _list, "reply": _reply, "bulk-reply": _bulk,
                "close": _close, "faq": _faq}
    try:
        return handlers[args.action](args, services)
    except SendAborted as exc:
        raise CliError(f"the reply was not sent: {exc}", 1) from None


def _add(args: argparse.Namespace, services: Services) -> int:
    data = {"channel": args.channel, "received_at": args.received_at, "contact": args.contact,
            "contact_kind": args.contact_kind, "topic": args.topic, "text": args.text, "handler": args.handled_by}
    enquiry = services.enquiries.add(args.id, data)
    print_json(enquiry.to_dict(services.ctx.now()))
    for year in enquiry.unpublished_years():
        say(f"note: the official holiday calendar for {year} is not announced yet; the due times count "
            "Monday–Friday there and are an estimate: check them when the State Council publishes it")
    return 0


def _lookup(args: argparse.Namespace, services: Services) -> int:
    kind, value = (("phone", args.phone) if args.phone is not None else ("email", args.email)
                   if args.email is not None else ("user_id", args.user_id))
    print_json(services.enquiries.lookup(args.id, kind, value).to_dict())
    return 0


def _filter(args: argparse.Namespace, services: Services) -> EnquiryFilter:
    return EnquiryFilter(Topic(args.topic) if args.topic else None,
                         EnquiryStatus(args.status) if args.status else None,
                         services.ctx.now() if args.overdue else None)


def _list(args: argparse.Namespace, services: Services) -> int:
    query, now = _filter(args, services), services.ctx.now()
    rows = services.enquiries.page(args.id, query, max(args.offset, 0), max(min(args.limit, 10_000), 1))
    print_json({"incident_id": args.id, "total": services.enquiries.count(args.id, query),
                "offset": args.offset, "enquiries": [e.to_dict(now) for e in rows],
                "metrics": services.enquiries.metrics(args.id).to_dict()})
    return 0


def _via(args: argparse.Namespace) -> ReplyKind:
    if args.via:
        return ReplyKind(args.via)
    return ReplyKind.EMAIL if (args.smtp_host or args.dry_run) else ReplyKind.PHONE


def _mail(args: argparse.Namespace, services: Services, via: ReplyKind) -> ReplyMail | None:
    if via != ReplyKind.EMAIL:
        return None
    if args.dry_run is None and (not args.smtp_host or not args.smtp_port):
        raise CliError("an e-mail reply needs --smtp-host and --smtp-port (or --dry-run DIR)", 2)
    mode = args.tls_mode or DEFAULT_PORT_MODES.get(args.smtp_port or 0)
    if args.dry_run is None and mode is None:
        raise CliError(f"port {args.smtp_port}: choose --tls, --starttls or --plain explicitly", 2)
    profile = services.profile.get()
    settings = SmtpSettings(host=args.smtp_host or "", port=args.smtp_port or 0, tls_mode=mode or TlsMode.PLAIN,
                            from_address=args.from_address or profile.officer_email, from_name=profile.company_zh,
                            reply_to=profile.officer_email, user=args.user)
    password = None
    if args.user:
        if not args.password_env or args.password_env not in os.environ:
            raise CliError("logging in to the relay needs --password-env VAR with the password in $VAR", 2)
        password = os.environ[args.password_env]
    return ReplyMail(settings, password, args.dry_run)


def _reply(args: argparse.Namespace, services: Services) -> int:
    via = _via(args)
    if args.note and via == ReplyKind.EMAIL:
        raise CliError("--note records a reply given another way; an e-mail reply uses --template", 2)
    reply = services.enquiries.reply(args.enquiry, via=via, template=args.template or "", note=args.note or "",
                                     language=args.language, at=args.at, mail=_mail(args, services, via))
    enquiry = services.enquiries.get(args.enquiry)
    print_json({"reply": reply.to_dict() | ({"file": reply.relay_reply} if reply.state == "dry_run" else {}),
                "enquiry": enquiry.to_dict(services.ctx.now())})
    return 0 if reply.state in ("recorded", "sent", "dry_run") else 1


def _bulk(args: argparse.Namespace, services: Services) -> int:
    via = _via(args)
    if args.ids:
        try:
            ids = [int(part) for part in args.ids.split(",") if part.strip()]
        except ValueError:
            raise ValidationError.single("--ids", "give enquiry ids separated by commas, e.g. 12,13,20") from None
    else:
        ids = services.ctx.store.enquiries.ids(args.id, _filter(args, services))
    result = services.enquiries.bulk_reply(args.id, ids, via=via, template=args.template, language=args.language,
                                           mail=_mail(args, services, via))
    print_json({"incident_id": args.id, "selected": len(ids)} | result)
    return 0 if not result["failed"] else 1


def _close(args: argparse.Namespace, services: Services) -> int:
    enquiry = services.enquiries.close(args.enquiry, args.outcome, args.at)
    print_json(enquiry.to_dict(services.ctx.now()))
    return 0


def _faq(args: argparse.Namespace, services: Services) -> int:
    topics = [Topic(args.topic)] if args.topic else list(Topic)
    print_json({"incident_id": args.id, "faq": {t.value: {lang: services.enquiries.faq(args.id, t, lang)
                                                        for lang in LANGUAGES} for t in topics}})
    return 0

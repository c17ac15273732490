"""``send ID``: send the approved personal email notices through the SMTP relay (resumable), or
write them as .eml files (``--dry-run DIR``), or send one test copy to yourself (``--test-to``)."""

from __future__ import annotations

import argparse
import getpass
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from incident_app.cli.output import CliError, print_json, say
from incident_app.cli.progress_bar import ProgressBar
from incident_app.domain.errors import ValidationError
from incident_app.domain.mail.message import english_sender_name
from incident_app.domain.mail.sending import (
    DEFAULT_DATA_TIMEOUT_S,
    DEFAULT_TIMEOUT_S,
    MessageSource,
    RetryPolicy,
    SendState,
    SmtpSettings,
    TlsMode,
    parse_rate,
    validate_smtp_settings,
)
from incident_app.services.container import Services
from incident_app.services.mail import (
    NoMessageSource,
    NotApproved,
    RunStats,
    SecretStore,
    SendAborted,
    SendBusy,
    account_name,
    default_message_source,
    resolve_password,
)
from incident_app.services.private_files import read_regular_file
from incident_app.services.progress import Progress

DEFAULT_PORT_MODES = {465: TlsMode.TLS, 587: TlsMode.STARTTLS}


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser(
        "send", parents=[common], help="send the approved personal email notices (resumable)",
        description="Send every approved personal email notice not yet sent; a second run resumes. "
                    "Prints counts by state as JSON.")
    parser.add_argument("id", type=int, help="incident id")
    relay = parser.add_argument_group("relay")
    relay.add_argument("--smtp-host", metavar="H", help="SMTP relay host")
    relay.add_argument("--smtp-port", metavar="P", type=int, help="465 = implicit TLS, 587 = STARTTLS")
    mode = relay.add_mutually_exclusive_group()
    mode.add_argument("--tls", dest="tls_mode", action="store_const", const=TlsMode.TLS, help="implicit TLS")
    mode.add_argument("--starttls", dest="tls_mode", action="store_const", const=TlsMode.STARTTLS,
                      help="plain greeting, then mandatory STARTTLS")
    mode.add_argument("--plain", dest="tls_mode", action="store_const", const=TlsMode.PLAIN,
                      help="no encryption (loopback or internal relays; never with a password off-host)")
    relay.add_argument("--ca-file", default="", help="extra CA certificate (PEM) for an internal relay")
    relay.add_argument("--user", metavar="U", default="", help="SMTP login")
    relay.add_argument("--password-env", metavar="VAR", help="read the password from this environment variable")
    relay.add_argument("--save-password", action="store_true", help="store the password in the OS keyring")
    _add_message_options(parser)
    _add_pace_options(parser)
    parser.set_defaults(handler=handle)


def _add_message_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("message")
    group.add_argument("--from", dest="from_address", metavar="ADDRESS",
                       help="sender address (default: the PI officer's email in the profile)")
    group.add_argument("--from-name", help="sender display name (default: company name)")
    group.add_argument("--reply-to", help="reply address (default: the PI officer's email)")
    group.add_argument("--brief", action="store_true",
                       help="send the approved internal brief to every responsible person in the profile "
                            "(instead of the personal notices); works with --dry-run and --test-to")
    group.add_argument("--dry-run", metavar="DIR", type=Path, help="write .eml files to DIR instead of sending")
    group.add_argument("--test-to", metavar="ADDRESS", help="send only the first notice, marked TEST, to yourself")
    group.add_argument("--bounces", metavar="FILE", type=Path,
                       help="record bounced notices: FILE lists their Message-IDs, one a line")
    group.add_argument("--requeue", metavar="STATE", action="append", choices=("failed", "in_doubt"),
                       help="put failed or in_doubt notices back in the queue once the relay is fixed "
                            "(repeatable; sends nothing — run send again)")


def _add_pace_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("pace")
    group.add_argument("--concurrency", metavar="N", type=int, default=10, help="parallel connections (10)")
    group.add_argument("--rate", metavar="R/s", default="0", help="messages per second, e.g. 50/s (no limit)")
    group.add_argument("--timeout", metavar="S", type=float, default=DEFAULT_TIMEOUT_S,
                       help=f"seconds to wait for each SMTP reply ({DEFAULT_TIMEOUT_S:g})")
    group.add_argument("--data-timeout", metavar="S", type=float, default=DEFAULT_DATA_TIMEOUT_S,
                       help=f"seconds to wait for the relay's answer after the message body "
                            f"({DEFAULT_DATA_TIMEOUT_S:g}; a time-out there leaves the notice in doubt)")
    group.add_argument("--max-attempts", metavar="N", type=int, default=5, help="attempts per recipient (5)")
    group.add_argument("--retry-base", metavar="S", type=float, default=30.0,
                       help="first retry delay in seconds, doubling each time (30)")


def handle(args: argparse.Namespace, services: Services) -> int:
    source = _brief_source(services) if args.brief else _source(services)
    settings = _settings(args, services)
    try:
        return _dispatch(args, services, source, settings)
    except NotApproved as exc:
        raise CliError(f"refusing to send: {exc} (a --dry-run works without approval)", 2) from None
    except SendBusy as exc:
        raise CliError(str(exc), 1) from None
    except SendAborted as exc:
        raise CliError(f"sending stopped: {exc}", 1) from None


MAX_BOUNCES_BYTES = 16 * 1024 * 1024  # one Message-ID a line: far more than any mailing returns


def _read_bounces(path: Path) -> list[str]:
    """The Message-IDs of the bounce list, one a line (a regular file only: a pipe would hang)."""
    try:
        return read_regular_file(path.expanduser(), MAX_BOUNCES_BYTES).decode("utf-8-sig").splitlines()
    except FileNotFoundError:
        raise CliError(f"{path}: file not found", 2) from None
    except UnicodeDecodeError:
        raise CliError(f"{path}: not UTF-8 text; save the bounce list as UTF-8", 2) from None


def _dispatch(args: argparse.Namespace, services: Services, source: MessageSource, settings: SmtpSettings) -> int:
    if args.dry_run:
        result = services.mail.dry_run(args.id, source, settings, args.dry_run)
        print_json({"dry_run": result.folder, "written": result.written, "blocked": result.blocked})
        return 0
    if args.bounces:
        lines = _read_bounces(args.bounces)
        print_json({"bounces_recorded": services.mail.record_bounces(args.id, lines, source)})
        return 0
    if args.requeue:
        requeued = services.mail.requeue(args.id, [SendState(s) for s in args.requeue])
        print_json(requeued.to_dict())
        return 0
    password = _password(args, settings)
    if args.test_to:
        test = services.mail.send_test(args.id, source, settings, password, args.test_to)
        print_json({"test_sent_to": test.to, "message_id": test.message_id, "reply": test.reply})
        return 0
    left = services.mail.left_in_flight(args.id)
    if left:
        say(f"note: {left} notice(s) were being sent when an earlier send stopped abruptly (killed or crashed); "
            "the relay may already have them: each is re-sent once with the same Message-ID and flagged in doubt")
    bar = ProgressBar()
    summary = services.mail.send(args.id, source, settings, password,
                                 progress=Progress(on_change=bar.update, min_interval_s=0.2))
    bar.finish()
    print_json(summary.to_dict())
    _say_what_is_left(summary.run)
    if summary.outcome == "aborted":
        queued = summary.overview.by_state.get(SendState.QUEUED, 0) + summary.overview.by_state.get(
            SendState.DEFERRED, 0)
        say(f"sending stopped: {summary.run.aborted}. No recipient was marked failed for it; {queued} notice(s) "
            "stay queued — fix the relay settings or ask the relay's administrator, then run send again")
        return 1
    return 0


def _say_what_is_left(run: RunStats) -> None:
    if run.in_doubt:
        say(f"{run.in_doubt} notice(s) are in doubt: twice the relay gave no valid final answer to the message "
            "(no reply, a dropped connection or a reply that is not SMTP), so it may have them; they are not counted "
            "failed and not sent again — check with the relay, then: send ID --requeue in_doubt")
    if run.deferred:
        say(f"{run.deferred} notice(s) were refused temporarily every time in this run; they stay queued for "
            "the next send")


def _brief_source(services: Services) -> MessageSource:
    """The internal brief to the responsible persons (refused with exit 2 when none are on file)."""
    from incident_app.services.notices.brief_mail import BriefMessageSource

    if not services.profile.get().responsible_persons:
        raise CliError("no responsible persons in the organisation profile: add them in Settings or with "
                       "profile set responsible_persons '[{\"name\": …, \"role\": …, \"email\": …}]'", 2)
    return BriefMessageSource(services.notices, services.profile.get)


def _source(services: Services) -> MessageSource:
    try:
        return default_message_source(services)
    except NoMessageSource as exc:
        raise CliError(str(exc), 2) from None


def _settings(args: argparse.Namespace, services: Services) -> SmtpSettings:
    needs_server = not (args.dry_run or args.bounces or args.requeue)
    if needs_server and (not args.smtp_host or not args.smtp_port):
        raise CliError("give --smtp-host and --smtp-port (or --dry-run DIR to write .eml files)", 2)
    mode = args.tls_mode or DEFAULT_PORT_MODES.get(args.smtp_port)
    if needs_server and mode is None:
        raise CliError(f"port {args.smtp_port}: choose --tls, --starttls or --plain explicitly", 2)
    try:
        settings = _typed_settings(args, services, mode or TlsMode.PLAIN)
        validate_smtp_settings(settings, needs_server=needs_server)  # before any password prompt
    except ValidationError as exc:  # name the command-line option, not the settings field
        raise ValidationError(replace(p, field=_OPTIONS.get(p.field, p.field)) for p in exc.problems) from None
    return settings


# The settings fields as the officer typed them on the command line.
_OPTIONS = {"smtp_host": "--smtp-host", "smtp_port": "--smtp-port", "from": "--from", "reply_to": "--reply-to",
            "from_name": "--from-name", "concurrency": "--concurrency", "rate": "--rate", "timeout": "--timeout",
            "data_timeout": "--data-timeout", "max_attempts": "--max-attempts", "retry_base": "--retry-base"}


def _typed_settings(args: argparse.Namespace, services: Services, mode: TlsMode) -> SmtpSettings:
    profile = services.profile.get()
    return SmtpSettings(
        host=args.smtp_host or "", port=args.smtp_port or 0, tls_mode=mode,
        from_address=args.from_address or profile.officer_email,
        from_name=profile.company_zh if args.from_name is None else args.from_name,
        from_name_en=english_sender_name(args.from_name or "", profile.company_zh, profile.company_en),
        reply_to=profile.officer_email if args.reply_to is None else args.reply_to,
        user=args.user, concurrency=args.concurrency, rate_per_s=parse_rate(args.rate),
        timeout_s=args.timeout, data_timeout_s=args.data_timeout, ca_file=args.ca_file,
        retry=RetryPolicy(max_attempts=args.max_attempts, base_delay_s=args.retry_base),
    )


def _password(args: argparse.Namespace, settings: SmtpSettings) -> str | None:
    """Only when logging in: $VAR, else the keyring, else a prompt on a terminal."""
    if not settings.user:
        return None
    store = SecretStore()
    account = account_name(settings.host, settings.port, settings.user)
    prompt = _prompt if sys.stdin.isatty() else None
    password = resolve_password(store, account, env_var=args.password_env, prompt=prompt)
    if args.save_password:
        where = store.remember(account, password, persist=True)
        if where != "keyring":
            say("no working OS keyring on this machine: the password is used for this run only, not saved")
    return password


def _prompt(account: str) -> str | None:
    return getpass.getpass(f"SMTP password for {account}: ") or None

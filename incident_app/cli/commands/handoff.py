"""SMS and phone hand-off: ``sms-pack ID`` (the gateway template approval pack), ``export-sms ID
--out FILE.csv [--provider generic|aliyun|tencent]``, ``export-calls ID --out FILE.csv`` and the
provider's report back into the send ledger: ``import-sms-report ID FILE.csv`` and
``import-call-report ID FILE.csv``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from incident_app.cli.output import print_json, say
from incident_app.domain.errors import ValidationError
from incident_app.domain.notices.sms_gateway import Provider
from incident_app.domain.profile import sms_signature_en_problems
from incident_app.services.container import Services

PROVIDERS = [p.value for p in Provider]


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    pack = sub.add_parser("sms-pack", parents=[common], help="the SMS template approval pack for the gateway",
                          description="Each SMS notice as a gateway template: fixed text, variables (kind, "
                                      "maximum length, example), worst-case length and segments with the "
                                      "signature, and the gateway rules it breaks.")
    pack.add_argument("id", type=int, help="incident id")
    _provider_and_signature(pack)
    pack.set_defaults(handler=handle_pack)

    sms = sub.add_parser("export-sms", parents=[common], help="the SMS batch file for the gateway (approved notices)",
                         description="One row per SMS recipient in the provider's batch layout (UTF-8 with BOM, "
                                     "mode 0600); queues one send-ledger row each until the report is imported.")
    sms.add_argument("id", type=int, help="incident id")
    sms.add_argument("--out", type=Path, required=True, metavar="FILE.csv", help="the batch file to write")
    _provider_and_signature(sms)
    sms.set_defaults(handler=handle_export_sms)

    calls = sub.add_parser("export-calls", parents=[common], help="the phone call list for the approved script",
                           description="Everyone with a phone number not reached by e-mail, with the script's "
                                       "version and hash; queues one send-ledger row each (channel phone).")
    calls.add_argument("id", type=int, help="incident id")
    calls.add_argument("--out", type=Path, required=True, metavar="FILE.csv", help="the call list to write")
    calls.set_defaults(handler=handle_export_calls)

    for name, channel, what in (("import-sms-report", "sms", "SMS gateway's send report"),
                                ("import-call-report", "phone", "call centre's outcome list")):
        report = sub.add_parser(name, parents=[common], help=f"mark people notified from the {what}",
                                description=f"Reads the {what} (CSV: phone or out_id, status, optional message "
                                            "id and reason); all or nothing, a second import changes nothing.")
        report.add_argument("id", type=int, help="incident id")
        report.add_argument("file", type=Path, help="the report (CSV, UTF-8 or GB18030)")
        report.add_argument("--provider", choices=PROVIDERS, default="generic", help="whose report it is")
        report.add_argument("--encoding", metavar="CODEC",
                            help="the report's text encoding when it is neither UTF-8 nor Chinese GB18030 (e.g."
                                 " cp1252, latin-1); without it such a file is refused, naming the line")
        report.set_defaults(handler=handle_import, channel=channel)


def _provider_and_signature(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--provider", choices=PROVIDERS, default="generic",
                        help="batch layout: generic (E.164, values, final text, version), aliyun, tencent")
    parser.add_argument("--signature", default=None,
                        help="the approved SMS signature, 2-12 characters (default: the company's Chinese name)")
    parser.add_argument("--signature-en", default=None,
                        help="the approved signature of English SMS, 2-12 Latin letters (default: the profile's "
                             "sms_signature_en, else the Chinese signature, which bills English SMS in UCS-2)")


def _check_signature_en(args: argparse.Namespace) -> None:
    """``--signature-en`` under the profile field's rule (sms_signature_en), with its message:
    refused (exit 2) before anything is read or written."""
    if problems := sms_signature_en_problems(args.signature_en or "", "signature_en"):
        raise ValidationError(problems)


def handle_pack(args: argparse.Namespace, services: Services) -> int:
    _check_signature_en(args)
    print_json(services.handoff.approval_pack(args.id, signature=args.signature, provider=Provider(args.provider),
                                               signature_en=args.signature_en))
    return 0


def handle_export_sms(args: argparse.Namespace, services: Services) -> int:
    _check_signature_en(args)
    result = services.handoff.export_sms(args.id, args.out, provider=Provider(args.provider), signature=args.signature,
                                         signature_en=args.signature_en)
    files = ", ".join(f"{f['path']} ({f['rows']:,})" for f in result["files"])
    say(f"{result['rows']:,} SMS row(s) written: {files}; import the provider's report with "
        f"'import-sms-report {args.id} FILE --provider {args.provider}'")
    print_json(result)
    return 0


def handle_export_calls(args: argparse.Namespace, services: Services) -> int:
    result = services.handoff.export_calls(args.id, args.out)
    say(f"{result['rows']:,} call(s) listed in {args.out}; "
        f"import the outcomes with 'import-call-report {args.id} FILE'")
    print_json(result)
    return 0


def handle_import(args: argparse.Namespace, services: Services) -> int:
    print_json(services.handoff.import_report(args.id, args.file, provider=Provider(args.provider),
                                              channel=args.channel, encoding=args.encoding))
    return 0

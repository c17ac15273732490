"""``notices ID --out DIR [--lang zh-CN,en] [--format pdf,docx,html,txt,eml]``: render every
required notice, write the files, print each notice's completeness check as JSON."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from incident_app.cli.output import print_json, say
from incident_app.cli.progress_bar import ProgressBar
from incident_app.domain.assessment.people import gap_note, people_count
from incident_app.services.container import Services
from incident_app.services.notices import PdfWriter
from incident_app.services.progress import Progress


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser("notices", parents=[common], help="render every required notice and check it")
    parser.add_argument("id", type=int, help="incident id")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder for the files")
    parser.add_argument("--lang", default="zh-CN,en", help="languages, comma-separated (default: zh-CN,en)")
    parser.add_argument("--format", dest="formats", default="pdf,docx,html,txt,eml",
                        help="formats, comma-separated: pdf, docx, html, txt, eml (default: all)")
    parser.set_defaults(handler=handle)


def _pdf_writer(formats: list[str]) -> PdfWriter | None:
    """The Qt adapter, imported only when a PDF is wanted (the CLI itself never imports Qt)."""
    if "pdf" not in formats:
        return None
    from incident_app.adapters.qt_pdf import QtPdfWriter

    return QtPdfWriter()


def handle(args: argparse.Namespace, services: Services) -> int:
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    langs = [lang.strip() for lang in args.lang.split(",") if lang.strip()]
    bar = ProgressBar()  # stderr: rendering, then files and recipients with rate and ETA
    progress = Progress(on_change=bar.update, min_interval_s=0.2)
    notice_set, result = services.notices.export(args.id, args.out, formats, langs=langs,
                                                 pdf_writer=_pdf_writer(formats), progress=progress)
    bar.finish()
    people = people_count(notice_set.snapshot.data)
    print_json(notice_set.to_dict() | {"out": str(args.out), "people_count": people, **result.to_dict(args.out)})
    if people["gap_to_estimate"]:
        say(gap_note(people["intake_estimate"], people["used"]))
    incomplete = [n for n in notice_set.notices if n.status in ("incomplete", "error")]
    if incomplete:
        say(f"{len(incomplete)} notice(s) incomplete; see 'problems' and 'elements' in the output")
    return 0

"""Render 1,000,000 personal email notices and compare with bare Jinja2 in the same run.

    .venv/bin/python bench/render_notices.py [--count 1000000] [--baseline-count 100000]

Ours: ``PersonalRenderer.emails`` — for every recipient the full email (subject, plain-text part
and HTML part with the recipient's name, reference line and data types), in the Jinja2 sandbox
with StrictUndefined and autoescape. Baseline: a plain ``jinja2.Environment`` (no sandbox) rendering
only the HTML email template of the same recipient with a ready-made context. Baseline throughput
is a rate, measured on ``--baseline-count`` recipients to keep the run short. A third line shows
our path with the group cache disabled (every notice fully rendered), for honesty.

Target: ours ≥ 0.5 × baseline. It also prints the peak RSS after a tenth of the notices and after
all of them: rendering streams, so the two match (bench/streaming_memory.py measures the same
from a database of people, with the exports)."""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import jinja2

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from incident_app.domain.notices.kinds import Channel, NoticeKind
from incident_app.domain.notices.recipient import NoticeRecipient
from incident_app.services.notices.context import NoticeContextBuilder, ReportInfo
from incident_app.services.notices.personal import PersonalRenderer
from incident_app.services.notices.render import (
    NoticeRenderer,
    channel_template,
    contact_expectations,
    recipient_fields,
)
from incident_app.services.notices.sample import sample_snapshot
from incident_app.services.notices.templates import NoticeTemplates
from incident_app.services.resources import TEMPLATES_DIR, load_catalog, load_default_profile

TYPE_SETS = [("phone_number",), ("device_identifiers",), ("ip_address",), ("phone_number", "device_identifiers"),
             ("phone_number", "ip_address"), ("device_identifiers", "ip_address"), ()]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"


def recipients(count: int) -> Iterator[NoticeRecipient]:
    """Synthetic people: 80% Chinese, 20% English; 2% guardians of children; mixed data types."""
    for i in range(count):
        english = i % 5 == 0
        guardian = i % 50 == 7
        name = f"Person {i}" if english else f"{SURNAMES[i % 20]}某{i}"
        yield NoticeRecipient(f"u{i}", name, "en" if english else "zh-CN", f"u{i}@example.com", "", "",
                              TYPE_SETS[i % len(TYPE_SETS)], guardian, "张*明" if guardian else "")


def build() -> tuple[NoticeRenderer, NoticeContextBuilder]:
    snapshot = sample_snapshot(load_default_profile(), load_catalog())
    builder = NoticeContextBuilder(snapshot, ReportInfo(planned=(NoticeKind.INDIVIDUAL, NoticeKind.GUARDIAN)))
    return NoticeRenderer(NoticeTemplates(), builder, contact_expectations(builder)), builder


def rss_mb() -> float:
    """Peak resident memory of this process so far."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_ours(renderer: NoticeRenderer, count: int, *, cache: bool,
             marks: list[float] | None = None) -> tuple[float, int]:
    """Our path; ``marks`` receives the peak RSS after a tenth of the notices and at the end
    (a streaming render keeps the two equal: memory flat in the number of people)."""
    personal = PersonalRenderer({NoticeKind.INDIVIDUAL: renderer, NoticeKind.GUARDIAN: renderer},
                                full_check_every=1 if not cache else 1000)
    size = 0
    tenth = max(count // 10, 1)
    start = time.perf_counter()
    for done, email in enumerate(personal.emails(recipients(count)), 1):
        size += len(email.html_body) + len(email.text_body) + len(email.subject)
        if marks is not None and done == tenth:
            marks.append(rss_mb())
    if marks is not None:
        marks.append(rss_mb())
    return time.perf_counter() - start, size


def run_bare(builder: NoticeContextBuilder, count: int) -> tuple[float, int]:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
                             autoescape=jinja2.select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True)
    contexts: dict[tuple[NoticeKind, str, tuple[str, ...]], dict[str, object]] = {}
    size = 0
    start = time.perf_counter()
    for person in recipients(count):
        kind = NoticeKind.GUARDIAN if person.is_guardian else NoticeKind.INDIVIDUAL
        key = (kind, person.language, person.data_type_ids)
        if key not in contexts:
            types = person.data_type_ids or None
            contexts[key] = builder.context(kind, Channel.EMAIL_HTML, person.language, None, types)
        context = dict(contexts[key])
        context["recipient"] = recipient_fields(1, person)
        size += len(env.get_template(channel_template(kind, Channel.EMAIL_HTML, person.language)).render(context))
    return time.perf_counter() - start, size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--baseline-count", type=int, default=100_000)
    parser.add_argument("--uncached-count", type=int, default=20_000)
    args = parser.parse_args()
    renderer, builder = build()
    bare_s, bare_bytes = run_bare(builder, args.baseline_count)
    bare_rate = args.baseline_count / bare_s
    print(f"bare Jinja2 (HTML part only): {args.baseline_count:,} in {bare_s:.1f} s = {bare_rate:,.0f}/s "
          f"({bare_bytes / args.baseline_count:,.0f} chars each)")
    slow_s, _ = run_ours(renderer, args.uncached_count, cache=False)
    slow_rate = args.uncached_count / slow_s
    print(f"ours, every notice fully rendered (subject+text+HTML, sandbox): {args.uncached_count:,} in {slow_s:.1f} s"
          f" = {slow_rate:,.0f}/s  ratio {slow_rate / bare_rate:.2f}")
    marks: list[float] = []
    ours_s, ours_bytes = run_ours(renderer, args.count, cache=True, marks=marks)
    ours_rate = args.count / ours_s
    print(f"ours (subject+text+HTML, sandbox, group cache): {args.count:,} in {ours_s:.1f} s = {ours_rate:,.0f}/s "
          f"({ours_bytes / args.count:,.0f} chars each)")
    print(f"peak RSS after {args.count // 10:,} notices {marks[0]:.0f} MB, after {args.count:,} {marks[-1]:.0f} MB"
          f" (growth {marks[-1] - marks[0]:.1f} MB: flat when near 0)")
    ratio = ours_rate / bare_rate
    print(f"ratio ours / bare Jinja2 = {ratio:.2f} (target >= 0.50): {'OK' if ratio >= 0.5 else 'BELOW TARGET'}")
    return 0 if ratio >= 0.5 else 1


if __name__ == "__main__":
    sys.exit(main())
